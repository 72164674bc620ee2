//! 政策沙盘 on the bundled library and a generated registry: a copy of the library with one policy
//! changed reports exactly the enterprises that policy touches, and every comparison agrees with
//! two screenings run apart and joined by hand.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine};
use huiqi_screen::diff::{Change, Impact, Kind, Presence, Sandbox, Status};
use huiqi_screen::generate::{self, GenOptions};
use huiqi_screen::{Ledger, MemorySink, Options, Registry, Screening};
use rust_decimal::Decimal;

const ROWS: u64 = 1500;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies").canonicalize().unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A copy of the bundled library in a temporary directory.
fn library_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled(), dir.path());
    dir
}

/// Replaces `from` by `to` in the library file `file`, which must hold it once.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

fn engine(dir: &Path) -> Engine {
    let sources = SourceSet::load(&[dir.to_path_buf()]).unwrap();
    let checked = sources.check();
    let errors: Vec<String> = sources
        .diagnostics(&checked)
        .iter()
        .filter(|d| d.diagnostic.is_error())
        .map(|d| sources.render(d, huiqi_dsl::Style::plain(huiqi_dsl::Locale::En)))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("calendar"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let texts: Vec<(String, String)> =
        files.iter().map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap())).collect();
    let calendar = Calendar::from_sources(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).unwrap();
    Engine::from_sources(&sources, calendar).unwrap()
}

fn base_engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| engine(&bundled()))
}

/// A generated registry for the bundled library (rows spoiled on purpose included), in which every
/// 10th enterprise is also newly in the 规上工业 statistics of last year: gxj-02, whose amount a
/// test doubles, pays about one enterprise in 5,000 of a generated registry (its two facts are
/// each read by two policies of seventeen), too few for a registry a debug build screens quickly.
fn registry_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let mut out = Vec::new();
        generate::write(base_engine(), &GenOptions { rows: ROWS, seed: 17, as_of: as_of() }, &mut out)
            .unwrap();
        patch(&out, 10, &[("首次纳入规上统计年度", "2025"), ("规上统计专业", "规上工业")])
    })
}

/// `csv` with `cells` set in every `every`-th record.
fn patch(csv: &[u8], every: usize, cells: &[(&str, &str)]) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv);
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut records = reader.records();
    let header = records.next().unwrap().unwrap();
    let at: Vec<(usize, &str)> = cells
        .iter()
        .map(|(column, value)| (header.iter().position(|h| h == *column).unwrap(), *value))
        .collect();
    writer.write_record(&header).unwrap();
    for (i, record) in records.enumerate() {
        let record = record.unwrap();
        let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
        if i % every == 0 && fields.len() == header.len() {
            for (column, value) in &at {
                fields[*column] = (*value).to_string();
            }
        }
        writer.write_record(&fields).unwrap();
    }
    writer.into_inner().unwrap()
}

fn registry() -> Registry {
    Registry::csv("generated.csv", std::io::Cursor::new(registry_bytes().to_vec())).unwrap()
}

fn options() -> Options {
    let mut o = Options::new(as_of());
    o.chunk_rows = 200;
    o
}

fn compare(new: &Engine) -> Impact {
    let ledger = Ledger::default();
    let sandbox = Sandbox::new(base_engine(), new, registry(), &ledger, options()).unwrap();
    let impact = sandbox.run(&|_| {}).unwrap();
    assert_eq!(impact.base.rows.rows, ROWS);
    assert_eq!(impact.new.rows.rows, ROWS);
    impact
}

/// What one library does with each enterprise × policy, screened on its own: the status and
/// amount in 分 of every pair it pays or leaves undetermined, the rows rejected, the policies.
struct Alone {
    pairs: BTreeMap<(u64, String), (Status, i64)>,
    rejected: BTreeSet<u64>,
    policies: BTreeSet<String>,
    summary: huiqi_screen::Summary,
    sink: MemorySink,
}

fn alone(engine: &Engine) -> Alone {
    let ledger = Ledger::default();
    let screening = Screening::new(engine, registry(), &ledger, options()).unwrap();
    let policies = screening.policy_ids().into_iter().collect();
    let mut sink = MemorySink::default();
    let summary = screening.run(&mut sink, &|_| {}).unwrap();
    let mut pairs = BTreeMap::new();
    for p in &sink.payouts {
        let fen = i64::try_from((p.amount * Decimal::ONE_HUNDRED).trunc()).unwrap();
        assert!(pairs.insert((p.line, p.policy.to_string()), (Status::Paid, fen)).is_none());
    }
    for u in &sink.undetermined {
        assert!(pairs.insert((u.line, u.policy.to_string()), (Status::Undetermined, 0)).is_none());
    }
    let rejected = sink.rejects.iter().map(|r| r.line).collect();
    Alone { pairs, rejected, policies, summary, sink }
}

/// Enterprise × policy (row, id) → each library's status and amount in 分.
type Pairs = BTreeMap<(u64, String), ((Status, i64), (Status, i64))>;

/// The changes two screenings run apart give, joined by hand: `(line, policy) → (before, after)`.
fn expected(base: &Alone, new: &Alone) -> Pairs {
    let status = |side: &Alone, key: &(u64, String)| -> (Status, i64) {
        side.pairs.get(key).copied().unwrap_or(if !side.policies.contains(&key.1) {
            (Status::Absent, 0)
        } else if side.rejected.contains(&key.0) {
            (Status::Rejected, 0)
        } else {
            (Status::Ineligible, 0)
        })
    };
    let keys: BTreeSet<&(u64, String)> = base.pairs.keys().chain(new.pairs.keys()).collect();
    keys.into_iter()
        .map(|k| (k.clone(), (status(base, k), status(new, k))))
        .filter(|(_, (b, a))| b.1 != a.1)
        .collect()
}

fn found(impact: &Impact) -> Pairs {
    impact
        .changes
        .iter()
        .map(|c| {
            let policy = impact.policy_of(c).unwrap().policy.clone();
            ((c.line, policy), ((c.before, c.before_fen), (c.after, c.after_fen)))
        })
        .collect()
}

/// The comparison is the two screenings run apart and joined: the same changes, and each
/// library's summary the one its own screening gives.
fn agrees_with_two_screenings(impact: &Impact, new: &Engine) -> (Alone, Alone) {
    let (base, new) = (alone(base_engine()), alone(new));
    assert_eq!(found(impact), expected(&base, &new));
    assert_eq!(impact.base, base.summary);
    assert_eq!(impact.new, new.summary);
    // In registry order, each named as the registry names it.
    assert!(impact.changes.windows(2).all(|w| w[0].line <= w[1].line));
    let names: BTreeMap<u64, (&str, &str)> = base
        .sink
        .payouts
        .iter()
        .chain(&new.sink.payouts)
        .map(|p| (p.line, (p.uscc.as_str(), p.name.as_str())))
        .collect();
    for c in &impact.changes {
        if let Some((uscc, name)) = names.get(&c.line) {
            assert_eq!((c.uscc.as_str(), c.name.as_str()), (*uscc, *name));
        }
        assert_eq!(c.uscc.len(), 18, "{c:?}");
    }
    (base, new)
}

fn unchanged_but(impact: &Impact, policies: &[&str]) {
    for p in &impact.policies {
        if !policies.contains(&p.policy.as_str()) {
            assert_eq!((p.before, p.eligible_before), (p.after, p.eligible_after), "{}", p.policy);
            assert_eq!(Kind::ALL.map(|k| p.count(k)), [0; 4], "{}", p.policy);
        }
    }
    assert!(impact.changes.iter().all(|c| policies.contains(&impact.policy_of(c).unwrap().policy.as_str())));
}

#[test]
fn doubling_one_amount_doubles_exactly_its_enterprises_and_nothing_else() {
    let dir = library_copy();
    edit(dir.path(), "gxj/gxj-02.hq", "奖励 5万元", "奖励 10万元");
    let new = engine(dir.path());
    let impact = compare(&new);
    let (base, _) = agrees_with_two_screenings(&impact, &new);

    // Exactly the enterprises gxj-02 paid, each twice its amount.
    let paid: BTreeMap<u64, i64> = base
        .pairs
        .iter()
        .filter(|((_, p), (s, _))| p == "gxj-02" && *s == Status::Paid)
        .map(|((line, _), (_, fen))| (*line, *fen))
        .collect();
    assert!(paid.len() >= 10, "{} enterprises paid by gxj-02", paid.len());
    let changed: BTreeMap<u64, &Change> = impact.changes.iter().map(|c| (c.line, c)).collect();
    assert_eq!(changed.keys().collect::<Vec<_>>(), paid.keys().collect::<Vec<_>>());
    for (line, fen) in &paid {
        let c = changed[line];
        assert_eq!(impact.policy_of(c).unwrap().policy, "gxj-02");
        assert_eq!((c.before_fen, c.after_fen), (*fen, 2 * fen));
        assert_eq!((c.before, c.after, c.kind()), (Status::Paid, Status::Paid, Kind::Gains));
        assert_eq!(c.before_fen, 5_000_000);
    }
    assert_eq!(impact.count(Kind::Gains), paid.len());
    assert_eq!(impact.enterprises(), paid.len());

    // The policy's total doubles; nothing else changes.
    let gxj02 = impact.policies.iter().find(|p| p.policy == "gxj-02").unwrap();
    assert_eq!(gxj02.after, gxj02.before * Decimal::TWO);
    assert_eq!((gxj02.eligible_before, gxj02.eligible_after), (paid.len() as u64, paid.len() as u64));
    assert_eq!(gxj02.gains, paid.len() as u64);
    unchanged_but(&impact, &["gxj-02"]);
    let delta = gxj02.delta();
    assert_eq!(impact.total.delta(), delta);
    for d in &impact.departments {
        let expected = if d.name == gxj02.department { delta } else { Decimal::ZERO };
        assert_eq!(d.delta(), expected, "{}", d.name);
    }
    // Each payer and funder by what gxj-02 paid through it.
    let mut by_payer: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut by_funder: BTreeMap<String, Decimal> = BTreeMap::new();
    for p in base.sink.payouts.iter().filter(|p| p.policy == "gxj-02") {
        *by_payer.entry(p.payer.to_string()).or_default() += p.amount;
        for s in &p.shares {
            *by_funder.entry(s.funder.to_string()).or_default() += s.amount;
        }
    }
    for p in &impact.payers {
        assert_eq!(p.delta(), by_payer.get(&p.name).copied().unwrap_or_default(), "{}", p.name);
    }
    for f in &impact.funders {
        assert_eq!(f.delta(), by_funder.get(&f.name).copied().unwrap_or_default(), "{}", f.name);
    }
    assert_eq!(impact.funders.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["市", "区"]);
    // The largest changes: the first 20 of them, all the same size.
    assert_eq!(impact.largest.len(), 20.min(paid.len()));
    let first: Vec<u64> = paid.keys().take(20).copied().collect();
    assert_eq!(impact.largest().map(|c| c.line).collect::<Vec<_>>(), first);
}

#[test]
fn a_changed_threshold_or_a_new_tier_makes_some_qualify_stop_or_gain() {
    let dir = library_copy();
    // A threshold raised: those who brought in one or two people stop qualifying.
    edit(dir.path(), "rcb/rcb-13.hq", "引进人数 在 1人 以上", "引进人数 在 3人 以上");
    // A window widened: those listed the year before last qualify too.
    edit(
        dir.path(),
        "jrzx/jrzx-17.hq",
        "年份(新三板挂牌日期) 在 评估年度 - 1 以上",
        "年份(新三板挂牌日期) 在 评估年度 - 2 以上",
    );
    // A new tier: 市级 platforms get 8万元 rather than 5万元.
    edit(
        dir.path(),
        "kjj/kjj-07.hq",
        "否则 5万元",
        "否则 如果 创新平台认定级别 为 \"市级\" 那么 8万元 否则 5万元",
    );
    let new = engine(dir.path());
    let impact = compare(&new);
    agrees_with_two_screenings(&impact, &new);
    unchanged_but(&impact, &["rcb-13", "jrzx-17", "kjj-07"]);
    let policy = |id: &str| impact.policies.iter().find(|p| p.policy == id).unwrap();
    let (rcb13, jrzx17, kjj07) = (policy("rcb-13"), policy("jrzx-17"), policy("kjj-07"));
    let of = |id: &str| -> Vec<&Change> {
        impact.changes.iter().filter(|c| impact.policy_of(c).unwrap().policy == id).collect()
    };

    assert!(rcb13.stops > 0, "{rcb13:?}");
    assert_eq!((rcb13.qualifies, rcb13.gains, rcb13.loses), (0, 0, 0));
    assert_eq!(rcb13.eligible_after, rcb13.eligible_before - rcb13.stops);
    for c in of("rcb-13") {
        assert!([1_000_000, 2_000_000].contains(&c.before_fen), "{c:?}");
        assert_eq!(
            (c.before, c.after, c.after_fen, c.kind()),
            (Status::Paid, Status::Ineligible, 0, Kind::Stops)
        );
    }

    assert!(jrzx17.qualifies > 0, "{jrzx17:?}");
    assert_eq!((jrzx17.stops, jrzx17.gains, jrzx17.loses), (0, 0, 0));
    assert_eq!(jrzx17.eligible_after, jrzx17.eligible_before + jrzx17.qualifies);
    for c in of("jrzx-17") {
        assert_eq!((c.before_fen, c.after, c.kind()), (0, Status::Paid, Kind::Qualifies));
        // 区级 100万 or 150万, with the city's fixed 120万.
        assert!([220_000_000, 270_000_000].contains(&c.after_fen), "{c:?}");
    }

    assert!(kjj07.gains > 0, "{kjj07:?}");
    assert_eq!((kjj07.qualifies, kjj07.stops, kjj07.loses), (0, 0, 0));
    for c in of("kjj-07") {
        assert_eq!((c.before_fen, c.after_fen), (5_000_000, 8_000_000));
    }

    for p in [rcb13, jrzx17, kjj07] {
        let listed: Decimal = of(&p.policy).into_iter().map(Change::delta).sum();
        assert_eq!(p.delta(), listed, "{}", p.policy);
    }
    assert_eq!(impact.total.delta(), impact.changes.iter().map(Change::delta).sum::<Decimal>());
}

#[test]
fn a_policy_removed_is_all_gone_and_one_added_is_all_new() {
    let dir = library_copy();
    std::fs::remove_file(dir.path().join("scj/scj-12.hq")).unwrap();
    std::fs::remove_file(dir.path().join("scj/scj-12.test.json")).unwrap();
    let text = std::fs::read_to_string(dir.path().join("gxj/gxj-02.hq")).unwrap();
    let added = text
        .replace("政策 gxj-02 \"入规上户奖励\"", "政策 gxj-99 \"入规上户奖励（试行）\"")
        .replace("奖励 5万元", "奖励 1万元");
    std::fs::write(dir.path().join("gxj/gxj-99.hq"), added).unwrap();
    let new = engine(dir.path());
    let impact = compare(&new);
    let (base, new_alone) = agrees_with_two_screenings(&impact, &new);
    unchanged_but(&impact, &["scj-12", "gxj-99"]);
    let policy = |id: &str| impact.policies.iter().find(|p| p.policy == id).unwrap();
    let (gone, added) = (policy("scj-12"), policy("gxj-99"));
    assert_eq!(gone.presence, Presence::BaseOnly);
    assert_eq!(added.presence, Presence::NewOnly);
    assert_eq!(impact.policies.last().unwrap().policy, "gxj-99");
    assert_eq!(gone.after, Decimal::ZERO);
    assert_eq!(gone.stops, base.sink.payouts.iter().filter(|p| p.policy == "scj-12").count() as u64);
    assert_eq!(added.before, Decimal::ZERO);
    assert_eq!(
        added.qualifies,
        new_alone.sink.payouts.iter().filter(|p| p.policy == "gxj-99").count() as u64
    );
    assert!(gone.stops > 0 && added.qualifies > 0);
    for c in &impact.changes {
        match impact.policy_of(c).unwrap().policy.as_str() {
            "scj-12" => assert_eq!((c.after, c.kind()), (Status::Absent, Kind::Stops)),
            _ => assert_eq!((c.before, c.after_fen), (Status::Absent, 1_000_000)),
        }
    }
}

#[test]
fn the_same_library_changes_nothing() {
    let impact = compare(base_engine());
    assert!(impact.changes.is_empty());
    assert!(impact.largest.is_empty());
    assert_eq!(impact.base, impact.new);
    assert!(impact.policies.iter().all(|p| p.before == p.after && p.presence == Presence::Both));
    assert!(impact.total.before > Decimal::ZERO);
}

#[test]
fn the_same_whatever_the_threads_and_chunks() {
    let dir = library_copy();
    edit(dir.path(), "rcb/rcb-13.hq", "引进人数 在 1人 以上", "引进人数 在 3人 以上");
    let new = engine(dir.path());
    let ledger = Ledger::default();
    let run = |threads, chunk_rows| {
        let mut o = options();
        o.threads = Some(threads);
        o.chunk_rows = chunk_rows;
        Sandbox::new(base_engine(), &new, registry(), &ledger, o).unwrap().run(&|_| {}).unwrap()
    };
    assert_eq!(run(1, 7), run(3, 512));
}

#[test]
fn asking_for_some_policies_only_is_refused_in_chinese() {
    let ledger = Ledger::default();
    let mut o = options();
    o.policies = vec!["gxj-02".into()];
    let error = Sandbox::new(base_engine(), base_engine(), registry(), &ledger, o).err().unwrap();
    assert!(error.to_string().contains("全部免申即享政策"), "{error}");
}
