//! The frame of every page: `lang="zh-CN"`, the viewport for phones, a skip link, the header
//! with its navigation and who is signed in, `<main id="main">`, and the footer.
//!
//! [`page`] is phone first (enterprise pages); [`desk`] is the same frame, wider (staff pages).

use huiqi_ledger::{Principal, Role};
use maud::{html, Markup, DOCTYPE};

/// How wide the main column may grow.
#[derive(Clone, Copy, PartialEq, Eq)]
#[allow(dead_code, reason = "`Desk` is for the staff pages under staff/")]
enum Width {
    Phone,
    Desk,
}

/// A page for enterprises, phone first. `here` is the path of the navigation entry to mark as
/// the current page (`"/"`, `"/calculator"`; any other value marks none).
pub(crate) fn page(title: &str, who: Option<&Principal>, here: &str, body: Markup) -> Markup {
    frame(title, who, here, Width::Phone, body)
}

/// A page for staff, laid out for a desk (1366 px) and still usable on a phone.
#[allow(dead_code, reason = "for the staff pages under staff/")]
pub(crate) fn desk(title: &str, who: Option<&Principal>, here: &str, body: Markup) -> Markup {
    frame(title, who, here, Width::Desk, body)
}

/// The navigation: everyone's pages, then the staff's for a staff sign-in. Which links show is a
/// convenience; what each page lets the caller do is decided by the ledger.
fn links(who: Option<&Principal>) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![("/", "一网查询"), ("/calculator", "政策计算器"), ("/claims", "我的申报")];
    let Some(who) = who else { return links };
    match who.role() {
        Role::Enterprise => {}
        Role::Window | Role::Reviewer => links.extend([("/desk", "审核台"), ("/playground", "政策试算")]),
        Role::Payer => links.push(("/pay", "兑付台")),
        Role::Supervisor => links.push(("/supervision", "督办")),
        Role::Admin => links.extend([
            ("/desk", "审核台"),
            ("/pay", "兑付台"),
            ("/supervision", "督办"),
            ("/playground", "政策试算"),
        ]),
    }
    if who.role().is_staff() {
        // Staff list claims on their desks; "我的申报" is the enterprise's.
        links.retain(|(path, _)| *path != "/claims" || who.role() == Role::Window);
    }
    links
}

/// Who is signed in, in words: `赣州示例（企业 91360702…）`, `张三（审核员·区工信局）`.
pub(crate) fn who_words(who: &Principal) -> String {
    let scope = who.uscc().or(who.department()).or(who.payer());
    match scope {
        Some(scope) if who.role() == Role::Enterprise => format!("{}（企业 {scope}）", who.who()),
        Some(scope) => format!("{}（{}·{scope}）", who.who(), who.role().word()),
        None => format!("{}（{}）", who.who(), who.role().word()),
    }
}

fn frame(title: &str, who: Option<&Principal>, here: &str, width: Width, body: Markup) -> Markup {
    let main_class = match width {
        Width::Phone => "phone",
        Width::Desk => "desk",
    };
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 章贡区惠企政策兑现" }
                link rel="stylesheet" href=(crate::assets::url("huiqi.css"));
                // No icon file: an empty one, so the browser does not ask for /favicon.ico (a 404).
                link rel="icon" href="data:,";
            }
            body {
                a.skip href="#main" { "跳到正文" }
                header.site {
                    div.bar {
                        a.brand href="/" { "章贡区惠企政策兑现" }
                        nav aria-label="主导航" {
                            ul {
                                @for (path, name) in links(who) {
                                    li {
                                        a href=(path) aria-current=[(path == here).then_some("page")] { (name) }
                                    }
                                }
                            }
                        }
                        div.who {
                            @if let Some(who) = who {
                                span { "已登录：" (who_words(who)) }
                                form method="post" action="/signout" {
                                    button type="submit" { "退出" }
                                }
                            } @else {
                                a href="/signin" { "登录" }
                            }
                        }
                    }
                }
                main id="main" class=(main_class) tabindex="-1" {
                    (body)
                }
                footer {
                    p {
                        "章贡区惠企政策兑现平台。政策解释以主管部门为准；金额由政策文件经规则引擎计算，精确到分。"
                    }
                    p { a href="/openapi.json" { "接口文档（供平台对接）" } }
                }
            }
        }
    }
}
