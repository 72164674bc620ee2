//! Who is signed in. The platform's sign-on gives staff and enterprises a token (in development,
//! `huiqi token` makes one); it is pasted once at `/signin` and kept in a cookie that scripts
//! cannot read (HttpOnly) and other sites cannot send (SameSite=Strict). A request may instead
//! carry it as `Authorization: Bearer`, as API clients do. Either way the token is read into the
//! ledger's `Principal` by `AppState::principal`, the check every workflow endpoint makes, so a
//! page's caller is exactly the API's, with the same role rules.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};
use huiqi_ledger::Principal;
use huiqi_server::AppState;

use crate::error::PageError;

/// The cookie the token is kept in.
pub(crate) const COOKIE: &str = "huiqi_token";

/// The token a request carries: its `Authorization: Bearer`, else the sign-in cookie.
pub(crate) fn token(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    bearer.or_else(|| {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == COOKIE)
            .map(|c| c.value().to_owned())
            .filter(|t| !t.is_empty())
    })
}

/// The page's path and query, to come back to after signing in.
fn here(parts: &Parts) -> String {
    parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

/// A signed-in caller; without a valid token the browser is sent to `/signin` and back.
pub(crate) struct Signed(pub Principal);

impl FromRequestParts<Arc<AppState>> for Signed {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, PageError> {
        if !state.has_workflow() {
            // No ledger: nothing to sign in to; the service's own words say so.
            return Err(state
                .principal(None)
                .err()
                .map_or(PageError::SignIn { next: here(parts) }, PageError::App));
        }
        match token(&parts.headers) {
            Some(token) => state.principal(Some(&token)).map(Signed).map_err(|e| match e {
                // An expired or foreign token: sign in again, then come back.
                huiqi_server::AppError::Token(_) => PageError::SignIn { next: here(parts) },
                other => PageError::App(other),
            }),
            None => Err(PageError::SignIn { next: here(parts) }),
        }
    }
}

/// The caller if signed in, `None` otherwise (a token that no longer holds is as none): for
/// pages open to everyone that show who is signed in.
pub(crate) struct MaybeSigned(pub Option<Principal>);

impl FromRequestParts<Arc<AppState>> for MaybeSigned {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        if !state.has_workflow() {
            return Ok(MaybeSigned(None));
        }
        Ok(MaybeSigned(token(&parts.headers).and_then(|t| state.principal(Some(&t)).ok())))
    }
}

/// The `Set-Cookie` that keeps `token` for the browser's session. `secure` when the page was
/// reached over HTTPS (a proxy says so with `X-Forwarded-Proto`), so the cookie is never sent
/// in clear there; plain HTTP on a developer's machine still works.
pub(crate) fn keep(token: &str, secure: bool) -> Option<HeaderValue> {
    let cookie = Cookie::build((COOKIE, token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The `Set-Cookie` that forgets the token.
pub(crate) fn forget() -> HeaderValue {
    let cookie = Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&cookie.to_string())
        .unwrap_or(HeaderValue::from_static("huiqi_token=; Path=/; Max-Age=0"))
}

/// Whether the request reached the site over HTTPS.
pub(crate) fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}
