//! One round of delivery: lease a batch, POST each, acknowledge or schedule it again.

use std::io::Read as _;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use huiqi_ledger::{Ledger, Notification};

use crate::backoff::backoff;
use crate::config::Config;
use crate::error::NotifyError;
use crate::sign::{signature, SIGNATURE_HEADER};

/// What one round came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Notifications leased.
    pub leased: usize,
    /// Acknowledged by the webhook (a 2xx answer).
    pub delivered: usize,
    /// Sent and not acknowledged (another status, or no answer): due again after a backoff.
    pub failed: usize,
    /// Leased and not sent: the webhook was unreachable earlier in the batch (due again after a
    /// backoff), or the worker was stopping or its lease running out (due again at once).
    pub released: usize,
}

/// How an attempt went.
enum Attempt {
    Acknowledged,
    /// The webhook answered, but not with a 2xx.
    Refused(String),
    /// No answer: not connected, or timed out.
    Unreachable(String),
}

/// The bytes of an error answer kept as its reason, at most.
const ERROR_BODY: u64 = 512;

/// A worker's HTTP client (its connections are reused between requests) and its jitter.
pub(crate) struct Sender {
    agent: ureq::Agent,
    rng: fastrand::Rng,
}

/// Leases one batch of due notifications as `config.owner` at `now`, and delivers it: for tests,
/// and for a caller that runs its own loop ([`crate::spawn`] runs one).
pub fn deliver_once(ledger: &Ledger, config: &Config, now: DateTime<Utc>) -> Result<Delivered, NotifyError> {
    config.check()?;
    Sender::new(config).round(ledger, config, now, &|| false)
}

impl Sender {
    pub(crate) fn new(config: &Config) -> Sender {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            // Every status is an answer to judge here, not an error.
            .http_status_as_error(false)
            // A webhook that redirects is misconfigured: a POST is not followed elsewhere.
            .max_redirects(0)
            .user_agent(concat!("huiqi-notify/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Sender { agent, rng: fastrand::Rng::new() }
    }

    /// One round at `now` (the times written are `now` plus the round's own elapsed time);
    /// `stop` is asked before each request.
    pub(crate) fn round(
        &mut self,
        ledger: &Ledger,
        config: &Config,
        now: DateTime<Utc>,
        stop: &dyn Fn() -> bool,
    ) -> Result<Delivered, NotifyError> {
        let started = Instant::now();
        let clock = || now + TimeDelta::from_std(started.elapsed()).unwrap_or(TimeDelta::MAX);
        let batch = ledger.lease_notifications(&config.owner, now, config.lease, config.batch)?;
        let mut out = Delivered { leased: batch.len(), ..Delivered::default() };
        let mut unreachable: Option<String> = None;
        for n in &batch {
            // A request must end well inside the lease, or another worker could send it too.
            let hold = if stop() {
                Some("通知服务停止，未发送")
            } else if started.elapsed() + config.timeout >= config.lease {
                Some("租约将尽，未发送")
            } else {
                None
            };
            if let Some(why) = hold {
                ledger.delivery_failed(n.id, &config.owner, why, clock())?;
                out.released += 1;
                continue;
            }
            if let Some(e) = &unreachable {
                let next = clock() + self.wait(config, n);
                ledger.delivery_failed(
                    n.id,
                    &config.owner,
                    &format!("未发送：网络钩子无法连接（{e}）"),
                    next,
                )?;
                out.released += 1;
                continue;
            }
            let (error, down) = match self.post(config, n)? {
                Attempt::Acknowledged => {
                    ledger.acknowledge(n.id, clock())?;
                    tracing::debug!(id = n.id, claim = n.claim, kind = n.kind.as_str(), "通知已送达");
                    out.delivered += 1;
                    continue;
                }
                Attempt::Refused(e) => (e, false),
                Attempt::Unreachable(e) => (e, true),
            };
            let wait = self.wait(config, n);
            ledger.delivery_failed(n.id, &config.owner, &error, clock() + wait)?;
            tracing::warn!(
                id = n.id,
                claim = n.claim,
                attempts = n.attempts,
                retry_in_ms = wait.num_milliseconds(),
                "通知未送达，稍后重试：{error}"
            );
            out.failed += 1;
            if down {
                unreachable = Some(error);
            }
        }
        Ok(out)
    }

    fn wait(&mut self, config: &Config, n: &Notification) -> TimeDelta {
        let wait: Duration = backoff(n.attempts, config.backoff_first, config.backoff_cap, &mut self.rng);
        TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX)
    }

    fn post(&self, config: &Config, n: &Notification) -> Result<Attempt, NotifyError> {
        let body = n.body()?;
        let mut request = self
            .agent
            .post(&config.webhook)
            .header("Content-Type", "application/json; charset=utf-8")
            .header("Idempotency-Key", n.id.to_string());
        if let Some(secret) = &config.secret {
            request = request.header(SIGNATURE_HEADER, signature(secret, body.as_bytes()));
        }
        Ok(match request.send(body.as_bytes()) {
            Ok(response) if response.status().is_success() => Attempt::Acknowledged,
            Ok(mut response) => {
                let mut text = Vec::new();
                // What it said, as far as it can be read: the status is the reason enough.
                let _ = response.body_mut().as_reader().take(ERROR_BODY).read_to_end(&mut text);
                let text = String::from_utf8_lossy(&text);
                Attempt::Refused(format!("HTTP {}：{}", response.status().as_u16(), text.trim()))
            }
            Err(e) => Attempt::Unreachable(e.to_string()),
        })
    }
}
