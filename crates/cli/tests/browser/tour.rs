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
    Supervisor,
}

pub async fn every_page_at_both_widths(ctx: Arc<Ctx>) {
    let s = &ctx.server;
    let t = Tokens::new(s);
    let pages: Vec<(&str, String, As)> = vec![
        ("catalog", "/".to_owned(), As::Anyone),
        ("signin", "/signin".to_owned(), As::Anyone),
        ("supervision", "/supervision".to_owned(), As::Supervisor),
    ];
    let mut problems = Vec::new();
    for who in [As::Anyone, As::Supervisor] {
        let b = ctx.browser().await;
        match who {
            As::Anyone => {}
            As::Supervisor => flow::sign_in(&b, &t.supervisor).await,
        }
        for (name, path, _) in pages.iter().filter(|p| p.2 == who) {
            problems.extend(checks::page(&b, name, path).await);
        }
        b.close().await;
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
