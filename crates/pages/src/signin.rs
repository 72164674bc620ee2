//! `/signin`: the token pasted once (in development; the platform's sign-on in production) and
//! kept in the session cookie; `/signout` forgets it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use huiqi_server::AppState;
use maud::{html, Markup};
use serde::Deserialize;

use crate::facts_form::FormBody;
use crate::layout;
use crate::session::{self, MaybeSigned};

/// `?next=`: where to go once signed in.
#[derive(Deserialize, Default)]
pub(crate) struct Next {
    #[serde(default)]
    next: Option<String>,
}

/// A path on this site, or `/`: never another site (`//evil`, `https://…`).
fn local(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\") => p.to_owned(),
        _ => "/".to_owned(),
    }
}

fn signin_page(who: Option<&huiqi_ledger::Principal>, next: &str, error: Option<&str>) -> Markup {
    layout::page(
        "登录",
        who,
        "/signin",
        html! {
            h1 { "登录" }
            @if let Some(error) = error {
                div.notice.error role="alert" {
                    p { "登录未成功：" (error) }
                    p { "请检查令牌是否完整、是否过期，或向平台管理员重新申领。" }
                }
            }
            @if let Some(who) = who {
                div.notice.good { p { "您已登录为 " (layout::who_words(who)) "。如需换用其他账号，请在下方粘贴新的令牌。" } }
            }
            p {
                "企业和工作人员凭平台统一身份认证发放的令牌登录。令牌只保存在本浏览器的会话中（脚本不可读取，关闭浏览器即失效），不会出现在网址里。"
            }
            form method="post" action="/signin" {
                input type="hidden" name="next" value=(next);
                div.field {
                    label for="token" { "令牌" }
                    span.hint id="token-hint" {
                        "开发和培训环境：运行 "
                        code { "huiqi token --role enterprise --uscc 统一社会信用代码 --name 企业名称" }
                        "（工作人员用 window、reviewer、payer、supervisor 等角色）生成后粘贴于此。"
                    }
                    textarea id="token" name="token" required rows="5" autocomplete="off" spellcheck="false"
                        aria-describedby="token-hint" {}
                }
                div.actions { button type="submit" { "登录" } }
            }
        },
    )
}

/// `GET /signin`.
pub(crate) async fn form(
    MaybeSigned(who): MaybeSigned,
    axum::extract::Query(q): axum::extract::Query<Next>,
) -> Markup {
    signin_page(who.as_ref(), &local(q.next.as_deref()), None)
}

/// `POST /signin`: a token that the service accepts is kept; one it refuses is said why.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    FormBody(form): FormBody,
) -> Response {
    let next = local(form.get("next"));
    // A token pasted from a terminal may carry line breaks; a JWT has no spaces of its own.
    let token = form.get("token").unwrap_or_default().split_whitespace().collect::<String>();
    match state.principal(Some(&token)) {
        Ok(_) => {
            let mut response = crate::see_other(&next);
            if let Some(cookie) = session::keep(&token, session::over_https(&headers)) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => (e.status(), signin_page(None, &next, Some(&e.to_string()))).into_response(),
    }
}

/// `POST /signout`: the cookie forgotten, back to the catalog.
pub(crate) async fn signout() -> Response {
    let mut response = crate::see_other("/");
    response.headers_mut().insert(header::SET_COOKIE, session::forget());
    response
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(local(Some("/claims/3")), "/claims/3");
        assert_eq!(local(Some("//evil.example/")), "/");
        assert_eq!(local(Some("/\\evil.example/")), "/");
        assert_eq!(local(Some("https://evil.example/")), "/");
        assert_eq!(local(None), "/");
    }
}
