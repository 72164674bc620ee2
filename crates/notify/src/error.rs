//! What can stop notifications from going out, in Chinese.

use huiqi_ledger::LedgerError;

/// Why the notifier could not start or deliver. A webhook that does not answer is no error here:
/// the notification is scheduled again.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The webhook's address cannot be posted to.
    #[error("网络钩子地址 `{url}` 无效：{reason}")]
    Webhook {
        /// The address as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting out of its range.
    #[error("通知设置有误：{0}")]
    Config(String),
    /// The ledger refused or could not be reached.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The worker's thread could not be started.
    #[error("无法启动通知线程：{0}")]
    Spawn(std::io::Error),
}
