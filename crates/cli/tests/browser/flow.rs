//! What scenarios share: signing in through the page as a person does, and claims brought to a
//! step through the API (for a scenario about a later step).

use serde_json::{json, Value};

use crate::driver::Browser;
use crate::server::{eligible_facts, Server};

/// The enterprise of the scenarios.
pub const CODE: &str = "91360702MA35D3E4FG";
/// The policy applied for: 即申即享, 区人社局's, paid by 章贡高新区管委会 for these facts.
pub const POLICY: &str = "rsj-25";
pub const DEPARTMENT: &str = "区人社局";
pub const PAYER: &str = "章贡高新区管委会";

/// The enterprise's bank details, given with its first application.
pub fn applicant() -> Value {
    json!({"name": "赣州示例人力资源有限公司", "bank": "中国银行赣州分行", "account": "6216000000000001"})
}

/// Signs in at `/signin` with `token` by pasting it into the form, as a person does (the value
/// set whole, as a paste does, rather than typed key by key: three seconds a token).
pub async fn sign_in(b: &Browser, token: &str) {
    b.goto("/signin").await;
    b.find("textarea#token").await;
    b.client
        .execute("document.getElementById('token').value = arguments[0]", vec![serde_json::json!(token)])
        .await
        .unwrap();
    b.find("main form button[type=submit]").await.click().await.unwrap();
    b.wait_text("已登录").await;
}

/// Tokens for each role of the scenarios.
pub struct Tokens {
    pub enterprise: String,
    pub reviewer: String,
    pub payer: String,
    pub supervisor: String,
    pub admin: String,
}

impl Tokens {
    pub fn new(s: &Server) -> Tokens {
        Tokens {
            enterprise: s.token(&["--role", "enterprise", "--uscc", CODE, "--name", "企业经办人"]),
            reviewer: s.token(&["--role", "reviewer", "--department", DEPARTMENT, "--name", "人社张三"]),
            payer: s.token(&["--role", "payer", "--payer", PAYER, "--name", "出纳王五"]),
            supervisor: s.token(&["--role", "supervisor", "--name", "督办李四"]),
            admin: s.token(&["--role", "admin", "--name", "财政管理员"]),
        }
    }
}

/// An application submitted through the API as the enterprise, then accepted by its reviewer:
/// waiting for the review decision. Returns the claim's id.
pub fn accepted_claim(s: &Server, t: &Tokens, enterprise_token: Option<&str>) -> i64 {
    let body = json!({"policy": POLICY, "facts": eligible_facts(POLICY), "enterprise": applicant()});
    let (status, claim) = s.api("POST", "/v1/claims", Some(enterprise_token.unwrap_or(&t.enterprise)), &body);
    assert!(status == 201 || status == 200, "{status} {claim}");
    let id = claim["id"].as_i64().unwrap();
    let (status, c) = s.api("POST", &format!("/v1/claims/{id}/accept"), Some(&t.reviewer), &Value::Null);
    assert_eq!(status, 200, "{c}");
    id
}

/// A claim approved through the API: returns (claim, payout).
pub fn approved_claim(s: &Server, t: &Tokens, enterprise_token: Option<&str>) -> (i64, i64) {
    let id = accepted_claim(s, t, enterprise_token);
    let (status, c) =
        s.api("POST", &format!("/v1/claims/{id}/review"), Some(&t.reviewer), &json!({"note": "材料齐全"}));
    assert_eq!(status, 200, "{c}");
    (id, c["payout"]["id"].as_i64().unwrap_or_else(|| panic!("no payout: {c}")))
}

/// The claim as the API shows it to `token`.
pub fn claim(s: &Server, token: &str, id: i64) -> Value {
    let (status, c) = s.api("GET", &format!("/v1/claims/{id}"), Some(token), &Value::Null);
    assert_eq!(status, 200, "{c}");
    c
}

/// An enterprise token for the `n`th made-up enterprise (a fresh history: no once-only rule
/// refuses a second application).
pub fn enterprise_token(s: &Server, n: u32) -> String {
    let body = format!("91360702MA{n:07}");
    let check = huiqi_screen::uscc::check_char(&body).unwrap();
    s.token(&["--role", "enterprise", "--uscc", &format!("{body}{check}"), "--name", "企业经办人"])
}

/// An amount as the API writes it (`"24000.00"`) as the pages must show it: `24,000.00元`.
pub fn yuan(amount: &str) -> String {
    let (whole, fen) = amount.split_once('.').unwrap_or((amount, "00"));
    let digits: Vec<char> = whole.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    format!("{out}.{fen:0<2}元")
}

/// Fills the facts form on the page with `facts` (JSON as the API takes it): yes/no by clicking
/// 是 or 否, a choice by choosing it, a number or text by typing it; a series' years each in
/// its own field (`营业收入[2025]`). Facts the form does not ask for are left out.
pub async fn fill_facts(b: &Browser, facts: &Value) {
    let mut answers = Vec::new();
    for (name, value) in facts.as_object().unwrap() {
        match value {
            Value::Object(years) => {
                for (year, v) in years {
                    answers.push((format!("{name}[{year}]"), v.clone()));
                }
            }
            v => answers.push((name.clone(), v.clone())),
        }
    }
    for (key, value) in answers {
        let name = key.replace('"', "\\\"");
        let css = format!("main form [name=\"{name}\"]:not([type=hidden])");
        let fields = b.client.find_all(fantoccini::Locator::Css(&css)).await.unwrap();
        let Some(first) = fields.first() else { continue };
        let tag = first.tag_name().await.unwrap();
        let kind = first.attr("type").await.unwrap().unwrap_or_default();
        match (tag.as_str(), kind.as_str(), &value) {
            ("input", "radio", Value::Bool(yes)) => {
                let word = if *yes { "是" } else { "否" };
                b.find(&format!("main form input[name=\"{name}\"][value=\"{word}\"]"))
                    .await
                    .click()
                    .await
                    .unwrap();
            }
            ("select", _, v) => {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                b.find(&format!("main form select[name=\"{name}\"] option[value=\"{text}\"]"))
                    .await
                    .click()
                    .await
                    .unwrap();
            }
            // A date field's typing order follows the browser's locale: its value is set as ISO.
            ("input", "date", v) => {
                let text = v.as_str().unwrap_or_default();
                b.client
                    .execute(
                        "arguments[0].value = arguments[1]",
                        vec![serde_json::to_value(first).unwrap(), json!(text)],
                    )
                    .await
                    .unwrap();
            }
            (_, _, v) => {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                first.clear().await.unwrap();
                first.send_keys(&text).await.unwrap();
            }
        }
    }
}
