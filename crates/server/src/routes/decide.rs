//! Deciding for one enterprise: the decision document (`/v1/evaluate`) and 精准推送 (`/v1/match`).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use huiqi_engine::{Decision, Decisions, EvalOptions, MissingFact, Outcome, PriorAward};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Contract, JsonBody, MaybeCaller};
use crate::AppState;

/// One enterprise on one date (docs/engine.md).
#[derive(Deserialize, ToSchema)]
pub struct EvaluateRequest {
    /// The enterprise's facts by name, checked against the library's schema: amounts as numbers
    /// or decimal strings in the fact's unit, a yearly series as `{"2025": …}`, `null` unknown.
    #[schema(value_type = Object)]
    #[serde(deserialize_with = "crate::extract::object")]
    pub facts: Value,
    /// The evaluation date, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Only these policies (default: all).
    #[serde(default)]
    pub policies: Option<Vec<String>>,
    /// The enterprise's 统一社会信用代码: its awards in the ledger are added to `prior_awards`, so
    /// 频次, 累计上限 and 就高不重复 hold without the caller's help. Needs a token that may see the
    /// enterprise (its own, or staff's).
    #[serde(default)]
    #[schema(pattern = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")]
    pub enterprise: Option<String>,
    /// Awards already paid, for once-only rules, 就高不重复, upgrades and caps.
    #[serde(default)]
    #[schema(value_type = Option<Vec<PriorAwardSchema>>)]
    pub prior_awards: Option<Vec<PriorAward>>,
    /// The item decided for (its identifier, e.g. a drama's 电视剧备案号) by the policies that pay
    /// per `标的`: their 频次, 就高不重复 and caps count only the prior awards of the same item.
    /// Absent: every prior award of the enterprise counts. Other policies ignore it.
    #[serde(default)]
    pub item: Option<String>,
    /// A draft policy file's text (政策试算): its policies are decided instead of the library's,
    /// with the library's platform, schema and calendar. Nothing is stored or loaded. A text with
    /// errors is 422 `invalid` at `source`, naming the first (`/v1/check` lists them all).
    #[serde(default)]
    pub source: Option<String>,
}

/// An award already paid: the engine's `PriorAward`, with the amount in whole 分 as the server
/// requires (a negative or finer amount is refused with 422 at `prior_awards[i].amount`).
#[derive(ToSchema)]
#[schema(as = PriorAward)]
#[allow(dead_code, reason = "describes `PriorAward` with the amount's form")]
pub struct PriorAwardSchema {
    /// The policy it was paid under.
    policy: String,
    #[schema(value_type = String, format = Date)]
    date: NaiveDate,
    /// 元, a decimal string in whole 分 (`"50000.00"`).
    #[schema(pattern = r"^[0-9]{1,20}(\.[0-9]{1,2})?$")]
    amount: String,
    /// The item it was paid for under a policy that pays per `标的`; absent or `""`: per
    /// enterprise.
    #[schema(nullable = false)]
    item: Option<String>,
}

impl Contract for EvaluateRequest {
    fn misfit(field: Option<&str>, reason: &str, body: &Value) -> AppError {
        let invalid = |path: &str, message: String| AppError::Invalid { path: path.into(), message };
        match field {
            Some("as_of") if body.get("as_of").is_some_and(Value::is_string) => {
                invalid("as_of", "`as_of` must be a date as \"YYYY-MM-DD\"".into())
            }
            Some("as_of") => {
                invalid("as_of", "`as_of` is required: the evaluation date as \"YYYY-MM-DD\"".into())
            }
            Some("policies") => invalid("policies", "`policies` must be a list of policy ids".into()),
            Some("enterprise") => {
                invalid("enterprise", "`enterprise` must be a 统一社会信用代码 as a string".into())
            }
            Some("source") => invalid("source", "`source` must be a policy file's text as a string".into()),
            Some("item") => invalid("item", "`item` must be the item's identifier as a string".into()),
            Some("prior_awards") => invalid(
                "prior_awards",
                format!("`prior_awards` must be a list of {{\"policy\", \"date\", \"amount\", \"item\"}}: {reason}"),
            ),
            _ => invalid("facts", "`facts` must be an object of the enterprise's facts".into()),
        }
    }

    fn take_raw(&mut self, body: &mut Value) {
        if let Some(facts) = body.get_mut("facts") {
            self.facts = facts.take();
        }
    }
}

/// The request with the enterprise's awards from the ledger added to its `prior_awards`, when it
/// names an enterprise (which needs a token that may see it).
async fn with_history(
    state: &Arc<AppState>,
    caller: Option<huiqi_ledger::Principal>,
    mut request: EvaluateRequest,
) -> Result<EvaluateRequest, AppError> {
    let Some(uscc) = request.enterprise.clone() else { return Ok(request) };
    let who = caller.ok_or_else(|| {
        AppError::Token(
            "`enterprise` 要从账本读取已兑付记录，须带可查看该企业的令牌（Authorization: Bearer）".into(),
        )
    })?;
    let history =
        crate::routes::claims::on_ledger(state, move |ledger, _, _| ledger.prior_awards_as(&who, &uscc))
            .await?;
    request.prior_awards.get_or_insert_with(Vec::new).extend(history);
    Ok(request)
}

/// The parts of an evaluation request, checked: facts, date, policies and prior awards.
struct Checked {
    facts: huiqi_engine::Facts,
    as_of: NaiveDate,
    only: Option<Vec<huiqi_engine::PolicyId>>,
    priors: Vec<PriorAward>,
    item: Option<String>,
}

impl Checked {
    /// Explained, against the prior awards given, for the policies asked for.
    fn options(&self) -> EvalOptions<'_> {
        let item = self.item.as_deref().filter(|i| !i.is_empty());
        EvalOptions { priors: &self.priors, only: self.only.as_deref(), explain: true, item }
    }
}

fn checked(engine: &huiqi_engine::Engine, request: EvaluateRequest) -> Result<Checked, AppError> {
    let priors = request.prior_awards.unwrap_or_default(); // none given: none paid
    for (i, prior) in priors.iter().enumerate() {
        prior
            .check()
            .map_err(|why| AppError::Invalid { path: format!("prior_awards[{i}].amount"), message: why })?;
    }
    let facts = engine.schema().parse_json(&request.facts).map_err(AppError::Facts)?;
    let only = request.policies.map(|ids| ids.into_iter().map(huiqi_engine::PolicyId::from).collect());
    let item = request.item.map(|i| i.trim().to_owned());
    Ok(Checked { facts, as_of: request.as_of, only, priors, item })
}

/// One enterprise, one date: the decision document of `huiqi eval --format json`.
#[utoipa::path(post, path = "/v1/evaluate", tag = "decisions", request_body = EvaluateRequest,
    responses(
        (status = 200, description = "every decision, explained", body = Decisions),
        (status = 400, description = "`bad_json`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`too_large`: the body is over 4 MiB", body = ErrorBody),
        (status = 401, description = "`unauthorized`: `enterprise` given without a valid token", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token may not see that enterprise", body = ErrorBody),
        (status = 422, description = "`invalid`: not a request of this shape (or `enterprise` not a valid 统一社会信用代码); `invalid_facts`: facts that do not fit the schema", body = ErrorBody),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn evaluate(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    JsonBody(request): JsonBody<EvaluateRequest>,
) -> Result<Json<Decisions>, AppError> {
    evaluate_for(&state, caller, request).await.map(Json)
}

/// What `POST /v1/evaluate` answers for `request` from `caller` (`None`: no token): the
/// enterprise's ledger history added when the request names it, the facts checked against the
/// schema, every decision explained. The pages' 算一算 and 政策计算器 call this, so a page shows
/// exactly what the endpoint would.
pub async fn evaluate_for(
    state: &Arc<AppState>,
    caller: Option<huiqi_ledger::Principal>,
    request: EvaluateRequest,
) -> Result<Decisions, AppError> {
    let mut request = with_history(state, caller, request).await?;
    let library = state.library();
    let draft = request.source.take().map(|text| draft_engine(&library, &text)).transpose()?;
    let engine = draft.as_ref().unwrap_or(&library.engine);
    let r = checked(engine, request)?;
    let answer = engine.evaluate(&r.facts, r.as_of, &r.options());
    // A draft is tried, not decided: it counts in no metric.
    if draft.is_none() {
        for d in &answer.decisions {
            state.metrics.decided(d.outcome());
        }
    }
    Ok(answer)
}

/// The engine of a draft policy file with the library's platform, schema and calendar; a text
/// with errors is refused, naming the first (line and column in the draft).
fn draft_engine(library: &crate::Library, text: &str) -> Result<huiqi_engine::Engine, AppError> {
    let sources = crate::routes::check::draft_sources(library, text.as_bytes());
    let checked = sources.check();
    let diagnostics = sources.diagnostics(&checked);
    let mine = sources.files.len().saturating_sub(1);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.diagnostic.is_error()).collect();
    if let Some(first) = errors.first() {
        let at = sources.to_json(first, huiqi_dsl::Locale::Zh);
        let field = |k: &str| at.get(k).cloned().unwrap_or_default();
        let place = if first.file.0 == mine {
            format!("第 {} 行第 {} 列", field("line"), field("column"))
        } else {
            format!("政策库文件 {}", field("file").as_str().unwrap_or_default())
        };
        return Err(AppError::Invalid {
            path: "source".into(),
            message: format!(
                "政策文本有 {} 处错误，改正后才能试算；{place}：{}",
                errors.len(),
                first.diagnostic.texts(huiqi_dsl::Locale::Zh).message
            ),
        });
    }
    let texts: Vec<(&str, &str)> = sources.files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
    huiqi_engine::Engine::new(&checked.library, &texts, library.engine.calendar().clone()).map_err(|e| {
        AppError::Invalid { path: "source".into(), message: format!("政策文本无法试算：{e}") }
    })
}

/// One policy the enterprise gets or could get.
#[derive(Serialize, ToSchema)]
pub struct Match {
    pub policy: String,
    pub title: String,
    pub department: String,
    pub mode: String,
    pub outcome: Outcome,
    /// 元, a decimal string; `null` while undetermined.
    #[schema(required = true)]
    pub amount: Option<String>,
    /// Facts still missing, and who holds them.
    pub missing: Vec<MissingFact>,
    /// Reviews a 承诺兑现 decision waits for.
    pub reviews: Vec<MissingFact>,
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct MatchAnswer {
    pub policy_set: String,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub count: usize,
    /// Eligible by amount, then awaiting review, then by how little is still missing.
    pub matches: Vec<Match>,
}

impl Match {
    fn of(d: Decision) -> Match {
        Match {
            policy: d.policy.to_string(),
            title: d.title.to_string(),
            department: d.department.to_string(),
            mode: d.mode.map_or("", |m| m.word()).to_string(),
            outcome: d.outcome(),
            amount: d.amount().map(|a| a.to_string()),
            missing: d.missing,
            reviews: d.reviews,
            summary: d.reasons.summary,
        }
    }
}

/// 精准推送: the policies the enterprise gets or could get, the surest and largest first, each
/// with what is still missing and who holds it.
#[utoipa::path(post, path = "/v1/match", tag = "decisions", request_body = EvaluateRequest,
    responses(
        (status = 200, description = "what the enterprise gets or could get, ranked", body = MatchAnswer),
        (status = 400, description = "`bad_json`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`too_large`: the body is over 4 MiB", body = ErrorBody),
        (status = 401, description = "`unauthorized`: `enterprise` given without a valid token", body = ErrorBody),
        (status = 403, description = "`forbidden`: the token may not see that enterprise", body = ErrorBody),
        (status = 422, description = "`invalid`: not a request of this shape (or `enterprise` not a valid 统一社会信用代码); `invalid_facts`: facts that do not fit the schema", body = ErrorBody),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn match_policies(
    State(state): State<Arc<AppState>>,
    MaybeCaller(caller): MaybeCaller,
    JsonBody(request): JsonBody<EvaluateRequest>,
) -> Result<Json<MatchAnswer>, AppError> {
    let mut request = with_history(&state, caller, request).await?;
    let library = state.library();
    let draft = request.source.take().map(|text| draft_engine(&library, &text)).transpose()?;
    let engine = draft.as_ref().unwrap_or(&library.engine);
    let r = checked(engine, request)?;
    let answer = engine.evaluate(&r.facts, r.as_of, &r.options());
    let rank = |o: Outcome| match o {
        Outcome::Eligible => 0,
        Outcome::PendingReview => 1,
        _ => 2,
    };
    let mut open: Vec<Decision> = answer
        .decisions
        .into_iter()
        .filter(|d| matches!(d.outcome(), Outcome::Eligible | Outcome::PendingReview | Outcome::Undetermined))
        .collect();
    open.sort_by(|a, b| {
        rank(a.outcome())
            .cmp(&rank(b.outcome()))
            .then(b.amount().cmp(&a.amount()))
            .then(a.missing.len().cmp(&b.missing.len()))
            .then(a.policy.cmp(&b.policy))
    });
    let matches: Vec<Match> = open.into_iter().map(Match::of).collect();
    Ok(Json(MatchAnswer {
        policy_set: answer.policy_set,
        as_of: answer.as_of,
        count: matches.len(),
        matches,
    }))
}
