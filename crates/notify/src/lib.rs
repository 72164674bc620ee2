//! Delivers the ledger's notifications outbox to the platform's webhook (its message centre):
//! one job, on a thread of its own.
//!
//! A worker leases a batch of due notifications, POSTs each as JSON with its id (in the body and
//! as `Idempotency-Key`) and, if configured, an HMAC-SHA256 signature (`X-Huiqi-Signature`). A 2xx
//! answer acknowledges it; anything else, or no answer, schedules it again after an exponential
//! backoff with jitter (1 s doubling to 5 minutes by default), for as long as it takes: nothing is
//! dropped. A worker that dies holding a lease only delays its rows until the lease runs out, when
//! any other server's worker takes them over. Delivery is at least once: the receiver drops
//! repeats by id (docs/notifications.md).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ledger = std::sync::Arc::new(huiqi_ledger::Ledger::open("sqlite://huiqi-data/huiqi.db")?);
//! let mut config = huiqi_notify::Config::new("https://msg.example.gov.cn/huiqi")?;
//! config.secret = Some("shared secret".into());
//! let worker = huiqi_notify::spawn(ledger, config)?;
//! // … serve …
//! worker.stop(); // finishes the request in flight, releases the rest of its batch
//! # Ok(())
//! # }
//! ```

mod backoff;
mod config;
mod deliver;
mod error;
mod sign;
mod worker;

pub use backoff::backoff;
pub use config::Config;
pub use deliver::{deliver_once, Delivered};
pub use error::NotifyError;
pub use sign::{signature, SIGNATURE_HEADER};
pub use worker::{spawn, Handle};
