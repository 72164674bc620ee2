//! What every page must pass, at a phone's width (390 px) and a desk's (1366 px): no
//! horizontal scrolling, nothing on the console at error level, a label for every input, select
//! and textarea; and a screenshot of each for review, under `target/screenshots/`.

use std::path::PathBuf;

use crate::driver::Browser;

/// The widths every page is looked at.
pub const WIDTHS: [u32; 2] = [390, 1366];

/// Where screenshots go: `target/screenshots/` of the workspace (or `CARGO_TARGET_DIR`).
pub fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| crate::server::root().join("target"), PathBuf::from);
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The elements wider than the viewport, for a message that says what overflows.
const OVERFLOW: &str = r#"
const doc = document.documentElement;
if (doc.scrollWidth <= doc.clientWidth) return null;
const wide = [];
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.right > doc.clientWidth + 1 && r.width > 0) {
    wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
      ' (right ' + Math.round(r.right) + ')');
  }
}
return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 8)};
"#;

/// Inputs, selects and textareas without a label: neither an associated `<label>` (by `for` or
/// around it) nor a non-empty `aria-label` or `aria-labelledby` naming an element with text.
/// Buttons made of inputs need a value (their label) or an aria-label.
const UNLABELLED: &str = r#"
const bad = [];
for (const el of document.querySelectorAll('input, select, textarea')) {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (type === 'hidden') continue;
  const aria = (el.getAttribute('aria-label') || '').trim() !== '';
  const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
    .some(id => { const t = document.getElementById(id); return t && t.textContent.trim() !== ''; });
  let ok;
  if (['submit', 'button', 'reset'].includes(type)) ok = (el.value || '').trim() !== '' || aria;
  else if (type === 'image') ok = (el.getAttribute('alt') || '').trim() !== '' || aria;
  else ok = Array.from(el.labels || []).some(l => l.textContent.trim() !== '') || aria || by;
  if (!ok) bad.push(el.outerHTML.slice(0, 160));
}
return bad;
"#;

/// Opens `path` at both widths and checks it; `name` names its screenshots
/// (`target/screenshots/{name}-390.png`). Returns the problems found, empty when it passes.
pub async fn page(browser: &Browser, name: &str, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for width in WIDTHS {
        browser.set_width(width).await;
        // Drop what earlier pages logged.
        browser.console().await;
        browser.goto(path).await;
        // Scripts that run after load (charts, the playground) have a moment to run.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let at = format!("{path} at {width} px");
        let overflow = browser.js(OVERFLOW).await;
        if !overflow.is_null() {
            problems.push(format!("{at}: scrolls sideways ({overflow})"));
        }
        let unlabelled = browser.js(UNLABELLED).await;
        for el in unlabelled.as_array().into_iter().flatten() {
            problems.push(format!("{at}: no label for {}", el.as_str().unwrap_or_default()));
        }
        for (level, message) in browser.console().await {
            if level == "SEVERE" {
                problems.push(format!("{at}: console error: {message}"));
            }
        }
        browser.screenshot(&screenshots().join(format!("{name}-{width}.png"))).await;
    }
    problems
}
