//! The staff pages (desk width, 1366 px): 审核台 `/desk`, 兑付台 `/pay`, 督办 `/supervision` and
//! 政策试算 `/playground`, one module each under this folder, merged here. Each reads the caller
//! with [`crate::session::Signed`] and renders with [`crate::layout::desk`]; the ledger decides
//! what each role may see and do.

mod chart;
mod supervision;
mod words;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use huiqi_server::AppState;

/// The staff pages' routes, merged into [`crate::routes`].
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/supervision", get(supervision::page))
        .route("/supervision.csv", get(supervision::csv))
}
