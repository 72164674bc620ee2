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
        (name = "workflow", description = "申报 to 兑付: claims, their steps and payouts; needs a JWT (`Authorization: Bearer`) whose role and scope the ledger checks"),
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
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("admin_token", scheme);
        let jwt = SecurityScheme::Http(
            HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
        );
        components.add_security_scheme("token", jwt);
    }
}

/// The request bodies whose `facts` are an enterprise's facts.
const WITH_FACTS: [&str; 3] = ["EvaluateRequest", "ClaimRequest", "Resubmission"];

/// The document as JSON, with `facts` (the schema of a library's facts) as the component `Facts`
/// and the `facts` of each request in [`WITH_FACTS`] a reference to it, its description kept.
pub fn with_facts(doc: utoipa::openapi::OpenApi, facts: serde_json::Value) -> serde_json::Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(serde_json::Value::as_object_mut)
    else {
        return doc;
    };
    for name in WITH_FACTS {
        let property = schemas
            .get_mut(name)
            .and_then(|s| s.pointer_mut("/properties/facts"))
            .and_then(serde_json::Value::as_object_mut);
        if let Some(property) = property {
            let description = property.get("description").cloned();
            property.clear();
            property.insert("$ref".into(), "#/components/schemas/Facts".into());
            if let Some(d) = description {
                property.insert("description".into(), d);
            }
        }
    }
    schemas.insert("Facts".into(), facts);
    doc
}
