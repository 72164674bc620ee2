//! The platform's webhook as the tests play it: a small axum server on a loopback port that
//! answers 500 to its first few requests (or to none), then 200, and keeps every request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Hit {
    pub key: Option<String>,
    pub signature: Option<String>,
    pub body: String,
    pub status: u16,
}

impl Hit {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn id(&self) -> i64 {
        self.json()["id"].as_i64().unwrap()
    }
}

struct Shared {
    hits: Mutex<Vec<Hit>>,
    /// How many more requests to answer with 500.
    failing: AtomicUsize,
    delay: Duration,
}

/// A running receiver; dropped, it stops listening.
pub struct Receiver {
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

/// A loopback port nobody listens on (yet): connecting to it is refused.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn hook(State(s): State<Arc<Shared>>, headers: HeaderMap, body: String) -> (StatusCode, &'static str) {
    let fail = s.failing.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    let status = if fail { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK };
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    s.hits.lock().unwrap().push(Hit {
        key: header("idempotency-key"),
        signature: header("x-huiqi-signature"),
        body,
        status: status.as_u16(),
    });
    if !s.delay.is_zero() {
        tokio::time::sleep(s.delay).await;
    }
    (status, if fail { "消息中心暂不可用" } else { "ok" })
}

impl Receiver {
    /// Listens on `port`, answering 500 to the first `failing` requests and taking `delay` over each.
    pub fn start(port: u16, failing: usize, delay: Duration) -> Receiver {
        let shared =
            Arc::new(Shared { hits: Mutex::new(Vec::new()), failing: AtomicUsize::new(failing), delay });
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port))).unwrap();
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(shared.clone());
        runtime.spawn(async move { axum::serve(listener, app).await });
        Receiver { shared, _runtime: runtime }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().unwrap().clone()
    }
}
