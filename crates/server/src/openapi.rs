//! What `/openapi.json` says beyond the endpoints' own descriptions (`routes`): the title, the
//! groups, the admin token's scheme and the error schema every endpoint shares.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorCode};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "huiqi 惠企政策兑现 decision service",
        description = "Decisions, guides and registry screening over the policy library in force. \
            Every error is JSON `{\"code\", \"message\", \"path\"}` (`ErrorBody`).",
    ),
    tags(
        (name = "decisions", description = "deciding for enterprises: one, matched, or a registry"),
        (name = "policies", description = "一网查询: the catalog, guides, policy files and checking them"),
        (name = "admin", description = "needs the admin token"),
        (name = "service", description = "health, status, metrics and this description"),
    ),
    components(schemas(ErrorBody, ErrorCode)),
    modifiers(&AdminToken),
)]
pub struct Doc;

/// `Authorization: Bearer <HUIQI_ADMIN_TOKEN>`, required by `/v1/admin/reload`.
struct AdminToken;

impl Modify for AdminToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        openapi.components.get_or_insert_with(Default::default).add_security_scheme("admin_token", scheme);
    }
}
