//! 政策沙盘's findings laid out once, as an overview and tables, for the text, Markdown and XLSX
//! renderings alike. Column titles end in `(元)` for money and `(家)` for counts, which the
//! workbook formats by.

use std::fmt::Write as _;
use std::path::Path;

use huiqi_screen::diff::{Change, Impact, Kind, Totals, LARGEST};
use huiqi_screen::summary::{money, Reconciliation, Summary};
use rust_decimal::Decimal;

/// A cell: text, or a number to be shown as one.
pub enum Cell {
    Text(String),
    Money(Decimal),
    /// A change of money: shown with its sign.
    Delta(Decimal),
    Count(u64),
}

impl Cell {
    /// As text and Markdown show it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Money(m) => money(*m),
            Cell::Delta(d) => signed(*d),
            Cell::Count(n) => n.to_string(),
        }
    }

    /// Numbers are right-aligned in text.
    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// `+1,000.00`, `-1,000.00`, `0.00`.
pub fn signed(amount: Decimal) -> String {
    if amount > Decimal::ZERO {
        format!("+{}", money(amount))
    } else {
        money(amount)
    }
}

/// A table's rows: cells, or changes, whose cells are made as they are written (a change list
/// may run to hundreds of thousands of lines).
pub enum Rows<'a> {
    Cells(Vec<Vec<Cell>>),
    Changes(Vec<&'a Change>),
}

pub struct Table<'a> {
    /// The heading; also the sheet's name.
    pub title: String,
    pub header: Vec<&'static str>,
    pub rows: Rows<'a>,
}

impl Table<'_> {
    pub fn len(&self) -> usize {
        match &self.rows {
            Rows::Cells(rows) => rows.len(),
            Rows::Changes(changes) => changes.len(),
        }
    }
}

/// The columns of a change.
pub const CHANGE_HEADER: [&str; 11] = [
    "登记表行号",
    "统一社会信用代码",
    "企业名称",
    "政策编码",
    "政策名称",
    "变化",
    "原库状态",
    "新库状态",
    "原库金额(元)",
    "新库金额(元)",
    "增减(元)",
];

const GROUP_HEADER: [&str; 3] = ["原库金额(元)", "新库金额(元)", "增减(元)"];

pub struct Report<'a> {
    pub impact: &'a Impact,
    pub title: String,
    /// The overview: label and text.
    pub overview: Vec<(&'static str, String)>,
    pub warnings: Vec<String>,
    /// By policy, department, payer, funder; the largest changes.
    pub tables: Vec<Table<'a>>,
    /// The changes of each kind, in registry order.
    pub changes: Vec<(Kind, Table<'a>)>,
}

impl<'a> Report<'a> {
    pub fn new(impact: &'a Impact, base_dir: &Path, new_dir: &Path) -> Report<'a> {
        let library = |dir: &Path, s: &Summary| {
            format!("{}（政策集 {}，免申即享政策 {} 项）", dir.display(), s.policy_set, s.policies.len())
        };
        let counts: Vec<String> =
            Kind::ALL.iter().map(|k| format!("{} {} 笔", k.word(), impact.count(*k))).collect();
        let mut overview = vec![
            ("登记表", impact.registry.clone()),
            ("评估日期", impact.as_of.to_string()),
            ("原政策库", library(base_dir, &impact.base)),
            ("新政策库", library(new_dir, &impact.new)),
            ("原库筛查", rows(&impact.base.rows)),
            ("新库筛查", rows(&impact.new.rows)),
            ("变化", format!("{}；涉及企业 {} 家", counts.join("，"), impact.enterprises())),
            ("合计", totals_line(&impact.total)),
        ];
        if let Some(file) = &impact.base.priors.file {
            overview.push(("已兑付台账", format!("{file}（{} 笔）", impact.base.priors.awards)));
        }
        let mut warnings: Vec<String> = Vec::new();
        for w in impact.base.warnings.iter().chain(&impact.new.warnings) {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
        let tables = vec![
            by_policy(impact),
            group("按主管部门", "主管部门", &impact.departments, &impact.total),
            group("按付款方", "付款方", &impact.payers, &impact.total),
            group("按出资方", "出资方", &impact.funders, &impact.total),
            Table {
                title: format!("变化最大的{LARGEST}笔"),
                header: CHANGE_HEADER.to_vec(),
                rows: Rows::Changes(impact.largest().collect()),
            },
        ];
        let changes = Kind::ALL
            .iter()
            .map(|kind| {
                let of_kind: Vec<&Change> = impact.changes.iter().filter(|c| c.kind() == *kind).collect();
                let title = format!("{}（{} 笔）", kind.word(), of_kind.len());
                let table = Table { title, header: CHANGE_HEADER.to_vec(), rows: Rows::Changes(of_kind) };
                (*kind, table)
            })
            .collect();
        Report {
            impact,
            title: format!("政策沙盘：{}（评估日期 {}）", impact.registry, impact.as_of),
            overview,
            warnings,
            tables,
            changes,
        }
    }

    /// A change's cells, in [`CHANGE_HEADER`]'s order.
    pub fn change_cells(&self, c: &Change) -> Vec<Cell> {
        let (policy, title) = self
            .impact
            .policy_of(c)
            .map_or((String::new(), String::new()), |p| (p.policy.clone(), p.title.clone()));
        vec![
            Cell::Text(c.line.to_string()),
            Cell::Text(c.uscc.clone()),
            Cell::Text(c.name.clone()),
            Cell::Text(policy),
            Cell::Text(title),
            Cell::Text(c.kind().word().to_string()),
            Cell::Text(c.before.word().to_string()),
            Cell::Text(c.after.word().to_string()),
            Cell::Money(c.before_amount()),
            Cell::Money(c.after_amount()),
            Cell::Delta(c.delta()),
        ]
    }
}

fn rows(r: &Reconciliation) -> String {
    let mut s = format!(
        "读入 {} 行 = 符合 {} + 不符合 {} + 待补充数据 {} + 退回 {}",
        r.rows, r.eligible, r.ineligible, r.undetermined, r.rejected
    );
    if r.blank > 0 {
        let _ = write!(s, "（另有空行 {} 行未计）", r.blank);
    }
    s
}

fn totals_line(t: &Totals) -> String {
    format!("原库 {} 元 → 新库 {} 元，增减 {} 元", money(t.before), money(t.after), signed(t.delta()))
}

fn by_policy(impact: &Impact) -> Table<'_> {
    let mut rows: Vec<Vec<Cell>> = impact
        .policies
        .iter()
        .map(|p| {
            let mut row = vec![
                Cell::Text(p.policy.clone()),
                Cell::Text(p.title.clone()),
                Cell::Text(p.department.clone()),
                Cell::Text(p.presence.word().to_string()),
                Cell::Count(p.eligible_before),
                Cell::Count(p.eligible_after),
                Cell::Money(p.before),
                Cell::Money(p.after),
                Cell::Delta(p.delta()),
            ];
            row.extend(Kind::ALL.iter().map(|k| Cell::Count(p.count(*k))));
            row
        })
        .collect();
    let sum = |f: fn(&huiqi_screen::diff::PolicyImpact) -> u64| impact.policies.iter().map(f).sum::<u64>();
    let mut total = vec![
        Cell::Text("合计".into()),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Text(String::new()),
        Cell::Count(sum(|p| p.eligible_before)),
        Cell::Count(sum(|p| p.eligible_after)),
        Cell::Money(impact.total.before),
        Cell::Money(impact.total.after),
        Cell::Delta(impact.total.delta()),
    ];
    total.extend(Kind::ALL.iter().map(|k| Cell::Count(impact.count(*k) as u64)));
    rows.push(total);
    Table {
        title: "按政策".into(),
        header: vec![
            "政策编码",
            "政策名称",
            "主管部门",
            "说明",
            "原库符合(家)",
            "新库符合(家)",
            "原库金额(元)",
            "新库金额(元)",
            "增减(元)",
            "新符合(家)",
            "不再符合(家)",
            "增加(家)",
            "减少(家)",
        ],
        rows: Rows::Cells(rows),
    }
}

/// Money before and after for each of `groups`, and their total.
fn group<'a>(title: &str, name: &'static str, groups: &[Totals], total: &Totals) -> Table<'a> {
    let row = |t: &Totals, name: &str| {
        vec![
            Cell::Text(name.to_string()),
            Cell::Money(t.before),
            Cell::Money(t.after),
            Cell::Delta(t.delta()),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = groups.iter().map(|g| row(g, &g.name)).collect();
    rows.push(row(total, "合计"));
    let mut header = vec![name];
    header.extend(GROUP_HEADER);
    Table { title: title.into(), header, rows: Rows::Cells(rows) }
}
