//! The notifier's settings.

use std::time::Duration;

use crate::error::NotifyError;

/// Where and how notifications are delivered. [`Config::new`] gives the defaults; each field may
/// be changed after. Its `Debug` shows whether a secret is set, not the secret.
#[derive(Clone)]
pub struct Config {
    /// The webhook: an `http://` or `https://` URL notifications are POSTed to.
    pub webhook: String,
    /// The shared secret of the `X-Huiqi-Signature` header; without one, none is sent.
    pub secret: Option<String>,
    /// How long an idle worker waits before looking for due notifications again (1 s).
    pub poll: Duration,
    /// How many notifications a worker leases at a time (32).
    pub batch: usize,
    /// How long a lease lasts (60 s): a worker that dies holding one delays its rows this long.
    pub lease: Duration,
    /// How long one request may take, connecting included (10 s).
    pub timeout: Duration,
    /// The wait after a first failed attempt, doubled after each further one (1 s).
    pub backoff_first: Duration,
    /// The longest wait between attempts (5 minutes).
    pub backoff_cap: Duration,
    /// The worker's name on its leases: unique per worker (host, process, random).
    pub owner: String,
}

impl Config {
    /// The defaults, for this webhook.
    pub fn new(webhook: impl Into<String>) -> Result<Config, NotifyError> {
        let config = Config {
            webhook: webhook.into(),
            secret: None,
            poll: Duration::from_secs(1),
            batch: 32,
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            backoff_first: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(300),
            owner: owner(),
        };
        config.check()?;
        Ok(config)
    }

    /// Whether the settings can work: the webhook an http(s) URL with a host, a batch of at least
    /// one, and a lease long enough for a request (twice its timeout).
    pub fn check(&self) -> Result<(), NotifyError> {
        let bad =
            |reason: &str| NotifyError::Webhook { url: self.webhook.clone(), reason: reason.to_owned() };
        let uri: ureq::http::Uri = self.webhook.parse().map_err(|e| bad(&format!("{e}")))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(bad("应以 http:// 或 https:// 开头")),
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(bad("缺少主机名"));
        }
        if self.batch == 0 {
            return Err(NotifyError::Config("每批通知数至少为 1".into()));
        }
        if self.timeout.is_zero() || self.lease < self.timeout * 2 {
            return Err(NotifyError::Config(format!(
                "租约（{:?}）应至少为单次请求时限（{:?}）的两倍，且时限不能为 0",
                self.lease, self.timeout
            )));
        }
        if self.owner.is_empty() {
            return Err(NotifyError::Config("通知进程的名称不能为空".into()));
        }
        Ok(())
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("webhook", &self.webhook)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .field("poll", &self.poll)
            .field("batch", &self.batch)
            .field("lease", &self.lease)
            .field("timeout", &self.timeout)
            .field("backoff_first", &self.backoff_first)
            .field("backoff_cap", &self.backoff_cap)
            .field("owner", &self.owner)
            .finish()
    }
}

/// A name no other worker has: the host, the process and a random number (two workers of one
/// process differ too).
fn owner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "huiqi".to_owned());
    format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_webhook_must_be_an_http_url_with_a_host() {
        assert!(Config::new("http://127.0.0.1:9/hook").is_ok());
        assert!(Config::new("https://msg.example.gov.cn/huiqi").is_ok());
        for bad in ["", "127.0.0.1:9/hook", "ftp://host/x", "http://", "not a url"] {
            let e = Config::new(bad).unwrap_err();
            assert!(matches!(e, NotifyError::Webhook { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn a_lease_must_outlast_a_request_and_workers_have_their_own_names() {
        let mut c = Config::new("http://127.0.0.1:9/hook").unwrap();
        c.lease = c.timeout;
        assert!(matches!(c.check(), Err(NotifyError::Config(_))));
        c.lease = c.timeout * 2;
        c.batch = 0;
        assert!(matches!(c.check(), Err(NotifyError::Config(_))));
        let other = Config::new("http://127.0.0.1:9/hook").unwrap();
        assert_ne!(c.owner, other.owner);
        c.secret = Some("hush".into());
        assert!(!format!("{c:?}").contains("hush"));
    }
}
