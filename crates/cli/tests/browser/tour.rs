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
    Reviewer,
    Payer,
    Supervisor,
}

pub async fn every_page_at_both_widths(ctx: Arc<Ctx>) {
    let s = &ctx.server;
    let t = Tokens::new(s);
    // A claim waiting for review, to show the review form.
    let waiting = flow::accepted_claim(s, &t, Some(&flow::enterprise_token(s, 901)));
    let pages: Vec<(&str, String, As)> = vec![
        ("catalog", "/".to_owned(), As::Anyone),
        ("signin", "/signin".to_owned(), As::Anyone),
        ("desk", "/desk".to_owned(), As::Reviewer),
        ("desk-claim", format!("/desk/claims/{waiting}"), As::Reviewer),
        ("pay", "/pay".to_owned(), As::Payer),
        ("pay-paid", "/pay?state=paid".to_owned(), As::Payer),
        ("playground", format!("/playground?policy={}", flow::POLICY), As::Reviewer),
        ("supervision", "/supervision".to_owned(), As::Supervisor),
    ];
    let mut problems = Vec::new();
    for who in [As::Anyone, As::Reviewer, As::Payer, As::Supervisor] {
        let b = ctx.browser().await;
        match who {
            As::Anyone => {}
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
