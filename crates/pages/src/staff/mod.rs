//! The staff pages (desk width, 1366 px): 审核台 `/desk`, 兑付台 `/pay`, 督办 `/supervision` and
//! 政策试算 `/playground`, one module each under this folder, merged here. Each reads the caller
//! with [`crate::session::Signed`] and renders with [`crate::layout::desk`]; the ledger decides
//! what each role may see and do.

mod chart;
mod decision;
mod desk;
mod pay;
mod pay_installments;
mod playground;
mod supervision;
mod words;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use huiqi_server::AppState;

/// The staff pages' routes, merged into [`crate::routes`].
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/desk", get(desk::queue))
        .route("/desk/claims/{id}", get(desk::claim))
        .route("/desk/claims/{id}/accept", post(desk::accept))
        .route("/desk/claims/{id}/review", post(desk::review))
        .route("/desk/claims/{id}/reject", post(desk::reject))
        .route("/desk/claims/{id}/correction", post(desk::correction))
        .route("/pay", get(pay::list))
        .route("/pay/payouts.xlsx", get(pay::xlsx))
        .route("/pay/paid/{payout}", post(pay::paid))
        .route("/pay/installments/{payout}/{seq}", post(pay_installments::paid))
        // A confirmation file may be as large as the API takes (4 MiB), with the form around it.
        .route(
            "/pay/reconcile",
            post(pay::reconcile).layer(DefaultBodyLimit::max(huiqi_server::MAX_BODY + 64 * 1024)),
        )
        .route("/playground", get(playground::page).post(playground::try_it))
        .route("/supervision", get(supervision::page))
        .route("/supervision.csv", get(supervision::csv))
}
