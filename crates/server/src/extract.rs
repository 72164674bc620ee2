//! The typed extractors every endpoint reads its request with. Each refuses with the one
//! [`AppError`], so a request that does not fit gets the documented `{"code","message","path"}`
//! answer, never axum's plain-text rejection.
//!
//! A JSON body is read whatever its `Content-Type` says (platforms send it without one, or as
//! `text/plain`): the body is what it is.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{AppError, MAX_BODY};
use crate::AppState;

/// A request type read from a JSON body. `misfit` words the error for a body that is JSON but
/// does not fit, so each endpoint keeps its own documented messages.
pub trait Contract: DeserializeOwned {
    /// `field`: the top-level field at fault, `None` when the body is not an object at all;
    /// `reason`: what the reader found; `body`: the whole body, to tell absent from malformed.
    fn misfit(field: Option<&str>, reason: &str, body: &Value) -> AppError;

    /// Moves parts kept as parsed (see [`object`]) from the body into the value read.
    fn take_raw(&mut self, _body: &mut Value) {}
}

/// For a field that must be a JSON object but is kept exactly as parsed: checks the shape and
/// leaves `null`, for [`Contract::take_raw`] to move the object in. Reading it through serde
/// again would turn serde_json's arbitrary-precision numbers into doubles (0.000…1 with 37 zeros
/// becomes `1e-37`), and facts must keep every digit.
pub fn object<'de, D: serde::Deserializer<'de>>(reader: D) -> Result<Value, D::Error> {
    struct Object;
    impl<'de> serde::de::Visitor<'de> for Object {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
            Ok(Value::Null)
        }
    }
    reader.deserialize_map(Object)
}

/// A JSON request body read into `T`: at most [`MAX_BODY`] bytes (else 413 `too_large`), JSON
/// (else 400 `bad_json` with line and column), and of `T`'s shape (else 422 `invalid`).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: Contract> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let TextBody(bytes) = TextBody::from_request(request, state).await?;
        let mut body: Value = serde_json::from_slice(&bytes).map_err(|e| AppError::BadJson {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        // Only an object: serde would also read a struct from an array of its fields in order.
        if !body.is_object() {
            return Err(T::misfit(None, "the body is not a JSON object", &body));
        }
        match serde_path_to_error::deserialize::<_, T>(&body) {
            Ok(mut value) => {
                value.take_raw(&mut body);
                Ok(JsonBody(value))
            }
            Err(e) => {
                let reason = e.inner().to_string();
                let field = match e.path().iter().next() {
                    Some(serde_path_to_error::Segment::Map { key }) => Some(key.clone()),
                    // A required field that is absent fails at the object itself; serde names it
                    // in its message, which is the only place the name is given.
                    _ => missing_field(&reason).map(str::to_string),
                };
                Err(T::misfit(field.as_deref(), &reason, &body))
            }
        }
    }
}

/// The field named by serde's "missing field `x`".
fn missing_field(reason: &str) -> Option<&str> {
    reason.strip_prefix("missing field `")?.split('`').next()
}

/// A body read whole as bytes, at most [`MAX_BODY`] of them (else 413 `too_large`): a policy
/// text for `/v1/check`, or the JSON of the others before it is parsed.
pub struct TextBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for TextBody {
    type Rejection = AppError;

    async fn from_request(request: Request, _: &S) -> Result<Self, AppError> {
        axum::body::to_bytes(request.into_body(), MAX_BODY)
            .await
            .map(TextBody)
            .map_err(|_| AppError::TooLarge { limit: MAX_BODY })
    }
}

/// Query parameters read into `T`; one that does not fit is 422 `invalid` naming it.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default(); // no query: no parameters, all optional or missing
        let reader = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(reader).map(Params).map_err(|e| {
            let name = e.path().to_string();
            AppError::Invalid {
                message: format!("查询参数 `{name}` 不合要求：{}", e.inner()), path: name
            }
        })
    }
}

/// The `{id}` of a path: a policy id. A path segment that is not UTF-8 once decoded names no
/// policy, so it is 404 like any other unknown id.
pub struct PolicyId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PolicyId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(PolicyId(id)),
            Err(_) => Err(AppError::NotFound { what: "policy", id: parts.uri.path().to_string() }),
        }
    }
}

/// The `{id}` of a claim or payout path: a positive integer, else 404 (no such record).
pub struct ClaimId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ClaimId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match axum::extract::Path::<String>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => match id.parse::<i64>() {
                Ok(n) if n > 0 => Ok(ClaimId(n)),
                _ => Err(AppError::NotFound { what: "record", id }),
            },
            Err(_) => Err(AppError::NotFound { what: "record", id: parts.uri.path().to_string() }),
        }
    }
}

/// A request bearing the admin token (`Authorization: Bearer <token>`); else 401 `unauthorized`.
pub struct Admin;

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, AppError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        // The configured admin token, or a workflow token of the admin role.
        let admin_jwt = || {
            let auth = state.workflow.as_ref().and_then(|w| w.auth.as_ref());
            match (auth, bearer) {
                (Some(auth), Some(token)) => {
                    auth.verify(token).is_ok_and(|p| p.role() == huiqi_ledger::Role::Admin)
                }
                _ => false,
            }
        };
        if state.admits(bearer) || admin_jwt() {
            Ok(Admin)
        } else {
            Err(AppError::Unauthorized)
        }
    }
}

/// The caller of a workflow endpoint, from `Authorization: Bearer <JWT>`: 401 `unauthorized`
/// without a valid token (or when the service has no key), 503 when no ledger is configured.
pub struct Caller(pub huiqi_ledger::Principal);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        state.principal(token).map(Caller)
    }
}

impl AppState {
    /// The caller a workflow token names, checked as every workflow endpoint checks it: 401
    /// `unauthorized` without a valid token (or when the service has no key), 503 when no ledger
    /// is configured. The pages read the token from their sign-in cookie and call this, so a
    /// page and an endpoint never disagree on who is calling.
    pub fn principal(&self, token: Option<&str>) -> Result<huiqi_ledger::Principal, AppError> {
        let workflow = self.workflow()?;
        let Some(auth) = &workflow.auth else {
            return Err(AppError::Token(
                "本服务未配置令牌密钥（HUIQI_JWT_SECRET 或 HUIQI_JWT_PUBLIC_KEY），不受理此类请求".into(),
            ));
        };
        let token = token
            .ok_or_else(|| AppError::Token("缺少令牌：请求头须带 `Authorization: Bearer <令牌>`".into()))?;
        auth.verify(token.trim()).map_err(AppError::Token)
    }
}

/// The caller when the request carries a token (a bad one is 401), `None` when it carries none:
/// for endpoints open to all that do more for a signed-on caller.
pub struct MaybeCaller(pub Option<huiqi_ledger::Principal>);

impl FromRequestParts<Arc<AppState>> for MaybeCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, AppError> {
        if parts.headers.get(header::AUTHORIZATION).is_none() {
            return Ok(MaybeCaller(None));
        }
        Caller::from_request_parts(parts, state).await.map(|Caller(who)| MaybeCaller(Some(who)))
    }
}
