//! Why by hand and not `csv::Reader`: it earns its keep (docs/performance.md, callgrind, 30k
//! rows, one thread): splitting lines here instead of through `csv::Reader` took the work per row
//! from 56,400 to 53,400 instructions (−5%), and splitting eight bytes at a time was part of
//! 38,900 → 37,700; reading lines is the reader thread's work, ~10% of a run's samples.
//!
//! Splitting a CSV byte stream into records, as `csv::Reader` does (no header row, any number of
//! fields, `\n`, `\r\n` or `\r` ending a line, blank lines skipped), but faster on what a
//! registry is made of: a line with no stray `\r` whose quoted fields (`"5,651,256.76"`) hold
//! no quote or line break is split at its commas, eight bytes at a time; any other record is read by
//! `csv_core`, the state machine under `csv::Reader`.
//! A test compares the two on generated text, quotes, line breaks inside quotes and all.
//!
//! A record's line is where it starts: one more than the line breaks before its first byte.
//! (`csv::Reader`'s positions lag there: after a `\r\n` line they still count the line before,
//! and after blank lines they name the first blank one.)

use std::io::Read;

use csv::ByteRecord;
use csv_core::ReadRecordResult;

/// Bytes read at a time; a longer line grows the buffer.
const BUFFER: usize = 256 * 1024;

/// One CSV record: its bytes, and where each field lies in them. A split line keeps its
/// delimiters and quotes in `bytes` (one copy of the line, no copy per field); a record read by
/// `csv_core` has its fields end to end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    bytes: Vec<u8>,
    fields: Vec<(usize, usize)>,
    /// Every field starts and ends next to an ASCII delimiter (or an end of the line), so once
    /// `bytes` is UTF-8 each field is whole characters.
    split: bool,
}

impl Record {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn range(&self, i: usize) -> Option<std::ops::Range<usize>> {
        self.fields.get(i).map(|(from, to)| *from..*to)
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.range(i).and_then(|r| self.bytes.get(r))
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// All the bytes the fields are in.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether every field is whole characters when [`Record::bytes`] is UTF-8.
    pub fn split_at_delimiters(&self) -> bool {
        self.split
    }

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.fields.clear();
    }

    fn push(&mut self, from: usize, to: usize) {
        self.fields.push((from, to));
    }
}

impl From<&Record> for ByteRecord {
    fn from(record: &Record) -> ByteRecord {
        record.iter().collect()
    }
}

pub struct Records<R> {
    input: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// Line breaks read so far.
    newlines: u64,
    core: csv_core::Reader,
    /// `csv_core`'s output buffers, for the records it reads.
    fields: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: Read> Records<R> {
    pub fn new(input: R) -> Records<R> {
        Records::with_capacity(input, BUFFER)
    }

    fn with_capacity(input: R, capacity: usize) -> Records<R> {
        Records {
            input,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
            eof: false,
            newlines: 0,
            core: csv_core::Reader::new(),
            fields: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The next record into `record` (its buffers reused), with the line it is on; `None` at
    /// the end.
    pub fn read(&mut self, record: &mut Record) -> std::io::Result<Option<u64>> {
        record.clear();
        if !self.skip_breaks()? {
            return Ok(None);
        }
        let line = self.newlines + 1;
        let Some(length) = self.line_length()? else { return Ok(None) };
        let rest = unread(&self.buf, self.start, self.end);
        debug_assert!(length <= rest.len());
        // PANIC SAFETY: `line_length` gives at most the unread length.
        #[allow(clippy::indexing_slicing)]
        let text = &rest[..length];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        // Past the line and its `\n`, if it has one (the last line may not).
        let next = (length + 1).min(rest.len());
        let newline = rest.get(length) == Some(&b'\n');
        if memchr::memchr(b'\r', text).is_some() || !split_line(text, record) {
            record.clear();
            return self.read_core(record, line);
        }
        self.newlines += u64::from(newline);
        self.start += next;
        Ok(Some(line))
    }

    /// Past the line breaks at `start`: blank lines, which hold no record. `false` at the end.
    fn skip_breaks(&mut self) -> std::io::Result<bool> {
        loop {
            let rest = unread(&self.buf, self.start, self.end);
            let breaks = rest.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            // PANIC SAFETY: `breaks` counts bytes of `rest`.
            #[allow(clippy::indexing_slicing)]
            let skipped = &rest[..breaks];
            self.newlines += memchr::memchr_iter(b'\n', skipped).count() as u64;
            self.start += breaks;
            if breaks < rest.len() {
                return Ok(true);
            }
            if self.eof {
                return Ok(false);
            }
            self.fill()?;
        }
    }

    /// The length of the line at `start` (without its `\n`), once the buffer holds all of it or
    /// the input has ended; `None` when nothing is left.
    fn line_length(&mut self) -> std::io::Result<Option<usize>> {
        let mut searched = 0;
        loop {
            let rest = unread(&self.buf, self.start, self.end);
            if let Some(at) = rest.get(searched..).and_then(|r| memchr::memchr(b'\n', r)) {
                return Ok(Some(searched + at));
            }
            searched = rest.len();
            if self.eof {
                return Ok((!rest.is_empty()).then_some(rest.len()));
            }
            self.fill()?;
        }
    }

    /// Reads more input after what is unread, moving that to the front (or growing the buffer
    /// when it is all unread).
    fn fill(&mut self) -> std::io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        debug_assert!(self.end <= self.buf.len());
        // PANIC SAFETY: `end` is at most the buffer's length (see `unread`).
        #[allow(clippy::indexing_slicing)]
        let free = &mut self.buf[self.end..];
        let n = loop {
            match self.input.read(free) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        self.eof = n == 0;
        Ok(())
    }

    /// One record the way `csv::Reader` reads it: quotes, line breaks inside them, lone `\r`.
    fn read_core(&mut self, record: &mut Record, line: u64) -> std::io::Result<Option<u64>> {
        // From a clean start: records before this one were split without it.
        self.core.reset();
        let (mut out, mut ends) = (0, 0);
        loop {
            let input = unread(&self.buf, self.start, self.end);
            debug_assert!(out <= self.fields.len() && ends <= self.ends.len());
            // PANIC SAFETY: `out` and `ends` add up what `csv_core` wrote into the rest of
            // `fields` and `ends`, so they are at most their lengths (which only grow); `csv_core`
            // reads at most its input, so `nin` is at most its length.
            #[allow(clippy::indexing_slicing)]
            let (result, nin, nout, nend) =
                self.core.read_record(input, &mut self.fields[out..], &mut self.ends[ends..]);
            debug_assert!(nin <= input.len());
            #[allow(clippy::indexing_slicing)]
            let read = &input[..nin];
            self.newlines += memchr::memchr_iter(b'\n', read).count() as u64;
            self.start += nin;
            out += nout;
            ends += nend;
            match result {
                // An empty input tells `csv_core` the data has ended.
                ReadRecordResult::InputEmpty if !self.eof => self.fill()?,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.fields.resize(self.fields.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    debug_assert!(out <= self.fields.len() && ends <= self.ends.len());
                    // PANIC SAFETY: as above, what `csv_core` wrote.
                    #[allow(clippy::indexing_slicing)]
                    let (fields, field_ends) = (&self.fields[..out], &self.ends[..ends]);
                    record.bytes.extend_from_slice(fields);
                    let mut from = 0;
                    for end in field_ends {
                        record.push(from, *end);
                        from = *end;
                    }
                    record.split = false;
                    return Ok(Some(line));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }
}

/// The unread bytes, `buf[start..end]`.
fn unread(buf: &[u8], start: usize, end: usize) -> &[u8] {
    debug_assert!(start <= end && end <= buf.len());
    // PANIC SAFETY: `end` grows only by what `read` put into `buf[end..]`, `start` only past
    // unread bytes (a line, line breaks, what `csv_core` read), and `fill` moves both down alike.
    #[allow(clippy::indexing_slicing)]
    &buf[start..end]
}

/// A line's fields into `record`: split at commas, a field in quotes (`"5,651,256.76"`) taken
/// from between them. `false` for what only `csv_core` reads right: a doubled quote, a quote
/// inside a field, a quote left open (a line break inside the field).
fn split_line(text: &[u8], record: &mut Record) -> bool {
    record.bytes.extend_from_slice(text);
    record.split = true;
    let mut line = Line { from: 0, open: None, closed: None };
    // Eight bytes at a time: a registry line has a comma every few bytes, where a SIMD search
    // started again at each costs more than it saves.
    let mut chunks = text.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        // `chunks_exact(8)` gives eight bytes, so the conversion never fails (and compiles to a
        // plain load); were it to, the word would mark no delimiter and the line's fields would
        // not add up, which `split_line`'s caller checks against `csv_core` in the tests.
        let word = <[u8; 8]>::try_from(chunk).map(u64::from_le_bytes).unwrap_or(0);
        if !line.marks(delimiters(word), base, text, record) {
            return false;
        }
        // A line is shorter than memory: `base` stays below its length.
        base = base.wrapping_add(8);
    }
    let mut tail = [0u8; 8];
    tail.iter_mut().zip(chunks.remainder()).for_each(|(t, r)| *t = *r);
    if !line.marks(delimiters(u64::from_le_bytes(tail)), base, text, record) {
        return false;
    }
    match (line.open, line.closed) {
        (Some(_), _) => false,
        (None, Some(c)) => c + 1 == text.len(),
        (None, None) => {
            record.push(line.from, text.len());
            true
        }
    }
}

/// Where splitting a line stands: the field's start, and an open or just closed quote.
struct Line {
    from: usize,
    open: Option<usize>,
    closed: Option<usize>,
}

impl Line {
    /// The delimiters marked in `marks` (see [`delimiters`]) of the eight bytes at `base`;
    /// `false` for a quote `split_line` leaves to `csv_core`. Inlined into the loop over the
    /// line's words, where it was before the overflow checks made it too large to inline by
    /// itself (−4% of a run's instructions).
    #[inline(always)]
    fn marks(&mut self, mut marks: u64, base: usize, text: &[u8], record: &mut Record) -> bool {
        // Wrapping arithmetic where it cannot wrap, so the release build's overflow checks add no
        // branch to the innermost loop of a registry run (+6% of a run's instructions measured):
        // `marks` is not zero here, and `base + 7` is inside the line.
        while marks != 0 {
            let at = base.wrapping_add((marks.trailing_zeros() / 8) as usize);
            marks &= marks.wrapping_sub(1);
            let quote = text.get(at) == Some(&b'"');
            if let Some(q) = self.open {
                // A comma inside quotes is text; a quote closes them.
                if quote {
                    record.push(q + 1, at);
                    (self.open, self.closed) = (None, Some(at));
                }
                continue;
            }
            if let Some(c) = self.closed.take() {
                // Right after a closing quote, only a comma may come.
                if quote || at != c + 1 {
                    return false;
                }
            } else if quote {
                if at != self.from {
                    return false;
                }
                self.open = Some(at);
                continue;
            } else {
                record.push(self.from, at);
            }
            self.from = at + 1;
        }
        true
    }
}

/// The high bit of each byte of `word` that is a comma or a quote (exact: no carry crosses
/// bytes).
fn delimiters(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    // Each byte adds at most 0x7F + 0x7F = 0xFE, so the sum never carries out (nor wraps).
    let zero_bytes = |x: u64| !((x & LOW7).wrapping_add(LOW7) | x | LOW7);
    zero_bytes(word ^ u64::from_le_bytes([b','; 8])) | zero_bytes(word ^ u64::from_le_bytes([b'"'; 8]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Read = Vec<(u64, Vec<Vec<u8>>)>;

    proptest! {
        #[test]
        fn delimiters_are_the_commas_and_quotes(word in proptest::array::uniform8(prop_oneof![Just(b','), Just(b'"'), Just(0u8), Just(0x80u8), any::<u8>()])) {
            let marks = delimiters(u64::from_le_bytes(word));
            let expected = word.iter().enumerate().filter(|(_, b)| matches!(b, b',' | b'"')).fold(0u64, |m, (i, _)| m | 0x80 << (8 * i));
            prop_assert_eq!(marks, expected);
        }
    }

    /// The records `csv::Reader` reads, each on the line of its first byte: past the line breaks
    /// at the position it gives (see the module's doc).
    fn by_csv(text: &[u8]) -> Read {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            let at = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
            let before = &text[..at];
            let breaks = text[at..].iter().take_while(|b| matches!(b, b'\r' | b'\n'));
            let newlines = before.iter().chain(breaks).filter(|b| **b == b'\n').count();
            let line = newlines as u64 + 1;
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    fn by_split(text: &[u8], capacity: usize) -> Read {
        let mut records = Records::with_capacity(text, capacity);
        let mut record = Record::default();
        let mut out = Vec::new();
        while let Ok(Some(line)) = records.read(&mut record) {
            out.push((line, record.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any text, any buffer size: the same records on the same lines as `csv::Reader`.
        #[test]
        fn records_and_lines_are_csv_readers(
            text in proptest::collection::vec(
                prop_oneof![Just(b'a'), Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), Just(b' '), Just(0xE7)],
                0..80,
            ),
            capacity in 1usize..40,
        ) {
            prop_assert_eq!(by_split(&text, capacity), by_csv(&text));
        }
    }

    #[test]
    fn a_registry_like_file_reads_the_same() {
        let text =
            "代码,名称,金额\r\n\r\n9136,\"赣州, 某公司\",12.5\n9137,某\"厂\",\n\n9138,\"两\n行\",7\r9139,a,b";
        assert_eq!(by_split(text.as_bytes(), 7), by_csv(text.as_bytes()));
        assert_eq!(by_split(text.as_bytes(), BUFFER), by_csv(text.as_bytes()));
    }
}
