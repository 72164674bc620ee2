//! Counters for `/metrics` in Prometheus' text format: requests by route and status, their
//! latencies, and decisions by outcome.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use huiqi_engine::Outcome;

use crate::AppState;

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

#[derive(Default)]
struct Route {
    count: u64,
    seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    /// By (method, route, status).
    routes: Mutex<BTreeMap<(String, String, u16), Route>>,
    decisions: [AtomicU64; OUTCOMES.len()],
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut routes = match self.routes.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let r = routes.entry((method.to_string(), route.to_string(), status)).or_default();
        r.count += 1;
        r.seconds += seconds;
        for (bucket, bound) in r.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    pub fn decided(&self, outcome: Outcome) {
        if let Some(i) = OUTCOMES.iter().position(|o| *o == outcome) {
            if let Some(counter) = self.decisions.get(i) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let routes = match self.routes.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        out.push_str("# HELP huiqi_requests_total Requests answered, by method, route and status.\n");
        out.push_str("# TYPE huiqi_requests_total counter\n");
        for ((method, route, status), r) in routes.iter() {
            let _ = writeln!(
                out,
                "huiqi_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                r.count
            );
        }
        out.push_str("# HELP huiqi_request_seconds Time to answer, by method and route.\n");
        out.push_str("# TYPE huiqi_request_seconds histogram\n");
        let mut by_route: BTreeMap<(&str, &str), Route> = BTreeMap::new();
        for ((method, route, _), r) in routes.iter() {
            let sum = by_route.entry((method.as_str(), route.as_str())).or_default();
            sum.count += r.count;
            sum.seconds += r.seconds;
            for (a, b) in sum.buckets.iter_mut().zip(r.buckets) {
                *a += b;
            }
        }
        for ((method, route), r) in &by_route {
            let labels = format!("method=\"{method}\",route=\"{route}\"");
            for (bound, count) in BUCKETS.iter().zip(r.buckets) {
                let _ = writeln!(out, "huiqi_request_seconds_bucket{{{labels},le=\"{bound}\"}} {count}");
            }
            let _ = writeln!(out, "huiqi_request_seconds_bucket{{{labels},le=\"+Inf\"}} {}", r.count);
            let _ = writeln!(out, "huiqi_request_seconds_sum{{{labels}}} {}", r.seconds);
            let _ = writeln!(out, "huiqi_request_seconds_count{{{labels}}} {}", r.count);
        }
        out.push_str("# HELP huiqi_decisions_total Decisions made, by outcome.\n");
        out.push_str("# TYPE huiqi_decisions_total counter\n");
        for (outcome, counter) in OUTCOMES.iter().zip(&self.decisions) {
            let name = serde_json::to_value(outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "huiqi_decisions_total{{outcome=\"{name}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}

/// Middleware: counts every request under its route template (`/v1/policies/{id}`), not its path.
pub async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.record(&method, &route, status, seconds);
    tracing::info!(target: "huiqi::request", %method, %route, status, ms = seconds * 1000.0, "request");
    response
}
