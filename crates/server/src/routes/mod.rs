//! The endpoints, a module per group, and the one table of them: each is added with
//! `routes!`, which registers the route and its `#[utoipa::path]` description together, so a
//! route cannot exist without its entry in `/openapi.json`.

mod admin;
pub(crate) mod check;
pub(crate) mod claims;
pub(crate) mod decide;
mod installments;
mod oversight;
mod payouts;
pub(crate) mod policies;
mod screen;
mod screen_schema;
mod service;

use std::sync::Arc;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub use screen::SCREEN_MAX_BODY;

/// Every endpoint, routed and described.
pub fn table() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::with_openapi(crate::openapi::Doc::openapi())
        .routes(routes!(service::healthz))
        .routes(routes!(service::status))
        .routes(routes!(policies::catalog))
        .routes(routes!(policies::guide))
        .routes(routes!(policies::source))
        .routes(routes!(decide::evaluate))
        .routes(routes!(decide::match_policies))
        .routes(routes!(check::check))
        .routes(routes!(screen::screen))
        .routes(routes!(screen::screenings))
        .routes(routes!(claims::submit, claims::list))
        .routes(routes!(claims::get))
        .routes(routes!(claims::accept))
        .routes(routes!(claims::request_correction))
        .routes(routes!(claims::resubmit))
        .routes(routes!(claims::review))
        .routes(routes!(claims::reject))
        .routes(routes!(claims::verify))
        .routes(routes!(installments::check))
        .routes(routes!(installments::due))
        .routes(routes!(installments::paid))
        .routes(routes!(payouts::list))
        .routes(routes!(payouts::paid))
        .routes(routes!(payouts::reconcile))
        .routes(routes!(oversight::supervision))
        .routes(routes!(oversight::budgets))
        .routes(routes!(oversight::set_budget))
        .routes(routes!(admin::reload))
        .routes(routes!(service::metrics))
        .routes(routes!(service::openapi))
}
