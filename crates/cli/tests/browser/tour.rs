//! Every page, at 390 px and at 1366 px, as the role that uses it: no sideways scrolling, no
//! console errors, every input labelled; a screenshot of each under `target/screenshots/`.
//! Runs last, so the ledger has claims in every state to show.

use std::sync::Arc;

use crate::flow::{self, Tokens};
use crate::{checks, Ctx};

/// Who looks at a page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum As {
    Anyone,
    Enterprise,
    Reviewer,
    Payer,
    Supervisor,
}

pub async fn every_page_at_both_widths(ctx: Arc<Ctx>) {
    let s = &ctx.server;
    let t = Tokens::new(s);
    // A claim waiting for review, to show the review form.
    let owner = flow::enterprise_token(s, 901);
    let waiting = flow::accepted_claim(s, &t, Some(&owner));
    let policy = flow::POLICY;
    // 算一算 answered: the page with its result.
    let facts = crate::server::eligible_facts(policy);
    let mut answers: Vec<(String, String)> = vec![("try".into(), "1".into())];
    for (k, v) in facts.as_object().unwrap() {
        let word = |v: &serde_json::Value| match v {
            serde_json::Value::Bool(true) => "是".to_owned(),
            serde_json::Value::Bool(false) => "否".to_owned(),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match v.as_object() {
            Some(years) => answers.extend(years.iter().map(|(y, v)| (format!("{k}[{y}]"), word(v)))),
            None => answers.push((k.clone(), word(v))),
        }
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&answers).finish();
    // The claim followed through the scenarios, else the one just made (and its enterprise).
    let followed = *ctx.claim.lock().unwrap();
    let (claim, enterprise) = match followed {
        Some(id) => (id, t.enterprise.clone()),
        None => (waiting, owner.clone()),
    };
    let pages: Vec<(&str, String, As)> = vec![
        ("catalog", "/".to_owned(), As::Anyone),
        ("catalog-search", "/?q=%E8%A1%A5%E8%B4%B4".to_owned(), As::Anyone),
        ("policy", format!("/policies/{policy}"), As::Anyone),
        ("policy-answer", format!("/policies/{policy}?{query}"), As::Anyone),
        ("calculator", "/calculator".to_owned(), As::Anyone),
        ("signin", "/signin".to_owned(), As::Anyone),
        ("apply", format!("/apply/{policy}"), As::Enterprise),
        ("claims", "/claims".to_owned(), As::Enterprise),
        ("claim", format!("/claims/{claim}"), As::Enterprise),
        ("desk", "/desk".to_owned(), As::Reviewer),
        ("desk-claim", format!("/desk/claims/{waiting}"), As::Reviewer),
        ("pay", "/pay".to_owned(), As::Payer),
        ("pay-paid", "/pay?state=paid".to_owned(), As::Payer),
        ("playground", format!("/playground?policy={}", flow::POLICY), As::Reviewer),
        ("supervision", "/supervision".to_owned(), As::Supervisor),
    ];
    let mut problems = Vec::new();
    for who in [As::Anyone, As::Enterprise, As::Reviewer, As::Payer, As::Supervisor] {
        let b = ctx.browser().await;
        match who {
            As::Anyone => {}
            As::Enterprise => flow::sign_in(&b, &enterprise).await,
            As::Reviewer => flow::sign_in(&b, &t.reviewer).await,
            As::Payer => flow::sign_in(&b, &t.payer).await,
            As::Supervisor => flow::sign_in(&b, &t.supervisor).await,
        }
        for (name, path, _) in pages.iter().filter(|p| p.2 == who) {
            problems.extend(checks::page(&b, name, path).await);
        }
        b.close().await;
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
