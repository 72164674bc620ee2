//! Everything the ledger can refuse, said in Chinese with where and why.

use crate::state::State;
use rust_decimal::Decimal;

/// Why a ledger operation failed. A failed operation changed nothing: each runs in one
/// transaction, rolled back on any error.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// A claim whose stored record cannot be decided again (a screening line recorded before
    /// screening lines kept what they were decided on).
    #[error("申报 {claim} 无法重放：{why}")]
    NotReplayable {
        /// The claim.
        claim: i64,
        /// Why, in words.
        why: String,
    },
    /// The address is neither `sqlite://…` nor `postgres://…`.
    #[error("无法识别的账本地址 `{0}`：应为 sqlite://文件路径 或 postgres://用户@主机:端口/数据库")]
    Url(String),
    /// The database could not be opened or reached.
    #[error("无法打开账本 `{url}`：{reason}")]
    Open {
        /// The address, without its password.
        url: String,
        /// The backend's words.
        reason: String,
    },
    /// The database was written by a newer huiqi.
    #[error("账本的结构版本为 {found}，本程序只认识到版本 {supported}：它由更新的 huiqi 写成，请用更新的 huiqi 打开；本程序未做任何改动")]
    NewerSchema {
        /// The database's version.
        found: i64,
        /// The newest this binary knows.
        supported: i64,
    },
    /// A statement failed in the database.
    #[error("账本数据库出错：{0}")]
    Db(String),
    /// What the database holds breaks the ledger's own rules (a row it cannot read).
    #[error("账本数据有误：{0}")]
    Corrupt(String),
    /// An invalid 统一社会信用代码.
    #[error("统一社会信用代码 `{code}` 无效：{reason}")]
    Uscc {
        /// The code as given.
        code: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An enterprise not recorded in the ledger.
    #[error("企业 {0} 不在账本中：请先登记企业（名称、开户行、账号、是否在园区）")]
    UnknownEnterprise(String),
    /// A claim id not in the ledger.
    #[error("申报 {0} 不在账本中")]
    UnknownClaim(i64),
    /// A policy the deciding engine does not have.
    #[error("政策 {policy} 不在政策集 {policy_set} 中，无法登记其申报")]
    UnknownPolicy {
        /// The policy id.
        policy: String,
        /// The policy set's hash.
        policy_set: String,
    },
    /// The policy set or calendar files do not make the engine they claim to.
    #[error("政策集无法保存：{0}")]
    PolicySet(String),
    /// A claim decided by a policy set the ledger does not hold.
    #[error("申报所依据的政策集 {0} 尚未存入账本：请先保存政策集，以便日后重放这一决定")]
    PolicySetNotStored(String),
    /// A transition the state machine does not allow.
    #[error("申报 {claim} 当前状态为「{}」，不能{}：状态机不允许这一步，账本未做任何改动", from.word(), to.step())]
    Transition {
        /// The claim.
        claim: i64,
        /// Its current state.
        from: State,
        /// The state asked for.
        to: State,
    },
    /// A step that has its own operation (approval creates the payout, payment records the bank's reference).
    #[error("申报 {claim} 要{}，请用专门的操作（{operation}），它会一并登记所需的记录", to.step())]
    UseOperation {
        /// The claim.
        claim: i64,
        /// The state asked for.
        to: State,
        /// The operation to use.
        operation: &'static str,
    },
    /// A rejection or a broken commitment needs its reason.
    #[error("申报 {claim} 要{}，必须写明理由", to.step())]
    ReasonRequired {
        /// The claim.
        claim: i64,
        /// The state asked for.
        to: State,
    },
    /// A step only 承诺兑现 policies have.
    #[error("申报 {claim} 的政策方式为「{mode}」，不是承诺兑现，不能{}", to.step())]
    NotCommitment {
        /// The claim.
        claim: i64,
        /// The state asked for.
        to: State,
        /// The policy's mode.
        mode: String,
    },
    /// Approval of a claim whose decision pays nothing.
    #[error("申报 {claim} 的决定为「{outcome}」而非符合，没有可兑付的金额，不能批准")]
    NotEligible {
        /// The claim.
        claim: i64,
        /// The decision's outcome in Chinese.
        outcome: String,
    },
    /// A second payout for the same enterprise, policy, item and period: refused by the database.
    #[error("企业 {enterprise} 已有政策 {policy}{} 在 {period} 的兑付记录，不能重复兑付", item_words(item))]
    AlreadyPaid {
        /// The enterprise's code.
        enterprise: String,
        /// The policy id.
        policy: String,
        /// The claim's item, empty when the policy pays per enterprise.
        item: String,
        /// The period as the policy's 频次 counts it (`一次性`, a year, or the claim).
        period: String,
    },
    /// A payout already recorded as paid under another bank reference.
    #[error(
        "申报 {claim} 已按银行流水号 {stored} 登记兑付，不能再按 {given} 登记：同一笔兑付只能有一个流水号"
    )]
    PaidUnderOtherReference {
        /// The claim.
        claim: i64,
        /// The reference recorded.
        stored: String,
        /// The reference given now.
        given: String,
    },
    /// A budget's allocation lowered below what approvals have committed of it.
    #[error(
        "{year} 年「{scope}」的{funder}级预算已承诺 {committed} 元，不能把安排额降到 {allocated} 元：\
         已批准的兑付须有预算。请先驳回或调整相关申报，或安排不少于 {committed} 元"
    )]
    BudgetBelowCommitted {
        /// The year.
        year: i32,
        /// The policy id or department.
        scope: String,
        /// The funder.
        funder: String,
        /// The allocation asked for.
        allocated: Decimal,
        /// What is committed.
        committed: Decimal,
    },
    /// A budget line that cannot be set as given (no scope, no funder, a negative amount).
    #[error("预算设置无效：{0}")]
    BudgetInvalid(String),
    /// A date the claim's calendar cannot count working days from.
    #[error("申报 {claim} 的日期无法按日历计算工作日：{reason}")]
    Calendar {
        /// The claim.
        claim: i64,
        /// The calendar's words.
        reason: String,
    },
    /// An amount that is not a whole number of 分 or is out of range.
    #[error("金额 `{value}` {reason}")]
    Money {
        /// The amount as given.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A role that needs a scope (an enterprise's code, a reviewer's department, a payer) without one.
    #[error("{role}身份必须注明{what}")]
    Scope {
        /// The role, in Chinese.
        role: &'static str,
        /// What it lacks.
        what: &'static str,
    },
    /// A claim the caller may not even know exists (answered as not found).
    #[error("申报 {0} 不存在，或不在您可查看的范围内")]
    Hidden(i64),
    /// A step the caller's role may not take.
    #[error("{role}无权{action}")]
    Forbidden {
        /// The role, in Chinese.
        role: &'static str,
        /// What was refused.
        action: String,
    },
    /// An `Idempotency-Key` used before for a different request.
    #[error("幂等键 `{key}` 已用于另一份申报（申报 {claim}）：重试请原样提交，新的申报请换一个幂等键")]
    IdempotencyMismatch {
        /// The key.
        key: String,
        /// The claim it named first.
        claim: i64,
    },
    /// Facts that do not fit the library's schema, each with where and why.
    #[error("事实不符合政策库的数据项定义：{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
    Facts(Vec<huiqi_engine::FactError>),
    /// A 承诺兑现 application without its written commitment.
    #[error("政策 {policy} 为承诺兑现，申报须附书面承诺（commitment）")]
    CommitmentRequired {
        /// The policy id.
        policy: String,
    },
    /// An application for a policy that pays per item (`标的`) that does not name the item.
    #[error("政策 {policy} 按标的兑现，申报须注明标的（item：{fact}）")]
    ItemRequired {
        /// The policy id.
        policy: String,
        /// The fact that identifies an item (`电视剧备案号`).
        fact: String,
    },
    /// An application for a policy the library does not have.
    #[error("政策库中没有政策 `{0}`")]
    NoSuchPolicy(String),
    /// A review whose decision still lacks facts: nothing is decided until they are given.
    #[error("申报 {claim} 审核后仍缺少事实，无法作出决定：{}；请补充后再审核，或要求企业补正", .missing.join("、"))]
    ReviewIncomplete {
        /// The claim.
        claim: i64,
        /// The facts still missing (or the decision's words when none is named).
        missing: Vec<String>,
    },
    /// A date the calendar cannot count working days from.
    #[error("无法按工作日日历推算期限：{0}")]
    DueDate(String),
    /// The enterprise applied for is not named (window staff must say which enterprise).
    #[error("请注明申报企业的统一社会信用代码（enterprise.uscc）")]
    EnterpriseRequired,
    /// Two submissions with one `Idempotency-Key` at once; the later is rolled back and answered
    /// with the earlier's claim (seen by a caller only if that fails too).
    #[error("幂等键 `{0}` 的另一次提交同时进行，请稍后重试")]
    Conflict(String),
    /// A payout id not in the ledger, or not the caller's to see.
    #[error("兑付 {0} 不存在，或不在您可查看的范围内")]
    UnknownPayout(i64),
    /// A later installment that cannot be checked (not due yet, already settled, without
    /// conditions, or the engine cannot tell).
    #[error("第 {seq} 期无法核验：{why}")]
    InstallmentCheck {
        /// Which installment.
        seq: i64,
        /// Why, in words.
        why: String,
    },
    /// A notification id not in the outbox.
    #[error("通知 {0} 不在账本中")]
    UnknownNotification(i64),
    /// A payment confirmation file that cannot be read as a whole (no header, a column missing,
    /// not CSV or XLSX); a line it cannot read is reported with its line instead.
    #[error("付款确认文件无法读取：{0}")]
    ConfirmationFile(String),
    /// A payout list that could not be made.
    #[error("付款清单无法生成：{0}")]
    PayoutSheet(String),
    /// A backup that could not be made; nothing is left at its path.
    #[error("备份 `{path}` 未完成：{reason}")]
    Backup {
        /// The backup's path.
        path: String,
        /// Why.
        reason: String,
    },
    /// A screening line given without what it was decided on: recorded, it could not be replayed.
    #[error("名册第 {line} 行的兑付没有附上判定所依据的事实，登记后将无法重放：筛查须保留依据（Options::keep_basis）")]
    NoBasis {
        /// Its line in the registry.
        line: u64,
    },
}

fn item_words(item: &str) -> String {
    if item.is_empty() {
        String::new()
    } else {
        format!("（事项「{item}」）")
    }
}
