//! The worker: a thread that delivers round after round until stopped.

use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use huiqi_ledger::Ledger;

use crate::config::Config;
use crate::deliver::Sender;
use crate::error::NotifyError;

/// The stop flag, and a condition variable that ends a wait as soon as it is raised.
#[derive(Default)]
struct Stop {
    raised: Mutex<bool>,
    signal: Condvar,
}

impl Stop {
    fn raised(&self) -> bool {
        // A poisoned lock only means a thread panicked holding it; the flag is still a flag.
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn raise(&self) {
        *self.raised.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.signal.notify_all();
    }

    /// Waits `d`, or less if stopped meanwhile.
    fn wait(&self, d: Duration) {
        let raised = self.raised.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = self.signal.wait_timeout_while(raised, d, |r| !*r).unwrap_or_else(PoisonError::into_inner);
    }
}

/// A running worker. [`Handle::stop`] stops it gracefully; dropping the handle asks it to stop
/// without waiting.
pub struct Handle {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    /// Stops the worker and waits for it: the request in flight finishes (within the request
    /// time limit) and is recorded; the rest of its batch is released, due at once for any other
    /// worker.
    pub fn stop(mut self) {
        self.stop.raise();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop.raise();
    }
}

/// Starts a worker delivering `ledger`'s notifications to `config.webhook` on a thread of its
/// own: the ledger's API blocks, and so does this HTTP client. Any number of workers, in one
/// process or many, may deliver from one ledger; each notification is held by one at a time.
pub fn spawn(ledger: Arc<Ledger>, config: Config) -> Result<Handle, NotifyError> {
    config.check()?;
    let stop = Arc::new(Stop::default());
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("huiqi-notify".into())
        .spawn(move || run(&ledger, &config, &flag))
        .map_err(NotifyError::Spawn)?;
    Ok(Handle { stop, thread: Some(thread) })
}

fn run(ledger: &Ledger, config: &Config, stop: &Stop) {
    tracing::info!(webhook = %config.webhook, owner = %config.owner, "通知服务启动");
    let mut sender = Sender::new(config);
    while !stop.raised() {
        match sender.round(ledger, config, chrono::Utc::now(), &|| stop.raised()) {
            // A full batch: more may be waiting.
            Ok(d) if d.leased == config.batch && d.released == 0 => {}
            Ok(_) => stop.wait(config.poll),
            Err(e) => {
                // The ledger is unreachable: what this worker leased waits for its lease to run
                // out; try again after a pause.
                tracing::warn!("通知服务出错，稍后重试：{e}");
                stop.wait(config.poll.max(Duration::from_secs(1)));
            }
        }
    }
    tracing::info!(owner = %config.owner, "通知服务停止");
}
