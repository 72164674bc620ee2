//! The pipeline: a reader thread → rayon-parallel evaluation, one chunk at a time → a writer
//! thread, joined by bounded channels, so memory holds a few chunks whatever the registry's
//! size. Chunks are evaluated in order and `collect` keeps order within one, so the output is in
//! registry order and the same whatever the thread count.
//!
//! What grows with the registry: the set of codes seen (for duplicates, about 40 bytes a row)
//! and, for XLSX, calamine's shared-string table. Everything else is per chunk or per policy.

use std::sync::atomic::Ordering;

use crossbeam_channel::bounded;
use rayon::prelude::*;

use crate::registry::{RawRow, Registry, RegistryError};
use crate::screen::{Options, Progress, ScreenError};

/// Chunks in circulation: one being read, two queued, one being evaluated.
const CHUNKS: usize = 4;

/// The most codes the duplicate check makes room for before the first row (a table of about
/// 300 MB, mostly untouched until used); a bigger registry grows it as it goes.
const MAX_PRESIZED: u64 = 10_000_000;

/// What the evaluation threads make of each raw row: one library's [`crate::evaluate::Evaluator`]
/// for a screening, or two side by side for 政策沙盘 (`crate::diff`). Generic rather than a trait
/// object: the row is the hot path, and each kind of run gets its own loop.
pub(crate) trait Stage: Sync {
    /// Each piece of a chunk starts with one: the facts buffers rows are read into.
    type Scratch;
    /// What one row becomes, handed to the writer in registry order.
    type Out: Send;
    fn scratch(&self) -> Self::Scratch;
    fn row(&self, raw: &RawRow, scratch: &mut Self::Scratch) -> Self::Out;
}

/// The rows a registry is expected to have, for sizing the duplicate check up front (about 500
/// bytes a row): growing it to a million codes rehashes it over and over, and at the last
/// doubling holds the old table beside the new. At most [`MAX_PRESIZED`]; on a target where even
/// that is too many, the table grows as it goes.
pub(crate) fn expected_rows(registry: &Registry) -> usize {
    let rows = registry.rows_total.or(registry.bytes_total.map(|b| b / 512)).unwrap_or(0).min(MAX_PRESIZED);
    usize::try_from(rows).unwrap_or(0)
}

/// Reads every row, makes each into `stage`'s output and hands them to `take`, in registry order;
/// gives back the blank rows skipped.
pub(crate) fn run<S: Stage>(
    mut registry: Registry,
    options: &Options,
    stage: &S,
    mut take: impl FnMut(S::Out) -> Result<(), ScreenError> + Send,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<u64, ScreenError> {
    let pool = match options.threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| ScreenError::Threads(e.to_string()))?,
        ),
        None => None,
    };
    let bytes = registry.bytes_read.clone();
    let (bytes_total, rows_total) = (registry.bytes_total, registry.rows_total);
    let chunk_rows = options.chunk_rows.max(1);

    let (rows_tx, rows_rx) = bounded::<Vec<RawRow>>(2);
    let (done_tx, done_rx) = bounded::<Vec<S::Out>>(2);
    // Chunks read and evaluated, back to the reader to be read into again: a fixed set of
    // chunks goes round, so the rows' buffers are made once (fresh pages are costly).
    let (back_tx, back_rx) = bounded::<Vec<RawRow>>(CHUNKS);
    let (read, written) = std::thread::scope(|s| -> Result<_, ScreenError> {
        let reader = spawn(s, "huiqi-read", move || -> Result<u64, RegistryError> {
            let mut made = 0;
            loop {
                let mut chunk = if made < CHUNKS {
                    made += 1;
                    Vec::with_capacity(chunk_rows)
                } else {
                    match back_rx.recv() {
                        Ok(chunk) => chunk,
                        // The evaluation stopped early.
                        Err(_) => return Ok(registry.blank),
                    }
                };
                let mut n = 0;
                while n < chunk_rows {
                    let more = match chunk.get_mut(n) {
                        Some(row) => registry.next_row_into(row)?,
                        None => match registry.next_row()? {
                            Some(row) => {
                                chunk.push(row);
                                true
                            }
                            None => false,
                        },
                    };
                    if !more {
                        break;
                    }
                    n += 1;
                }
                chunk.truncate(n);
                let last = chunk.len() < chunk_rows;
                if (!chunk.is_empty() && rows_tx.send(chunk).is_err()) || last {
                    return Ok(registry.blank);
                }
            }
        })?;
        let writer = spawn(s, "huiqi-write", move || -> Result<(), ScreenError> {
            for chunk in done_rx {
                for row in chunk {
                    take(row)?;
                }
            }
            Ok(())
        })?;
        let mut rows = 0u64;
        for chunk in rows_rx.iter() {
            let count = chunk.len() as u64;
            let evaluate = || {
                chunk
                    .par_iter()
                    // Pieces of at least 256 rows: each starts with a copy of the defaults.
                    .with_min_len(256)
                    .map_init(|| stage.scratch(), |scratch, r| stage.row(r, scratch))
                    .collect::<Vec<S::Out>>()
            };
            let done = match &pool {
                Some(pool) => pool.install(evaluate),
                None => evaluate(),
            };
            rows += count;
            // Back to the reader; it has room for every chunk there is, and if it has stopped
            // (an error, said by its join below) the chunk is not needed.
            let _ = back_tx.send(chunk);
            if done_tx.send(done).is_err() {
                break;
            }
            progress(Progress { rows, bytes: bytes.load(Ordering::Relaxed), bytes_total, rows_total });
        }
        // Stopping early (the writer failed): let the reader see the channels close.
        drop(rows_rx);
        drop(back_tx);
        drop(done_tx);
        let written =
            writer.join().unwrap_or_else(|_| Err(ScreenError::Threads("the writer stopped".into())));
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(RegistryError::Io(std::io::Error::other("the reader stopped"))));
        Ok((read, written))
    })?;
    written?;
    read.map_err(ScreenError::from)
}

/// A named scoped thread: names show in profiles.
fn spawn<'scope, 'env, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>, ScreenError> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn_scoped(s, f)
        .map_err(|e| ScreenError::Threads(e.to_string()))
}
