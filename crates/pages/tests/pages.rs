//! The pages through the service's router, in-process: the engine's amounts on the policy page
//! for every golden case, a claim made on a page seen through the API, the calculator reaching a
//! total, role refusals, labels, and what a page answer carries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod support;

use axum::http::StatusCode;
use serde_json::{json, Value};
use support::*;

/// The decision part of a policy page: between the result and the form.
fn result_of(page: &str) -> &str {
    let start = page.find("id=\"result\"").unwrap_or_else(|| panic!("no result: {page}"));
    let end = page.find("id=\"try\"").unwrap();
    &page[start..end]
}

fn word(outcome: &str) -> &'static str {
    match outcome {
        "eligible" => "符合",
        "ineligible" => "不符合",
        "undetermined" => "待补充数据",
        "pending_review" => "待审核",
        "not_payable" => "不予兑付",
        _ => "计算错误",
    }
}

#[tokio::test]
async fn the_policy_page_shows_the_engines_amount_for_every_golden_case() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&format!("sqlite://{}/huiqi.db", dir.path().display()));
    // A known golden case, with its expected amount as the golden file states it.
    let (policy, case) = golden_cases()
        .into_iter()
        .find(|(p, c)| p == "gxj-02" && c["expect"]["gxj-02"]["outcome"] == "eligible")
        .unwrap();
    let mut query = vec![("try".to_owned(), "1".to_owned())];
    query.extend(form_of(&case["facts"]));
    let url = format!("/policies/{policy}?{}", serde_urlencoded::to_string(&query).unwrap());
    let (status, _, page) = get(&app, &url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(case["expect"]["gxj-02"]["amount"], "50000.00");
    assert!(result_of(&page).contains("50,000.00元") && result_of(&page).contains(">符合<"), "{page}");
    assert!(result_of(&page).contains("章贡高新区管委会"));
    assert_labelled(&page, "/policies/gxj-02");
    let (_, _, signin) = get(&app, "/signin", None).await;
    assert_labelled(&signin, "/signin");

    // Every golden case on the service's date without prior awards: the page says what
    // `POST /v1/evaluate` says for the facts a form can give (a `null` is an empty field; the
    // review results are the department's, so the form leaves them out: 待审核).
    let mut compared = 0;
    for (policy, case) in golden_cases() {
        if case["as_of"] != TODAY || case.get("prior_awards").is_some_and(|p| !p.is_null()) {
            continue;
        }
        let mut facts = without_nulls(&case["facts"]);
        let (_, guide) = api(&app, "GET", &format!("/v1/policies/{policy}"), None, &Value::Null).await;
        for review in guide["reviews"].as_array().unwrap() {
            facts.as_object_mut().unwrap().remove(review["fact"].as_str().unwrap());
        }
        let (status, answer) = api(
            &app,
            "POST",
            "/v1/evaluate",
            None,
            &json!({"facts": facts, "as_of": TODAY, "policies": [policy]}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{policy}: {answer}");
        let decision = &answer["decisions"][0];
        let mut query = vec![("try".to_owned(), "1".to_owned())];
        query.extend(form_of(&facts));
        let url = format!("/policies/{policy}?{}", serde_urlencoded::to_string(&query).unwrap());
        let (status, _, page) = get(&app, &url, None).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        let shown = result_of(&page);
        let outcome = decision["outcome"].as_str().unwrap();
        assert!(
            shown.contains(&format!(">{}<", word(outcome))),
            "{policy} {}: {outcome}\n{shown}",
            case["name"]
        );
        if let Some(amount) = decision["amount"].as_str() {
            let yuan = huiqi_pages::yuan(amount.parse().unwrap());
            assert!(shown.contains(&yuan), "{policy} {}: {yuan}\n{shown}", case["name"]);
        }
        for m in decision["missing"].as_array().unwrap() {
            assert!(shown.contains(m["department"].as_str().unwrap()), "{policy}: {m}");
        }
        compared += 1;
    }
    assert!(compared > 100, "only {compared} golden cases compared");
}

#[tokio::test]
async fn the_catalog_searches_and_filters_without_javascript() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&format!("sqlite://{}/huiqi.db", dir.path().display()));
    let (status, headers, all) = get(&app, "/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(all.contains("lang=\"zh-CN\"") && all.contains("href=\"#main\"") && !all.contains("<script"));
    assert!(all.contains("入规上户奖励") && all.contains("奖励50,000.00元"), "{all}");
    assert_labelled(&all, "/");
    let q = serde_urlencoded::to_string([("q", "规上"), ("department", "区工信局"), ("mode", "免申即享")])
        .unwrap();
    let (_, _, some) = get(&app, &format!("/?{q}"), None).await;
    assert!(some.contains("/policies/gxj-02\"") && !some.contains("/policies/rsj-25\""), "{some}");
    // The channel narrows what the API's search found.
    let q = serde_urlencoded::to_string([("channel", "窗口受理、线上兑付"), ("q", "入规")]).unwrap();
    let (_, _, none) = get(&app, &format!("/?{q}"), None).await;
    assert!(!none.contains("/policies/gxj-02\""), "gxj-02 is 全程网办");
    // An unknown page is a page; an unknown endpoint is the API's JSON.
    let (status, _, missing) = get(&app, "/nowhere", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(missing.contains("找不到") && missing.contains("回到一网查询"));
    let (status, body) = api(&app, "GET", "/v1/nowhere", None, &Value::Null).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, _, _) = get(&app, "/policies/nope-99", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_stylesheet_is_versioned_cached_and_pages_are_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&format!("sqlite://{}/huiqi.db", dir.path().display()));
    let (_, _, page) = get(&app, "/", None).await;
    let href = page.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(href.starts_with("/static/huiqi.css?v=") && href.len() > "/static/huiqi.css?v=".len() + 8);
    let (status, headers, css) = get(&app, href, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["cache-control"].to_str().unwrap().contains("max-age=31536000"));
    assert!(css.contains("font-size: 112.5%"));
    let request =
        axum::http::Request::get("/").header("accept-encoding", "gzip").body(axum::body::Body::empty());
    let (_, headers, _) = send(&app, request.unwrap()).await;
    assert_eq!(headers["content-encoding"], "gzip");
}

/// Runs `test` on the service over each ledger. The ledger is opened and closed outside the
/// async runtime: the PostgreSQL client runs a runtime of its own to connect and to hang up.
fn on_each_ledger<F: std::future::Future<Output = ()>>(name: &str, test: impl Fn(axum::Router) -> F) {
    for (db, _keep) in ledgers(name) {
        let app = app(&db);
        tokio::runtime::Runtime::new().unwrap().block_on(test(app.clone()));
        drop(app);
    }
}

#[test]
fn a_claim_made_on_the_page_is_the_apis_and_its_progress_shows() {
    on_each_ledger("apply", claim_on_the_page);
}

async fn claim_on_the_page(app: axum::Router) {
    {
        let me = token("enterprise", Some(CODE));
        // Signed out: sent to sign in, and back.
        let (status, headers, _) = get(&app, "/apply/gxj-02", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/signin?next=%2Fapply%2Fgxj-02");
        // Signing in keeps the token in an HttpOnly, SameSite=Strict cookie.
        let form = [("token".to_owned(), me.clone()), ("next".to_owned(), "/apply/gxj-02".to_owned())];
        let (status, headers, _) = post_form(&app, "/signin", None, &form).await;
        assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/apply/gxj-02"));
        let cookie = headers["set-cookie"].to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains(&me));
        let (status, _, form_page) = get(&app, "/apply/gxj-02", Some(&me)).await;
        assert_eq!(status, StatusCode::OK);
        assert_labelled(&form_page, "/apply/gxj-02");
        let key =
            form_page.split("name=\"key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();

        let (_, case) = golden_cases()
            .into_iter()
            .find(|(p, c)| p == "gxj-02" && c["expect"]["gxj-02"]["outcome"] == "eligible")
            .unwrap();
        let mut form = form_of(&case["facts"]);
        form.extend([
            ("key".to_owned(), key.clone()),
            ("name".to_owned(), "赣州示例".to_owned()),
            ("bank".to_owned(), "中国银行赣州分行".to_owned()),
            ("account".to_owned(), "6216000000000001".to_owned()),
        ]);
        let (status, headers, body) = post_form(&app, "/apply/gxj-02", Some(&me), &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let location = headers["location"].to_str().unwrap().to_owned();
        let id: i64 = location.strip_prefix("/claims/").unwrap().parse().unwrap();
        // The same form sent again (a double click) is the same claim.
        let (_, again, _) = post_form(&app, "/apply/gxj-02", Some(&me), &form).await;
        assert_eq!(again["location"].to_str().unwrap(), location);

        // Through the API, as the enterprise: the claim, decided by the engine.
        let (status, claim) = api(&app, "GET", &format!("/v1/claims/{id}"), Some(&me), &Value::Null).await;
        assert_eq!(status, StatusCode::OK, "{claim}");
        assert_eq!((claim["policy"].as_str(), claim["amount"].as_str()), (Some("gxj-02"), Some("50000.00")));
        assert_eq!(claim["enterprise"]["uscc"], CODE);
        let (_, list) = api(&app, "GET", "/v1/claims", Some(&me), &Value::Null).await;
        assert_eq!(list["claims"].as_array().unwrap().len(), 1);

        // 进度查询 on the page.
        let (status, _, progress) = get(&app, &location, Some(&me)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            progress.contains("已提交") && progress.contains("50,000.00元") && progress.contains("下一步"),
            "{progress}"
        );
        let (_, _, mine) = get(&app, "/claims", Some(&me)).await;
        assert!(mine.contains(&format!("href=\"{location}\"")));

        // Accepted, reviewed and approved by 区工信局, paid by the park: the page says 已兑付.
        let window = token("window", None);
        let gxj = token("reviewer", Some("区工信局"));
        let (status, _) =
            api(&app, "POST", &format!("/v1/claims/{id}/accept"), Some(&window), &Value::Null).await;
        assert_eq!(status, StatusCode::OK);
        let review = json!({"facts": {}, "note": "数据核对无误"});
        let (status, claim) =
            api(&app, "POST", &format!("/v1/claims/{id}/review"), Some(&gxj), &review).await;
        assert_eq!((status, claim["state"].as_str()), (StatusCode::OK, Some("payout_pushed")), "{claim}");
        let (_, _, progress) = get(&app, &location, Some(&me)).await;
        assert!(progress.contains("已推送兑付") && !progress.contains("已兑付<"), "{progress}");
        let payout = claim["payout"]["id"].as_i64().unwrap();
        let park = token("payer", Some("章贡高新区管委会"));
        let paid = json!({"paid_on": "2026-11-27", "reference": "BANK-0001"});
        let (status, _) = api(&app, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&park), &paid).await;
        assert_eq!(status, StatusCode::OK);
        let (_, _, progress) = get(&app, &location, Some(&me)).await;
        assert!(progress.contains("已兑付</span> <span class=\"amount\">50,000.00元"), "{progress}");
        assert!(
            progress.contains("2026-11-27 由章贡高新区管委会兑付") && progress.contains("BANK-0001"),
            "{progress}"
        );

        // The window applies for another enterprise; 区工信局 rejects it with a reason, and that
        // enterprise reads the reason on its page.
        let other = token("enterprise", Some(OTHER));
        let mut for_other = form_of(&case["facts"]);
        for_other.extend([
            ("uscc".to_owned(), OTHER.to_owned()),
            ("name".to_owned(), "赣州另一家".to_owned()),
            ("bank".to_owned(), "中国银行赣州分行".to_owned()),
            ("account".to_owned(), "6216000000000002".to_owned()),
        ]);
        let (status, headers, body) = post_form(&app, "/apply/gxj-02", Some(&window), &for_other).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let theirs = headers["location"].to_str().unwrap().to_owned();
        let other_id = theirs.strip_prefix("/claims/").unwrap();
        let accept = format!("/v1/claims/{other_id}/accept");
        assert_eq!(api(&app, "POST", &accept, Some(&window), &Value::Null).await.0, StatusCode::OK);
        let reason = json!({"reason": "经核查，入规年度与统计局名录不符"});
        let (status, _) =
            api(&app, "POST", &format!("/v1/claims/{other_id}/reject"), Some(&gxj), &reason).await;
        assert_eq!(status, StatusCode::OK);
        let (_, _, progress) = get(&app, &theirs, Some(&other)).await;
        assert!(
            progress.contains("驳回理由") && progress.contains("经核查，入规年度与统计局名录不符"),
            "{progress}"
        );
    }
}

#[test]
fn roles_are_the_ledgers() {
    on_each_ledger("roles", roles);
}

async fn roles(app: axum::Router) {
    {
        let me = token("enterprise", Some(CODE));
        let other = token("enterprise", Some(OTHER));
        let payer = token("payer", Some("区行政审批局"));
        let window = token("window", None);
        let (_, case) = golden_cases()
            .into_iter()
            .find(|(p, c)| p == "gxj-02" && c["expect"]["gxj-02"]["outcome"] == "eligible")
            .unwrap();
        let mut form = form_of(&case["facts"]);
        form.extend([
            ("name".to_owned(), "赣州示例".to_owned()),
            ("bank".to_owned(), "中国银行赣州分行".to_owned()),
            ("account".to_owned(), "6216000000000001".to_owned()),
        ]);
        // A payer may not apply: the ledger refuses, the form says so, nothing is recorded.
        let mut as_payer = form.clone();
        as_payer.push(("uscc".to_owned(), CODE.to_owned()));
        let (status, _, page) = post_form(&app, "/apply/gxj-02", Some(&payer), &as_payer).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(page.contains("无权") && page.contains("<form"), "{page}");
        // The window applies for the enterprise it names.
        let (status, headers, body) = post_form(&app, "/apply/gxj-02", Some(&window), &as_payer).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let location = headers["location"].to_str().unwrap().to_owned();
        let (_, claim) = api(&app, "GET", &format!("/v1{location}"), Some(&me), &Value::Null).await;
        assert_eq!(
            (claim["enterprise"]["uscc"].as_str(), claim["channel"].as_str()),
            (Some(CODE), Some("window"))
        );
        // Another enterprise does not see it: 404, as if it did not exist.
        let (status, _, page) = get(&app, &location, Some(&other)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(page.contains("无权查看") || page.contains("没有找到"), "{page}");
        let (_, _, theirs) = get(&app, "/claims", Some(&other)).await;
        assert!(!theirs.contains(&location));
        // A bad token is refused at sign-in with the reason, and no cookie.
        let form = [("token".to_owned(), "not-a-token".to_owned())];
        let (status, headers, page) = post_form(&app, "/signin", None, &form).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers.get("set-cookie").is_none() && page.contains("登录未成功"));
        // A form posted from another site is refused before anything is done.
        let request = axum::http::Request::post("/apply/gxj-02")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("huiqi_token={me}"))
            .header("sec-fetch-site", "cross-site")
            .body(axum::body::Body::from(serde_urlencoded::to_string(&form).unwrap()))
            .unwrap();
        let (status, _, _) = send(&app, request).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Signing out forgets the cookie.
        let (status, headers, _) = post_form(&app, "/signout", Some(&me), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    }
}

#[tokio::test]
async fn the_calculator_asks_the_weightiest_facts_first_and_reaches_a_total() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&format!("sqlite://{}/huiqi.db", dir.path().display()));
    let (status, _, first) = get(&app, "/calculator", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_labelled(&first, "/calculator");
    // The joint review decides every policy's money, so it is asked first.
    assert!(first.contains("name=\"失信记录\""), "{first}");
    // gxj-02's eligible facts answered: it is eligible, and the total is its amount.
    let (_, case) = golden_cases()
        .into_iter()
        .find(|(p, c)| p == "gxj-02" && c["expect"]["gxj-02"]["outcome"] == "eligible")
        .unwrap();
    let q = serde_urlencoded::to_string(form_of(&case["facts"])).unwrap();
    let (status, _, page) = get(&app, &format!("/calculator?{q}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, answer) =
        api(&app, "POST", "/v1/evaluate", None, &json!({"facts": case["facts"], "as_of": TODAY})).await;
    let total: rust_decimal::Decimal = answer["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["outcome"] == "eligible")
        .map(|d| d["amount"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    assert!(total >= rust_decimal::Decimal::from(50000));
    assert!(
        page.contains(&format!("合计 <span class=\"amount\">{}</span>", huiqi_pages::yuan(total))),
        "{page}"
    );
    assert!(page.contains("/policies/gxj-02\""));
    // The answers ride along in the page, not on the server.
    assert!(page.contains("type=\"hidden\" name=\"注册区县\" value=\"章贡区\""), "{page}");
    // A question left blank is not asked again.
    let (_, _, skipped) = get(&app, "/calculator?asked=%E5%A4%B1%E4%BF%A1%E8%AE%B0%E5%BD%95", None).await;
    assert!(!skipped.contains("name=\"失信记录\" value=\"是\""), "失信记录 asked again");
}

#[test]
fn a_claim_sent_back_is_corrected_and_sent_again_on_its_page() {
    on_each_ledger("resubmit", resubmit_on_the_page);
}

async fn resubmit_on_the_page(app: axum::Router) {
    let me = token("enterprise", Some(CODE));
    let window = token("window", None);
    let gxj = token("reviewer", Some("区工信局"));
    let (_, case) = golden_cases()
        .into_iter()
        .find(|(p, c)| p == "gxj-02" && c["expect"]["gxj-02"]["outcome"] == "eligible")
        .unwrap();
    let facts = without_nulls(&case["facts"]);
    let body = json!({
        "policy": "gxj-02",
        "facts": facts,
        "enterprise": {"name": "赣州示例", "bank": "中国银行赣州分行", "account": "6216000000000001"},
    });
    let (status, claim) = api(&app, "POST", "/v1/claims", Some(&me), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{claim}");
    let id = claim["id"].as_i64().unwrap();
    let page = format!("/claims/{id}/resubmit");
    // Nothing to correct yet: the page says so and changes nothing.
    let (status, _, said) = get(&app, &page, Some(&me)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{said}");
    assert!(said.contains("没有待补正的内容"), "{said}");

    assert_eq!(
        api(&app, "POST", &format!("/v1/claims/{id}/accept"), Some(&window), &Value::Null).await.0,
        StatusCode::OK
    );
    let why = json!({"reason": "请更正上年营业收入，与统计局数据不一致"});
    let (status, sent_back) =
        api(&app, "POST", &format!("/v1/claims/{id}/request-correction"), Some(&gxj), &why).await;
    assert_eq!(status, StatusCode::OK, "{sent_back}");

    // The progress page gives the reason and the way to correct it.
    let (_, _, progress) = get(&app, &format!("/claims/{id}"), Some(&me)).await;
    assert!(
        progress.contains("请更正上年营业收入") && progress.contains(&format!("href=\"{page}\"")),
        "{progress}"
    );
    // The form is filled with what was submitted, every input labelled.
    let (status, _, form_page) = get(&app, &page, Some(&me)).await;
    assert_eq!(status, StatusCode::OK, "{form_page}");
    assert_labelled(&form_page, &page);
    for (key, value) in form_of(&facts) {
        if value != "是" && value != "否" {
            assert!(
                form_page.contains(&format!("value=\"{value}\"")),
                "{key} = {value} not filled in: {form_page}"
            );
        }
    }
    // Another enterprise cannot see it; a reviewer may not send it again.
    let other = token("enterprise", Some(OTHER));
    assert_eq!(get(&app, &page, Some(&other)).await.0, StatusCode::NOT_FOUND);
    let (status, _, refused) = post_form(&app, &page, Some(&gxj), &form_of(&facts)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    // Sent again: decided afresh, back in the department's hands.
    let (status, headers, body) = post_form(&app, &page, Some(&me), &form_of(&facts)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers["location"].to_str().unwrap(), format!("/claims/{id}"));
    let (_, claim) = api(&app, "GET", &format!("/v1/claims/{id}"), Some(&me), &Value::Null).await;
    assert_eq!(claim["state"], "submitted", "{claim}");
    assert_eq!(claim["amount"], "50000.00");
    let steps: Vec<&str> =
        claim["timeline"].as_array().unwrap().iter().filter_map(|t| t["state"].as_str()).collect();
    assert_eq!(steps, ["submitted", "accepted", "correction_requested", "submitted"]);
}
