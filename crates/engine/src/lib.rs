//! The huiqi engine: a checked policy library lowered to an IR, and an enterprise's facts on a
//! date evaluated into decisions — exact to the 分, with the payer, the due date and a Chinese
//! explanation. No IO, no clock: the evaluation date and the calendar are inputs.
//!
//! ```
//! use huiqi_dsl::source::SourceSet;
//! use huiqi_engine::{Calendar, Engine, EvalOptions, BUNDLED};
//!
//! let platform = "平台 示例 {\n 部门 区工信局, 区行政审批局\n 出资方 区\n 付款方 { 区行政审批局 否则 }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}";
//! let schema = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n事实 入规年度 { 类型 整数\n 提供 区工信局\n 来源 权威 }";
//! let policy = "政策 gxj-02 \"入规上户奖励\" {\n 部门 区工信局\n 方式 免申即享\n 渠道 全程网办\n 依据 \"示例\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n 条件 { 上年度首次入规: 入规年度 == 评估年度 - 1 }\n 奖励 5万元\n}";
//! let sources = SourceSet::from_texts([("platform.hq", platform.as_bytes()), ("schema.hq", schema.as_bytes()), ("gxj-02.hq", policy.as_bytes())]);
//! let calendar = Calendar::from_sources(BUNDLED.iter().copied()).unwrap();
//! let engine = Engine::from_sources(&sources, calendar).unwrap();
//! let facts = engine.schema().parse_json(&serde_json::json!({"失信记录": false, "入规年度": 2025})).unwrap();
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
//! let answer = engine.evaluate(&facts, as_of, &EvalOptions::explained());
//! let payment = answer.decisions[0].payment().unwrap();
//! assert_eq!(payment.amount.to_string(), "50000.00");
//! assert_eq!(payment.due_date.to_string(), "2026-11-27");
//! ```
//!
//! The public API is what this page exports: [`Engine`] (built from a library's sources) decides
//! with [`Engine::evaluate`], [`Engine::judge`] or, for a registry, [`OnDate::screen`]; the
//! answers are [`Decisions`] of [`Decision`]s whose [`Verdict`] carries the [`Payment`] when
//! eligible. The IR, lowering, evaluation and decision internals are private.

#![warn(missing_docs)]

mod calendar;
mod ceiling;
mod dates;
mod decide;
mod decision;
mod engine;
mod eval;
mod explain;
mod facts;
mod funding;
mod guide;
mod installments;
mod ir;
mod item;
mod lower;
mod on_date;
mod period;
mod policy;
mod reads;
mod requirement;
mod settle;
mod tiers;
mod value;

pub use calendar::{Calendar, CalendarError, DueDate, Location, WorkingDays, BUNDLED};
pub use decision::{
    ConditionReason, Decision, Decisions, EvalErrorReport, FactRead, Installment, MissingFact, Outcome,
    Payment, PriorAward, Reasons, ShareAmount, Verdict,
};
pub use engine::{Engine, EngineError, EvalOptions, Judgement, Screened};
pub use explain::render_text;
pub use facts::{trimmed, FactError, FactMeta, FactValue, Facts, Schema};
pub use guide::{
    catalog, AwardTiers, CatalogEntry, DataItem, ExclusiveGroup, Guide, ItemRule, PayerRule, Rule, Share,
    Validity,
};
pub use installments::LaterInstallment;
pub use ir::FactRef;
pub use lower::LowerError;
pub use on_date::OnDate;
pub use period::{quarter_key, quarter_of as quarter_number_of, read_quarter as quarter_number};
pub use policy::{Policy, PolicyId, PolicyIndex};
pub use reads::{Comparison, PlatformRead};
pub use value::{same_text, Value};

#[cfg(test)]
mod tests;
