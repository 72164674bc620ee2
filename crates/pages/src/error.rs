//! A page's failure as a page: what went wrong, in Chinese, and what to do next, with the status
//! the API would answer. Every page handler returns `Result<_, PageError>`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huiqi_server::AppError;
use maud::{html, Markup};

use crate::layout;

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// What the service refused or failed at, as the API would answer it.
    App(AppError),
    /// The page needs a sign-in: sent to `/signin`, and back to `next` after it.
    SignIn {
        /// The page to come back to (a path on this site).
        next: String,
    },
    /// No such page, policy or claim (the message says which).
    NotFound(String),
    /// A form filled in a way that cannot be read (the message says which field and how).
    BadInput(String),
    /// Refused before anything was done (the message says why).
    Forbidden(String),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::App(e)
    }
}

/// Who answers for a kind of thing the API names in its 404s.
fn thing(what: &str) -> &str {
    match what {
        "policy" => "政策事项",
        "claim" | "record" => "申报记录",
        "payout" => "兑付记录",
        "endpoint" => "页面",
        _ => "记录",
    }
}

impl PageError {
    /// Status, heading, what happened, and what to do next.
    fn parts(&self) -> (StatusCode, &'static str, String, Markup) {
        let back_home = html! { a href="/" { "回到一网查询" } };
        match self {
            PageError::SignIn { next } => (
                StatusCode::UNAUTHORIZED,
                "请先登录",
                "此页面需要登录后才能查看或办理。".into(),
                html! { a.button href=(signin_url(next)) { "去登录" } },
            ),
            PageError::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "找不到您要的内容",
                what.clone(),
                html! { "请检查网址，或" (back_home) "重新查找。" },
            ),
            PageError::BadInput(what) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "填写的内容有误",
                what.clone(),
                html! { "请返回上一页修改后重新提交。" },
            ),
            PageError::Forbidden(what) => {
                (StatusCode::FORBIDDEN, "无法办理", what.clone(), html! { (back_home) })
            }
            PageError::App(e) => app_parts(e, back_home),
        }
    }
}

fn app_parts(e: &AppError, back_home: Markup) -> (StatusCode, &'static str, String, Markup) {
    let status = e.status();
    match e {
        AppError::NotFound { what, id } => (
            status,
            "找不到您要的内容",
            format!("没有找到{}“{id}”，或您的账号无权查看。", thing(what)),
            html! { "请检查编号，或" (back_home) "重新查找；查看自己的申报请先" a href="/signin" { "登录" } "。" },
        ),
        AppError::Token(why) => {
            (status, "请重新登录", why.clone(), html! { a.button href="/signin" { "去登录" } })
        }
        AppError::Unauthorized => (
            status,
            "请先登录",
            "此操作需要管理员令牌。".into(),
            html! { a.button href="/signin" { "去登录" } },
        ),
        AppError::Forbidden(why) => (
            status,
            "您的账号无权办理此事项",
            why.clone(),
            html! { "请换用有权限的账号" a href="/signin" { "登录" } "，或联系主管部门。" },
        ),
        AppError::Conflict(why) => {
            (status, "当前状态下不能这样办理", why.clone(), html! { "请刷新页面查看最新状态后再办理。" })
        }
        AppError::Invalid { message, .. } => {
            (status, "填写的内容有误", message.clone(), html! { "请返回上一页修改后重新提交。" })
        }
        AppError::Facts(errors) => (
            status,
            "填写的内容有误",
            errors
                .iter()
                .map(|f| format!("「{}」不合要求：应为 {}，收到 {}", f.field, f.expected, f.received))
                .collect::<Vec<_>>()
                .join("；"),
            html! { "请返回上一页修改后重新提交。" },
        ),
        AppError::BadJson { .. } | AppError::TooLarge { .. } => (
            status,
            "提交的内容无法读取",
            e.to_string(),
            html! { "请返回上一页重新填写；内容过多时请分次提交。" },
        ),
        AppError::Timeout { seconds } => (
            status,
            "处理超时",
            format!("请求处理超过 {seconds} 秒，已停止，未作任何改动。"),
            html! { "请稍后刷新重试。" },
        ),
        AppError::Unavailable(why) => {
            (status, "服务暂不可用", why.clone(), html! { "请稍后再试；持续出现请联系平台运维。" })
        }
        AppError::ReloadRefused(why) => (status, "政策库未更新", why.clone(), html! { "请联系平台运维。" }),
        AppError::Internal(_) => (
            status,
            "服务内部错误",
            e.to_string(),
            html! { "您的请求未被记录。请稍后重试，并把此页内容告知平台运维。" },
        ),
    }
}

impl PageError {
    /// What went wrong and what to do next, as a notice inside another page (a form shown again
    /// with the service's refusal above it).
    pub(crate) fn notice(&self) -> Markup {
        let (_, heading, what, next) = self.parts();
        html! {
            div.notice.error role="alert" {
                p { strong { (heading) } "：" (what) }
                p { (next) }
            }
        }
    }

    /// The status the page answers with.
    pub(crate) fn status(&self) -> StatusCode {
        self.parts().0
    }
}

/// `/signin?next=…`, for a page to come back to after signing in.
pub(crate) fn signin_url(next: &str) -> String {
    let query: String = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    format!("/signin?{query}")
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match &self {
            // A page that needs a sign-in sends the browser there, and back here after it.
            PageError::SignIn { next } => return crate::see_other(&signin_url(next)),
            PageError::App(AppError::Internal(what)) => tracing::error!(what, "page failed"),
            _ => {}
        }
        let (status, heading, what, next) = self.parts();
        let body = html! {
            h1 { (heading) }
            div.notice.error role="alert" {
                p { (what) }
                p { (next) }
            }
        };
        (status, layout::page(heading, None, "", body)).into_response()
    }
}
