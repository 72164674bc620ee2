//! Counters for `/metrics` in Prometheus' text format (prometheus-client): requests by method,
//! route and status, their latencies, and decisions by outcome.
//!
//! Label values are the route template and `&'static str`s, so counting a request allocates
//! nothing once its series exists, and the series are bounded: unknown methods count as `OTHER`,
//! unknown paths as `unmatched`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use huiqi_engine::Outcome;
use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::AppState;

pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

const OUTCOMES: [Outcome; 6] = [
    Outcome::Eligible,
    Outcome::Ineligible,
    Outcome::Undetermined,
    Outcome::PendingReview,
    Outcome::NotPayable,
    Outcome::Error,
];

/// The route a request matched, by its template (`/v1/policies/{id}`), not its path.
#[derive(Clone, Debug)]
enum Route {
    Matched(MatchedPath),
    Unmatched,
}

impl Route {
    fn as_str(&self) -> &str {
        match self {
            Route::Matched(path) => path.as_str(),
            Route::Unmatched => "unmatched",
        }
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        std::fmt::Write::write_str(encoder, self.as_str())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: Route,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: Route,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

type Latencies = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    seconds: Latencies,
    /// In the order of [`OUTCOMES`].
    decisions: Vec<Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "huiqi_requests",
            "Requests answered, by method, route and status",
            requests.clone(),
        );
        let seconds: Latencies = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        registry.register("huiqi_request_seconds", "Time to answer, by method and route", seconds.clone());
        let by_outcome = Family::<OutcomeLabels, Counter>::default();
        registry.register("huiqi_decisions", "Decisions made, by outcome", by_outcome.clone());
        // Every outcome is listed from the start, at 0, so a dashboard sees the series at once.
        let decisions = OUTCOMES
            .iter()
            .map(|o| by_outcome.get_or_create(&OutcomeLabels { outcome: outcome_name(*o) }).clone())
            .collect();
        Metrics { registry, requests, seconds, decisions }
    }
}

/// The outcome as the decision document spells it (`not_payable`).
fn outcome_name(outcome: Outcome) -> String {
    // An outcome serialises as a plain string; the `Debug` name is only a fallback that cannot
    // be reached, and would still name the outcome.
    match serde_json::to_value(outcome) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{outcome:?}"),
    }
}

/// A method's name for a label; any method not standard is `OTHER`, so a client cannot mint series.
fn method_name(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
        Method::PATCH,
        Method::TRACE,
        Method::CONNECT,
    ];
    const NAMES: [&str; 9] = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT"];
    KNOWN.iter().zip(NAMES).find(|(m, _)| *m == method).map_or("OTHER", |(_, name)| name)
}

impl Metrics {
    fn record(&self, method: &'static str, route: Route, status: u16, seconds: f64) {
        self.seconds.get_or_create(&RouteLabels { method, route: route.clone() }).observe(seconds);
        self.requests.get_or_create(&RequestLabels { method, route, status }).inc();
    }

    pub fn decided(&self, outcome: Outcome) {
        if let Some(counter) = OUTCOMES.iter().position(|o| *o == outcome).and_then(|i| self.decisions.get(i))
        {
            counter.inc();
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// Middleware: counts every request under its route template (`/v1/policies/{id}`), not its path.
pub async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_name(request.method());
    let route = request.extensions().get::<MatchedPath>().cloned().map_or(Route::Unmatched, Route::Matched);
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    tracing::info!(target: "huiqi::request", %method, route = %route.as_str(), status, ms = seconds * 1000.0, "request");
    state.metrics.record(method, route, status, seconds);
    response
}
