//! The enterprise's pages: 一网查询, 办事指南 and 算一算, 政策计算器, 申报 and 进度查询.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::flow::{self, Tokens};
use crate::server::{eligible_facts, TODAY};
use crate::Ctx;

/// The catalog searched for a condition's words finds the policy, and its page opens.
pub async fn search_the_catalog_and_open_a_policy(ctx: Arc<Ctx>) {
    let b = ctx.browser().await;
    b.goto("/").await;
    b.find("#q").await.send_keys("劳务派遣").await.unwrap();
    b.click_and_wait("main form button[type=submit]").await;
    assert!(b.client.current_url().await.unwrap().as_str().contains("q="), "a search is a link");
    let text = b.text().await;
    assert!(text.contains("中介机构劳务派遣补贴") && text.contains(flow::DEPARTMENT), "{text}");
    b.click_and_wait(&format!("a[href='/policies/{}']", flow::POLICY)).await;
    let text = b.wait_text("办事指南").await;
    assert!(text.contains("中介机构劳务派遣补贴") && text.contains("算一算"), "{text}");
    b.close().await;
}

/// 算一算 on the policy's page, filled with the library's own eligible facts, shows the amount
/// `POST /v1/evaluate` gives for the same facts, to the 分.
pub async fn the_policy_form_shows_the_engines_amount(ctx: Arc<Ctx>) {
    let facts = eligible_facts(flow::POLICY);
    let body = json!({"facts": facts, "as_of": TODAY, "policies": [flow::POLICY]});
    let (status, api) = ctx.server.api("POST", "/v1/evaluate", None, &body);
    assert_eq!(status, 200, "{api}");
    let amount = api["decisions"][0]["amount"].as_str().unwrap().to_owned();
    let b = ctx.browser().await;
    b.goto(&format!("/policies/{}", flow::POLICY)).await;
    flow::fill_facts(&b, &facts).await;
    b.click_and_wait("#try form button[type=submit]").await;
    let result = b.js("return document.getElementById('result').innerText").await;
    let result = result.as_str().unwrap();
    assert!(result.contains("符合"), "{result}");
    assert!(
        result.contains(&flow::yuan(&amount)),
        "the engine's {amount} as {}:\n{result}",
        flow::yuan(&amount)
    );
    b.close().await;
}

/// An enterprise that fits many policies: the facts of each policy's first eligible test case
/// on [`TODAY`], merged (the first value of a fact wins).
fn profile() -> Value {
    let mut merged = serde_json::Map::new();
    let mut files: Vec<_> = std::fs::read_dir(crate::server::root().join("policies"))
        .unwrap()
        .flatten()
        .filter(|d| d.path().is_dir())
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten().map(|f| f.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.json"))
        .collect();
    files.sort();
    for file in files {
        let cases: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let policy = file.file_name().unwrap().to_string_lossy().trim_end_matches(".test.json").to_owned();
        let case = cases["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["as_of"] == TODAY && c["expect"][&policy]["outcome"] == "eligible");
        for (k, v) in case.and_then(|c| c["facts"].as_object()).into_iter().flatten() {
            merged.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Value::Object(merged)
}

/// The calculator, answered from [`profile`] where it asks (the rest left blank), reaches a
/// total, and the total is what `/v1/evaluate` gives on the answers the page's URL keeps.
pub async fn the_calculator_reaches_a_total(ctx: Arc<Ctx>) {
    let facts = profile();
    let b = ctx.browser().await;
    b.goto("/calculator").await;
    let mut steps = 0;
    loop {
        let asked = b
            .js("const f = document.querySelector('main form.card'); return f ? Array.from(new Set(Array.from(f.querySelectorAll('input:not([type=hidden]), select')).map(e => e.name))) : null")
            .await;
        let Some(asked) = asked.as_array() else { break };
        // This step's questions answered from the facts; the others left blank (not asked again).
        let mut answers = serde_json::Map::new();
        for key in asked.iter().filter_map(Value::as_str) {
            let (name, year) = match key.strip_suffix(']').and_then(|k| k.split_once('[')) {
                Some((n, y)) => (n, Some(y)),
                None => (key, None),
            };
            let value = match year {
                Some(y) => facts.get(name).and_then(|s| s.get(y)),
                None => facts.get(name),
            };
            if let Some(v) = value {
                let entry = answers.entry(name.to_owned());
                match year {
                    Some(y) => {
                        entry.or_insert_with(|| json!({}))[y] = v.clone();
                    }
                    None => {
                        entry.or_insert(v.clone());
                    }
                }
            }
        }
        flow::fill_facts(&b, &Value::Object(answers)).await;
        b.click_and_wait("main form.card button[type=submit]").await;
        steps += 1;
        assert!(steps < 60, "the calculator kept asking");
    }
    let text = b.text().await;
    assert!(text.contains("可以享受的政策"), "no eligible policy after {steps} steps:\n{text}");
    let total = b
        .js("const t = document.querySelectorAll('#ok-h ~ p.total .amount'); return t.length ? t[t.length - 1].innerText : null")
        .await;
    let total = total.as_str().unwrap_or_else(|| panic!("no total:\n{text}")).to_owned();
    // The answers are the page's URL: the same facts to the API.
    let url = b.client.current_url().await.unwrap();
    let mut given = serde_json::Map::new();
    for (k, v) in url.query_pairs() {
        if matches!(k.as_ref(), "skip" | "asked") || v.is_empty() {
            continue;
        }
        let key = k.to_string();
        let value = match v.as_ref() {
            "是" => json!(true),
            "否" => json!(false),
            other => json!(other),
        };
        match key.strip_suffix(']').and_then(|k| k.split_once('[')) {
            Some((name, year)) => {
                given.entry(name.to_owned()).or_insert_with(|| json!({}))[year] = value;
            }
            None => {
                given.insert(key, value);
            }
        }
    }
    let (status, api) =
        ctx.server.api("POST", "/v1/evaluate", None, &json!({"facts": given, "as_of": TODAY}));
    assert_eq!(status, 200, "{api}");
    let sum: rust_decimal::Decimal = api["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["outcome"] == "eligible")
        .map(|d| d["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert_eq!(total, flow::yuan(&format!("{sum:.2}")), "after {steps} steps");
    b.close().await;
}

/// The enterprise signs in, tries the policy, applies from the answer, and follows its claim.
pub async fn apply_and_follow_the_claim(ctx: Arc<Ctx>) {
    let t = Tokens::new(&ctx.server);
    let b = ctx.browser().await;
    flow::sign_in(&b, &t.enterprise).await;
    b.goto(&format!("/policies/{}", flow::POLICY)).await;
    flow::fill_facts(&b, &eligible_facts(flow::POLICY)).await;
    b.click_and_wait("#try form button[type=submit]").await;
    // 按以上情况申报: the answers carried over into the application form.
    b.click_and_wait("#result a.button").await;
    b.wait_text("申报企业").await;
    let a = flow::applicant();
    for field in ["name", "bank", "account"] {
        b.find(&format!("#{field}")).await.send_keys(a[field].as_str().unwrap()).await.unwrap();
    }
    b.click_and_wait("main form[action^='/apply/'] button[type=submit]").await;
    let text = b.wait_text("申报进度").await;
    let url = b.client.current_url().await.unwrap();
    let id: i64 =
        url.path().strip_prefix("/claims/").and_then(|i| i.parse().ok()).unwrap_or_else(|| panic!("{url}"));
    *ctx.claim.lock().unwrap() = Some(id);
    assert!(text.contains("已提交") && text.contains("下一步"), "{text}");
    // 进度查询 says what the API says.
    let c = flow::claim(&ctx.server, &t.enterprise, id);
    assert_eq!(c["state"], "submitted", "{c}");
    assert!(text.contains(c["next"]["step"].as_str().unwrap()), "{text}");
    assert!(text.contains(&flow::yuan(c["amount"].as_str().unwrap())), "{text}");
    // The enterprise's own list has it.
    b.goto("/claims").await;
    b.find(&format!("a[href='/claims/{id}']")).await;
    b.close().await;
}

/// After the desk approved and the payer paid, the enterprise's 进度查询 says 已兑付.
pub async fn the_enterprise_sees_it_paid(ctx: Arc<Ctx>) {
    let t = Tokens::new(&ctx.server);
    let id = ctx.claim.lock().unwrap().expect("the claim of apply_and_follow_the_claim");
    let b = ctx.browser().await;
    flow::sign_in(&b, &t.enterprise).await;
    b.goto(&format!("/claims/{id}")).await;
    let text = b.wait_text("当前状态").await;
    assert!(text.contains("已兑付"), "{text}");
    assert!(text.contains("BANK-PAGE-0001"), "the bank's reference:\n{text}");
    assert_eq!(flow::claim(&ctx.server, &t.enterprise, id)["state"], "paid");
    b.close().await;
}
