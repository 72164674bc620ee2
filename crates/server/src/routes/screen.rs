//! `POST /v1/screen`: 免申即享 over a registry sent as the request body, the same screening as
//! `huiqi screen` (crates/screen), answered in JSON.
//!
//! The body is one of:
//! - CSV (`Content-Type: text/csv`): the registry as a department exports it, header first
//!   (UTF-8, with or without BOM, or GB18030);
//! - NDJSON (anything else, e.g. `application/x-ndjson`): one enterprise a line,
//!   `{"统一社会信用代码": "…", "企业名称": "…", "开户银行": "…", "银行账号": "…",
//!   "facts": {…}, "prior_awards": [{"policy", "date", "amount"}]}`; only the code and `facts`
//!   are required, and `facts` reads as in `/v1/evaluate`. Blank lines are skipped.
//!
//! Query: `as_of=YYYY-MM-DD` (required), `policies=a,b` (default: every 免申即享 policy),
//! `strict=true` (stop at the first bad row with 422).
//!
//! The body is streamed: frames go through a bounded channel to the screening, which runs on a
//! blocking thread and reads them as they come, so the body is never held whole. It has its own
//! limit, [`SCREEN_MAX_BODY`], not the 4 MiB of the other endpoints. The answer holds the payout
//! lines, the undetermined and the rejects, so it grows with what the registry yields.

use std::io::Read;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use chrono::NaiveDate;
use http_body_util::BodyExt;
use huiqi_screen::{Ledger, MemorySink, Options, Registry, ScreenError, Screening};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use utoipa::IntoParams;

use super::screen_schema::ScreenAnswer;
use crate::error::ErrorBody;
use crate::extract::Params;
use crate::{AppError, AppState};

/// The largest registry body read: about two million CSV rows of the bundled policies' columns.
pub const SCREEN_MAX_BODY: usize = 1024 * 1024 * 1024;

/// Body frames waiting for the screening; beyond this, reading the body waits.
const FRAMES_IN_FLIGHT: usize = 16;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScreenQuery {
    /// The date to decide on, `YYYY-MM-DD`.
    // Read as text so a missing or malformed date gets its own message.
    #[param(required = true, value_type = String, format = Date)]
    as_of: Option<String>,
    /// Comma-separated policy ids (default: every 免申即享 policy); each must be 免申即享.
    policies: Option<String>,
    /// Stop at the first bad row with 422 instead of listing it among the rejects.
    strict: Option<bool>,
}

type Frame = Result<Bytes, std::io::Error>;

/// The body as a `Read`: frames handed over by the request's task.
struct FrameReader {
    rx: mpsc::Receiver<Frame>,
    current: Bytes,
}

impl Read for FrameReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(frame) => self.current = frame?,
            }
        }
        let n = buf.len().min(self.current.len());
        let chunk = self.current.split_to(n);
        if let Some(place) = buf.get_mut(..n) {
            place.copy_from_slice(&chunk);
        }
        Ok(n)
    }
}

/// 免申即享 over a registry streamed as CSV or NDJSON: payout lists by payer, the undetermined,
/// the rejects, the reconciliation. No time limit: a large registry takes as long as it takes.
#[utoipa::path(post, path = "/v1/screen", tag = "decisions", params(ScreenQuery),
    request_body(description = "the registry: CSV with a header row (`text/csv`; UTF-8 or GB18030), or NDJSON, one enterprise a line (any other type)",
        content(
            // Not required: an empty NDJSON body is a registry of no rows (an empty CSV lacks its header).
            (Option<String> = "text/csv"),
            (Option<String> = "application/x-ndjson"),
        )),
    responses(
        (status = 200, description = "the screening, reconciled", body = ScreenAnswer),
        (status = 413, description = "`too_large`: the body is over 1 GiB", body = ErrorBody),
        (status = 422, description = "`invalid`: a missing or bad `as_of`, a policy that is not 免申即享, a header without the identity columns, or (with `strict`) a bad row", body = ErrorBody),
        (status = 500, description = "`internal`: a broken invariant of the screening (a bug); nothing was written", body = ErrorBody),
    ))]
pub async fn screen(
    State(state): State<Arc<AppState>>,
    Params(query): Params<ScreenQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, AppError> {
    let invalid = |path: &str, message: String| AppError::Invalid { path: path.into(), message };
    let as_of: NaiveDate = query
        .as_of
        .as_deref()
        .ok_or_else(|| invalid("as_of", "`as_of` is required: the evaluation date as YYYY-MM-DD".into()))?
        .parse()
        .map_err(|_| invalid("as_of", "`as_of` must be a date as YYYY-MM-DD".into()))?;
    let mut options = Options::new(as_of);
    // None named: every 免申即享 policy, which is what an empty list means to the screening.
    options.policies = query
        .policies
        .as_deref()
        .map(|p| p.split(',').map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    options.strict = query.strict.unwrap_or(false);
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));

    let (tx, rx) = mpsc::channel::<Frame>(FRAMES_IN_FLIGHT);
    let library = state.library();
    let screening = tokio::task::spawn_blocking(move || run(&library, rx, csv, options));

    let mut body = body;
    let mut total = 0usize;
    let mut too_large = false;
    while let Some(frame) = body.frame().await {
        let data = match frame {
            Ok(frame) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
            Err(e) => {
                let _ = tx.send(Err(std::io::Error::other(format!("the request body broke off: {e}")))).await;
                break;
            }
        };
        total += data.len();
        if total > SCREEN_MAX_BODY {
            too_large = true;
            let _ = tx.send(Err(std::io::Error::other("the request body is too large"))).await;
            break;
        }
        // The screening stopped (a header error, --strict): the rest of the body is not needed.
        if tx.send(Ok(data)).await.is_err() {
            break;
        }
    }
    drop(tx);
    let answer = screening.await.map_err(|_| invalid("", "the screening stopped".into()))?;
    if too_large {
        return Err(AppError::TooLarge { limit: SCREEN_MAX_BODY });
    }
    answer.map(Json)
}

/// The screening itself, on a blocking thread.
fn run(
    library: &crate::Library,
    rx: mpsc::Receiver<Frame>,
    csv: bool,
    options: Options,
) -> Result<Value, AppError> {
    let reader = FrameReader { rx, current: Bytes::new() };
    let body_error = |e: huiqi_screen::registry::RegistryError| AppError::Invalid {
        path: "body".into(),
        message: e.to_string(),
    };
    let registry = if csv { Registry::csv("request", reader) } else { Registry::ndjson("request", reader) }
        .map_err(body_error)?;
    let ledger = Ledger::default();
    let screening = Screening::new(&library.engine, registry, &ledger, options).map_err(screen_error)?;
    let mut sink = MemorySink::default();
    let summary = screening.run(&mut sink, &|_| {}).map_err(screen_error)?;
    let mut answer = serde_json::to_value(&summary)
        .map_err(|e| AppError::Invalid { path: String::new(), message: e.to_string() })?;
    // Each payer with its lines; then the lists for departments to complete and to fix. The JSON
    // payers are the summary's, in its order, so each is named by its typed twin.
    if let Some(payers) = answer.get_mut("payers").and_then(Value::as_array_mut) {
        debug_assert_eq!(payers.len(), summary.payers.len());
        for (payer, totals) in payers.iter_mut().zip(&summary.payers) {
            let lines: Vec<&huiqi_screen::output::Payout> =
                sink.payouts.iter().filter(|p| *p.payer == *totals.payer).collect();
            if let Some(fields) = payer.as_object_mut() {
                fields.insert("payouts".into(), json!(lines));
                fields.remove("files");
            }
        }
    }
    if let Some(fields) = answer.as_object_mut() {
        fields.insert("undetermined".into(), json!(sink.undetermined));
        fields.insert("rejects".into(), json!(sink.rejects));
    }
    Ok(answer)
}

fn screen_error(e: ScreenError) -> AppError {
    if let ScreenError::Internal(what) = e {
        return AppError::Internal(what);
    }
    let path = match &e {
        ScreenError::UnknownPolicy { .. }
        | ScreenError::NotNoApplication { .. }
        | ScreenError::NoPolicies => "policies",
        ScreenError::Columns(_) => "header",
        ScreenError::Strict { .. } | ScreenError::Registry(_) => "body",
        _ => "",
    };
    AppError::Invalid { path: path.into(), message: e.to_string() }
}

/// What recording a screening came to.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ScreeningRecorded {
    /// The screening's summary: rows in and out, totals by payer (as `/v1/screen` answers it,
    /// without the lines).
    #[schema(value_type = Object)]
    pub summary: Value,
    /// Payout lines recorded now, each an approved claim with its payout due.
    pub new: u64,
    /// Lines the ledger held already (the same registry screened again).
    pub already: u64,
    /// Lines a budget could not cover: not recorded (a rerun records them once it can).
    pub budget_short: u64,
}

/// 免申即享 into the ledger: a department's registry (as `/v1/screen` takes it) screened against
/// its policies and the ledger's history, each payout line recorded as an approved claim with its
/// payout due and its enterprise told, idempotently (the same registry on the same date again
/// records nothing new). A reviewer screens its department's policies (all of them when none is
/// named); an admin any.
#[utoipa::path(post, path = "/v1/screenings", tag = "workflow", security(("token" = [])), params(ScreenQuery),
    request_body(description = "the registry: CSV with a header row (`text/csv`), or NDJSON",
        content((Option<String> = "text/csv"), (Option<String> = "application/x-ndjson"))),
    responses(
        (status = 200, description = "recorded", body = ScreeningRecorded),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reviewer or admin, or another department's policy", body = ErrorBody),
        (status = 413, description = "`too_large`: the body is over 4 MiB", body = ErrorBody),
        (status = 422, description = "`invalid`: a missing or bad `as_of`, a policy that is not 免申即享, a header without the identity columns, or (with `strict`) a bad row", body = ErrorBody),
        (status = 500, description = "`internal`: a broken invariant (a bug); whole batches only were recorded", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn screenings(
    State(state): State<Arc<AppState>>,
    crate::extract::Caller(who): crate::extract::Caller,
    Params(query): Params<ScreenQuery>,
    headers: HeaderMap,
    crate::extract::TextBody(body): crate::extract::TextBody,
) -> Result<Json<ScreeningRecorded>, AppError> {
    let invalid = |path: &str, message: String| AppError::Invalid { path: path.into(), message };
    let as_of: NaiveDate = query
        .as_of
        .as_deref()
        .ok_or_else(|| invalid("as_of", "`as_of` is required: the evaluation date as YYYY-MM-DD".into()))?
        .parse()
        .map_err(|_| invalid("as_of", "`as_of` must be a date as YYYY-MM-DD".into()))?;
    let named: Vec<String> = query
        .policies
        .as_deref()
        .map(|p| p.split(',').map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    let strict = query.strict.unwrap_or(false);
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"));
    let state2 = state.clone();
    tokio::task::spawn_blocking(move || {
        let workflow = state2.workflow()?;
        let library = state2.library();
        let set = library
            .policy_set
            .as_ref()
            .ok_or_else(|| AppError::Unavailable("政策库未附带存档所需的文本，不受理筛查登记".into()))?;
        let ledger = &workflow.ledger;
        let policies = ledger.screening_policies(set, &who, &named)?;
        let reader = std::io::Cursor::new(body);
        let registry =
            if csv { Registry::csv("request", reader) } else { Registry::ndjson("request", reader) }
                .map_err(|e| invalid("body", e.to_string()))?;
        let mut priors = Ledger::default();
        for (code, award) in ledger.all_prior_awards(Some(as_of))? {
            priors.add(code, award);
        }
        let mut options = Options::new(as_of);
        options.policies = policies;
        options.strict = strict;
        // Each recorded line keeps what it was decided on, so the ledger can replay it.
        options.keep_basis = true;
        let screening = Screening::new(set.engine(), registry, &priors, options).map_err(screen_error)?;
        let mut run = huiqi_ledger::ScreeningRun::new(set, as_of, format!("POST /v1/screenings {as_of}"));
        run.actor = who.actor();
        let recording = huiqi_ledger::LedgerSink::record(ledger, run, MemorySink::default(), |sink| {
            screening.run(sink, &|_| {})
        })?;
        let summary = recording.value.map_err(screen_error)?;
        let summary = serde_json::to_value(&summary).map_err(|e| AppError::Internal(e.to_string()))?;
        let r = recording.recorded;
        Ok(ScreeningRecorded { summary, new: r.new, already: r.already, budget_short: r.budget_short })
    })
    .await
    .map_err(|e| AppError::Internal(format!("筛查登记中断：{e}")))?
    .map(Json)
}
