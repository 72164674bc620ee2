//! The static files the pages use, compiled into the binary and served from `/static/{name}`.
//! A page links each by [`url`], which carries a hash of the file's content, so a file can be
//! cached for a year and a new build's file is fetched at once.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One static file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// Every static file. A vendored script is added here with its version and licence noted beside
/// it in `static/` (e.g. `static/NOTICE.md`).
const ASSETS: &[Asset] = &[
    Asset {
        name: "huiqi.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/huiqi.css"),
    },
    // 政策试算's live updates (staff/playground.rs): our own plain script, no library.
    Asset {
        name: "playground.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/playground.js"),
    },
];

/// Each file's name with the first 16 hex digits of its SHA-256, worked out once.
static VERSIONS: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let digest = Sha256::digest(a.bytes);
            let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            (a.name, hex)
        })
        .collect()
});

/// The URL a page links the file `name` by: `/static/huiqi.css?v=<hash>`.
pub(crate) fn url(name: &str) -> String {
    match VERSIONS.iter().find(|(n, _)| *n == name) {
        Some((_, v)) => format!("/static/{name}?v={v}"),
        // A name not in the table is a typo in a page; the link 404s visibly rather than panics.
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{file}`: the file, cacheable for a year (its URL changes with its content).
pub(crate) async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == file) {
        Some(a) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(a.content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
            ],
            a.bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "没有这个文件").into_response(),
    }
}
