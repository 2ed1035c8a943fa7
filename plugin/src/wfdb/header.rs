//! WFDB header (`.hea`) parsing: the record line, signal specification lines, segment
//! lines of multi-segment records, and info (comment) lines.
//!
//! Headers are read as they occur in the wild: CRLF or LF (mixed too), blank lines and
//! comments anywhere, bytes that are not UTF-8 (units such as `µV` in Latin-1), ISO or
//! day-first dates in either order with the time, and missing optional fields (each takes
//! its documented default). Oddities that leave the record usable are recorded in
//! [`Header::warnings`]; a header is rejected only when the signal description itself is
//! unusable (garbage in a numeric field, an unknown storage format, missing signal lines).

use std::fmt;
use std::path::{Path, PathBuf};

use super::format::Format;
use crate::{Error, Result};

/// Sampling frequency assumed when the record line gives none (`DEFFREQ`).
pub const DEFAULT_FS: f64 = 250.0;
/// ADC gain assumed when a signal line gives none or zero (`DEFGAIN`), in adu per unit.
pub const DEFAULT_GAIN: f64 = 200.0;

/// Largest number of signals a header may declare (high-density EEG has a few hundred).
pub const MAX_SIGNALS: usize = 4096;
/// Largest number of segments a multi-segment header may declare (long ICU records have
/// a few thousand). Each segment's header is opened, so the cap bounds the work.
pub const MAX_SEGMENTS: usize = 32_768;
/// Warnings kept per header; the rest are counted in one last warning.
const MAX_WARNINGS: usize = 20;

/// A parsed header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Record name from the record line.
    pub record_name: String,
    /// Number of signals.
    pub n_sig: usize,
    /// Sampling frequency in frames per second.
    pub fs: f64,
    /// Counter frequency (ticks per second), if given.
    pub counter_freq: Option<f64>,
    /// Counter value of sample 0, if given.
    pub base_counter: Option<f64>,
    /// Number of frames per signal, if given. In a single-segment header 0 means
    /// "unspecified" (the length follows from the signal files); a layout header has 0.
    pub sig_len: Option<u64>,
    /// Time of day of sample 0, if given.
    pub base_time: Option<BaseTime>,
    /// Date of sample 0, if given.
    pub base_date: Option<BaseDate>,
    /// Signal specifications, in header order (empty for multi-segment records).
    pub signals: Vec<SignalSpec>,
    /// Segments of a multi-segment record (`None` for single-segment records).
    pub segments: Option<Vec<SegmentSpec>>,
    /// Info lines (text after `#`, leading whitespace removed).
    pub comments: Vec<String>,
    /// Tolerated oddities, each naming the line.
    pub warnings: Vec<String>,
}

/// One signal specification line.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalSpec {
    /// Signal file name, relative to the header's directory (`~` for a null signal).
    pub file_name: String,
    /// Storage format.
    pub format: Format,
    /// Samples per frame (`x` suffix of the format field), at least 1.
    pub samples_per_frame: u32,
    /// Skew in frames (`:` suffix): sample t of the signal is stored in frame t + skew.
    pub skew: u32,
    /// Bytes to skip at the start of the signal file (`+` suffix), e.g. a `.mat` preamble.
    pub byte_offset: u64,
    /// ADC gain in adu per physical unit; [`DEFAULT_GAIN`] when missing or zero.
    pub adc_gain: f64,
    /// Whether the header gave a non-zero gain (the C library calls the rest uncalibrated).
    pub calibrated: bool,
    /// Digital value of physical zero; defaults to `adc_zero`.
    pub baseline: i32,
    /// Physical units; `mV` when missing.
    pub units: String,
    /// ADC resolution in bits; when missing or zero, the format's natural width.
    pub adc_res: u32,
    /// ADC value at mid-range; 0 when missing.
    pub adc_zero: i32,
    /// Value of the first sample; defaults to `adc_zero`. Format 8 differences start here.
    pub init_value: i32,
    /// Whether `init_value` was given (and can be verified).
    pub init_value_given: bool,
    /// 16-bit checksum of all samples, if given.
    pub checksum: Option<i32>,
    /// Block size in bytes (0: not a block device).
    pub block_size: u32,
    /// Signal description (the name used to select channels); empty when missing.
    pub description: String,
}

/// One segment of a multi-segment record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSpec {
    /// Segment record name; `~` for a null segment (a gap).
    pub name: String,
    /// Number of frames in the segment (0 for a layout segment).
    pub sig_len: u64,
}

impl SegmentSpec {
    /// Whether this segment is a gap (`~`): its samples are invalid.
    pub fn is_null(&self) -> bool {
        self.name == "~"
    }
}

/// Time of day of sample 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaseTime {
    /// Hours (0..24).
    pub hour: u32,
    /// Minutes (0..60).
    pub minute: u32,
    /// Seconds with fraction (0..60).
    pub second: f64,
}

/// Date of sample 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseDate {
    /// Year.
    pub year: i32,
    /// Month (1..=12).
    pub month: u32,
    /// Day of month (1..=31).
    pub day: u32,
}

impl fmt::Display for BaseTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}:{:06.3}",
            self.hour, self.minute, self.second
        )
    }
}

impl fmt::Display for BaseDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl Header {
    /// Reads and parses the header file at `path`.
    pub fn from_file(path: &Path) -> Result<Header> {
        let bytes = crate::files::read_capped(path, crate::files::MAX_HEADER_BYTES, "header")?;
        Header::parse(&bytes, path)
    }

    /// Parses header text; `path` only names the file in errors and warnings.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Header> {
        Parser {
            path: path.to_path_buf(),
            warnings: Vec::new(),
            unshown_warnings: 0,
        }
        .parse(bytes)
    }

    /// Whether this is the master header of a multi-segment record.
    pub fn is_multi_segment(&self) -> bool {
        self.segments.is_some()
    }

    /// Whether this is a layout header (no samples; describes the signals of a
    /// variable-layout multi-segment record).
    pub fn is_layout(&self) -> bool {
        self.segments.is_none()
            && self.sig_len == Some(0)
            && self.signals.iter().all(|s| s.file_name == "~")
    }

    /// Duration of `n` frames in seconds.
    pub fn duration(&self, n: u64) -> f64 {
        n as f64 / self.fs
    }
}

impl SignalSpec {
    /// Physical value of a digital sample (no invalid-sample check).
    pub fn to_physical(&self, d: i32) -> f64 {
        (f64::from(d) - f64::from(self.baseline)) / self.adc_gain
    }
}

/// Lines with their 1-based numbers, comments collected, blank lines dropped.
struct Lines {
    content: Vec<(usize, String)>,
    comments: Vec<String>,
}

fn split_lines(bytes: &[u8]) -> Lines {
    let mut content = Vec::new();
    let mut comments = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let text = String::from_utf8_lossy(raw);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(c) = trimmed.strip_prefix('#') {
            comments.push(c.trim_start().to_string());
            continue;
        }
        content.push((i + 1, text.into_owned()));
    }
    Lines { content, comments }
}

/// Whitespace-separated tokens with their byte offsets, so the free-text description
/// can be taken verbatim from the rest of the line.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

struct Parser {
    path: PathBuf,
    warnings: Vec<String>,
    /// Warnings past [`MAX_WARNINGS`], counted only.
    unshown_warnings: usize,
}

impl Parser {
    fn err(&self, line: usize, msg: impl Into<String>) -> Error {
        Error::format(&self.path, Some(line), msg)
    }

    fn warn(&mut self, line: usize, msg: impl fmt::Display) {
        if self.warnings.len() < MAX_WARNINGS {
            let msg = crate::error::shorten(&msg.to_string());
            self.warnings
                .push(format!("{}:{line}: {msg}", self.path.display()));
        } else {
            self.unshown_warnings += 1;
        }
    }

    fn parse(mut self, bytes: &[u8]) -> Result<Header> {
        let Lines { content, comments } = split_lines(bytes);
        let Some((rec_line_no, rec_line)) = content.first() else {
            return Err(Error::format(
                &self.path,
                None,
                "no record line (empty header)",
            ));
        };
        let rec = self.record_line(*rec_line_no, rec_line)?;
        let rest = &content[1..];

        let mut header = Header {
            record_name: rec.name,
            n_sig: rec.n_sig,
            fs: rec.fs,
            counter_freq: rec.counter_freq,
            base_counter: rec.base_counter,
            sig_len: rec.sig_len,
            base_time: rec.base_time,
            base_date: rec.base_date,
            signals: Vec::new(),
            segments: None,
            comments,
            warnings: Vec::new(),
        };

        if let Some(n_seg) = rec.n_seg {
            if rest.len() < n_seg {
                return Err(self.err(
                    *rec_line_no,
                    format!(
                        "record line declares {n_seg} segments but {} segment lines follow",
                        rest.len()
                    ),
                ));
            }
            let mut segs = Vec::with_capacity(n_seg);
            for (no, line) in &rest[..n_seg] {
                segs.push(self.segment_line(*no, line)?);
            }
            for (no, _) in &rest[n_seg..] {
                self.warn(*no, "extra line after the segment lines ignored");
            }
            header.segments = Some(segs);
        } else {
            if rest.len() < header.n_sig {
                return Err(self.err(
                    *rec_line_no,
                    format!(
                        "record line declares {} signals but {} signal lines follow",
                        header.n_sig,
                        rest.len()
                    ),
                ));
            }
            let mut sigs = Vec::with_capacity(header.n_sig);
            for (no, line) in &rest[..header.n_sig] {
                sigs.push(self.signal_line(*no, line)?);
            }
            for (no, _) in &rest[header.n_sig..] {
                self.warn(*no, "extra line after the signal lines ignored");
            }
            header.signals = sigs;
        }
        if self.unshown_warnings > 0 {
            self.warnings.push(format!(
                "{}: {} more warnings not shown",
                self.path.display(),
                self.unshown_warnings
            ));
        }
        header.warnings = self.warnings;
        Ok(header)
    }

    fn record_line(&mut self, no: usize, line: &str) -> Result<RecordLine> {
        let toks: Vec<&str> = tokens(line).into_iter().map(|(_, t)| t).collect();
        let (name, n_seg) = match toks[0].split_once('/') {
            Some((name, n)) => {
                let n = parse_count(n, MAX_SEGMENTS)
                    .filter(|&n| n > 0)
                    .ok_or_else(|| {
                        self.err(
                            no,
                            format!("bad number of segments `{n}` (at most {MAX_SEGMENTS})"),
                        )
                    })?;
                (name, Some(n))
            }
            None => (toks[0], None),
        };
        if name.is_empty() {
            return Err(self.err(no, "empty record name"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            self.warn(no, format_args!("unusual record name `{name}`"));
        }

        let n_sig = match toks.get(1) {
            Some(t) => parse_count(t, MAX_SIGNALS).ok_or_else(|| {
                self.err(
                    no,
                    format!("bad number of signals `{t}` (at most {MAX_SIGNALS})"),
                )
            })?,
            None => {
                self.warn(no, "number of signals missing; assuming 0");
                0
            }
        };

        let (mut fs, mut counter_freq, mut base_counter) = (DEFAULT_FS, None, None);
        if let Some(t) = toks.get(2) {
            (fs, counter_freq, base_counter) = self.frequency(no, t)?;
        }

        let sig_len = match toks.get(3) {
            Some(t) => Some(
                t.parse::<u64>()
                    .map_err(|_| self.err(no, format!("bad number of samples `{t}`")))?,
            ),
            None => None,
        };

        let mut base_time = None;
        let mut base_date = None;
        for t in toks.iter().skip(4) {
            if t.contains(':') && base_time.is_none() {
                match parse_time(t) {
                    Some(v) => base_time = Some(v),
                    None => self.warn(no, format_args!("unreadable base time `{t}` ignored")),
                }
            } else if (t.contains('/') || t.contains('-')) && base_date.is_none() {
                match parse_date(t) {
                    Some(v) => base_date = Some(v),
                    None => self.warn(no, format_args!("unreadable base date `{t}` ignored")),
                }
            } else {
                self.warn(
                    no,
                    format_args!("unexpected field `{t}` on the record line ignored"),
                );
            }
        }

        Ok(RecordLine {
            name: name.to_string(),
            n_seg,
            n_sig,
            fs,
            counter_freq,
            base_counter,
            sig_len,
            base_time,
            base_date,
        })
    }

    /// `fs[/counter_freq[(base_counter)]]`.
    fn frequency(&mut self, no: usize, t: &str) -> Result<(f64, Option<f64>, Option<f64>)> {
        let (fs_txt, counter) = match t.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (t, None),
        };
        let fs = fs_txt
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && *f > 0.0)
            .ok_or_else(|| self.err(no, format!("bad sampling frequency `{fs_txt}`")))?;
        let (mut cf, mut base) = (None, None);
        if let Some(c) = counter {
            let (cf_txt, base_txt) = match c.split_once('(') {
                Some((a, b)) => (a, Some(b.trim_end_matches(')'))),
                None => (c, None),
            };
            match cf_txt.parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 => cf = Some(v),
                _ => self.warn(no, format_args!("bad counter frequency `{cf_txt}` ignored")),
            }
            if let Some(b) = base_txt {
                match b.parse::<f64>() {
                    Ok(v) if v.is_finite() => base = Some(v),
                    _ => self.warn(no, format_args!("bad base counter value `{b}` ignored")),
                }
            }
        }
        Ok((fs, cf, base))
    }

    fn segment_line(&mut self, no: usize, line: &str) -> Result<SegmentSpec> {
        let toks = tokens(line);
        let name = toks[0].1;
        let Some(&(_, n)) = toks.get(1) else {
            return Err(self.err(no, format!("segment `{name}` has no sample count")));
        };
        let sig_len = n
            .parse::<u64>()
            .map_err(|_| self.err(no, format!("bad sample count `{n}` for segment `{name}`")))?;
        if toks.len() > 2 {
            self.warn(no, "extra fields on a segment line ignored");
        }
        Ok(SegmentSpec {
            name: name.to_string(),
            sig_len,
        })
    }

    fn signal_line(&mut self, no: usize, line: &str) -> Result<SignalSpec> {
        let toks = tokens(line);
        let file_name = toks[0].1.to_string();
        let fmt_tok = toks
            .get(1)
            .map(|t| t.1)
            .ok_or_else(|| self.err(no, format!("signal file `{file_name}` has no format")))?;
        let (format, samples_per_frame, skew, byte_offset) = self.format_field(no, fmt_tok)?;

        let mut spec = SignalSpec {
            file_name,
            format,
            samples_per_frame,
            skew,
            byte_offset,
            adc_gain: DEFAULT_GAIN,
            calibrated: false,
            baseline: 0,
            units: "mV".to_string(),
            adc_res: 0,
            adc_zero: 0,
            init_value: 0,
            init_value_given: false,
            checksum: None,
            block_size: 0,
            description: String::new(),
        };

        let mut baseline = None;
        if let Some(&(_, g)) = toks.get(2) {
            baseline = self.gain_field(no, g, &mut spec)?;
        }
        if let Some(&(_, t)) = toks.get(3) {
            spec.adc_res = self.int_field(no, t, "ADC resolution")?;
            if spec.adc_res > 32 {
                self.warn(
                    no,
                    format_args!("ADC resolution {} bits is implausible", spec.adc_res),
                );
            }
        }
        if let Some(&(_, t)) = toks.get(4) {
            spec.adc_zero = self.int_field(no, t, "ADC zero")?;
        }
        if let Some(&(_, t)) = toks.get(5) {
            spec.init_value = self.int_field(no, t, "initial value")?;
            spec.init_value_given = true;
        } else {
            spec.init_value = spec.adc_zero;
        }
        if let Some(&(_, t)) = toks.get(6) {
            spec.checksum = Some(self.int_field(no, t, "checksum")?);
        }
        if let Some(&(_, t)) = toks.get(7) {
            spec.block_size = self.int_field(no, t, "block size")?;
        }
        if let Some(&(start, _)) = toks.get(8) {
            spec.description = line[start..].trim_end().to_string();
        }
        spec.baseline = baseline.unwrap_or(spec.adc_zero);
        if spec.adc_res == 0 {
            spec.adc_res = format.natural_resolution();
        }
        Ok(spec)
    }

    /// `format[xspf][:skew][+offset]` (suffixes accepted in any order).
    fn format_field(&mut self, no: usize, t: &str) -> Result<(Format, u32, u32, u64)> {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        let code: u32 = t[..digits]
            .parse()
            .map_err(|_| self.err(no, format!("bad storage format `{t}`")))?;
        let format = Format::from_code(code)
            .ok_or_else(|| self.err(no, format!("unsupported storage format {code}")))?;
        let (mut spf, mut skew, mut offset) = (1u32, 0u32, 0u64);
        let mut rest = &t[digits..];
        while let Some(tag) = rest.chars().next() {
            let body = &rest[tag.len_utf8()..];
            let len = body.bytes().take_while(u8::is_ascii_digit).count();
            let value = &body[..len];
            let bad = || self.err(no, format!("bad `{tag}` suffix in format field `{t}`"));
            match tag {
                'x' => spf = value.parse().ok().filter(|&v| v > 0).ok_or_else(bad)?,
                ':' => skew = value.parse().map_err(|_| bad())?,
                '+' => offset = value.parse().map_err(|_| bad())?,
                _ => return Err(self.err(no, format!("bad format field `{t}`"))),
            }
            rest = &body[len..];
        }
        Ok((format, spf, skew, offset))
    }

    /// `gain[(baseline)][/units]`; returns the baseline if given.
    fn gain_field(&mut self, no: usize, g: &str, spec: &mut SignalSpec) -> Result<Option<i32>> {
        let (value, units) = match g.split_once('/') {
            Some((a, u)) => (a, Some(u)),
            None => (g, None),
        };
        let (gain_txt, baseline_txt) = match value.split_once('(') {
            Some((a, b)) => {
                let b = b.strip_suffix(')').ok_or_else(|| {
                    self.err(no, format!("unclosed baseline in gain field `{g}`"))
                })?;
                (a, Some(b))
            }
            None => (value, None),
        };
        let gain: f64 = gain_txt
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| self.err(no, format!("bad ADC gain `{gain_txt}`")))?;
        if gain == 0.0 {
            spec.adc_gain = DEFAULT_GAIN;
        } else {
            if gain < 0.0 {
                self.warn(no, format_args!("negative ADC gain {gain}"));
            }
            spec.adc_gain = gain;
            spec.calibrated = true;
        }
        if let Some(u) = units {
            if u.is_empty() {
                self.warn(no, "empty units; assuming mV");
            } else {
                spec.units = u.to_string();
            }
        }
        match baseline_txt {
            Some(b) => Ok(Some(self.int_field(no, b, "baseline")?)),
            None => Ok(None),
        }
    }

    fn int_field<T: std::str::FromStr>(&self, no: usize, t: &str, what: &str) -> Result<T> {
        t.parse()
            .map_err(|_| self.err(no, format!("bad {what} `{t}`")))
    }
}

struct RecordLine {
    name: String,
    n_seg: Option<usize>,
    n_sig: usize,
    fs: f64,
    counter_freq: Option<f64>,
    base_counter: Option<f64>,
    sig_len: Option<u64>,
    base_time: Option<BaseTime>,
    base_date: Option<BaseDate>,
}

fn parse_count(t: &str, max: usize) -> Option<usize> {
    t.parse::<usize>().ok().filter(|&n| n <= max)
}

/// `[[h:]m:]s[.fff]`, as the C library's `strtim` accepts for base times.
fn parse_time(t: &str) -> Option<BaseTime> {
    let t = t.trim_start_matches('[').trim_end_matches(']');
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let second: f64 = parts.last()?.parse().ok()?;
    let mut it = parts[..parts.len() - 1].iter().rev();
    let minute: u32 = it.next().map_or(Some(0), |m| m.parse().ok())?;
    let hour: u32 = it.next().map_or(Some(0), |h| h.parse().ok())?;
    if !(0.0..60.0 + 1e-9).contains(&second) || minute >= 60 || hour >= 24 {
        return None;
    }
    Some(BaseTime {
        hour,
        minute,
        second,
    })
}

/// `dd/mm/yyyy` (WFDB) or `yyyy-mm-dd` (ISO) or `dd-mm-yyyy`.
fn parse_date(t: &str) -> Option<BaseDate> {
    let t = t.trim_start_matches('[').trim_end_matches(']');
    let sep = if t.contains('/') { '/' } else { '-' };
    let parts: Vec<&str> = t.split(sep).collect();
    if parts.len() != 3 {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else {
        (parts[2], parts[1], parts[0])
    };
    let date = BaseDate {
        year: y.parse().ok()?,
        month: m.parse().ok()?,
        day: d.parse().ok()?,
    };
    ((1..=12).contains(&date.month) && (1..=31).contains(&date.day)).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Header> {
        Header::parse(text.as_bytes(), Path::new("t.hea"))
    }

    #[test]
    fn full_record_and_signal_lines() {
        let h = parse(
            "rec 2 250/1000(12) 5000 10:20:30.5 25/12/2020\r\n\
             rec.dat 212x4:2+24 200(1024)/mV 11 1024 995 -22131 0 MLII lead\r\n\
             rec.dat 212 400/mmHg 11 1024 1011 20052 0 V5\n\
             # patient info\r\n",
        )
        .unwrap();
        assert_eq!(h.record_name, "rec");
        assert_eq!((h.n_sig, h.fs, h.sig_len), (2, 250.0, Some(5000)));
        assert_eq!((h.counter_freq, h.base_counter), (Some(1000.0), Some(12.0)));
        assert_eq!(h.base_time.unwrap().to_string(), "10:20:30.500");
        assert_eq!(h.base_date.unwrap().to_string(), "25/12/2020");
        let s = &h.signals[0];
        assert_eq!(s.format, Format::F212);
        assert_eq!((s.samples_per_frame, s.skew, s.byte_offset), (4, 2, 24));
        assert_eq!(
            (s.adc_gain, s.baseline, s.units.as_str()),
            (200.0, 1024, "mV")
        );
        assert_eq!((s.adc_res, s.adc_zero, s.init_value), (11, 1024, 995));
        assert_eq!((s.checksum, s.block_size), (Some(-22131), 0));
        assert_eq!(s.description, "MLII lead");
        let s = &h.signals[1];
        assert_eq!((s.baseline, s.units.as_str()), (1024, "mmHg"));
        assert_eq!(h.comments, vec!["patient info"]);
        assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    }

    #[test]
    fn defaults_for_missing_fields() {
        let h = parse("r 1\nr.dat 16\n").unwrap();
        assert_eq!((h.fs, h.sig_len), (DEFAULT_FS, None));
        let s = &h.signals[0];
        assert_eq!((s.adc_gain, s.calibrated), (DEFAULT_GAIN, false));
        assert_eq!((s.baseline, s.adc_zero, s.init_value), (0, 0, 0));
        assert_eq!((s.adc_res, s.units.as_str()), (16, "mV"));
        assert_eq!((s.checksum, s.init_value_given), (None, false));
        assert_eq!(s.description, "");
    }

    #[test]
    fn iso_date_before_time_and_latin1_units() {
        let mut text = b"r 1 500 10 2020-01-31 08:00:00\nr.dat 16 32.7/".to_vec();
        text.extend_from_slice(&[0xB5, b'V']);
        text.extend_from_slice(b" 15 0 0 0 0 x\n");
        let h = Header::parse(&text, Path::new("t.hea")).unwrap();
        assert_eq!(h.base_date.unwrap().to_string(), "31/01/2020");
        assert_eq!(h.base_time.unwrap().hour, 8);
        assert!(h.signals[0].units.ends_with('V'));
    }

    #[test]
    fn multi_segment() {
        let h = parse("m/3 2 360 700\nlayout 0\n~ 100\nseg1 600\n").unwrap();
        let segs = h.segments.as_ref().unwrap();
        assert_eq!(segs.len(), 3);
        assert!(segs[1].is_null());
        assert_eq!(segs[2].sig_len, 600);
        assert!(h.signals.is_empty());
        let layout = parse("layout 1 360 0\n~ 0 200/mV 12 0 0 0 0 II\n").unwrap();
        assert!(layout.is_layout() && !h.is_layout());
        assert!(!parse("r 1 360 0\nr.dat 16\n").unwrap().is_layout());
    }

    #[test]
    fn garbage_is_an_error_naming_line_and_field() {
        for (text, needle) in [
            ("", "empty header"),
            ("r x\n", "number of signals"),
            ("r 1 fast\nr.dat 16\n", "sampling frequency"),
            ("r 1 360 -5\nr.dat 16\n", "number of samples"),
            ("r 2 360\nr.dat 16\n", "2 signals"),
            ("r 1\nr.dat 999\n", "unsupported storage format 999"),
            ("r 1\nr.dat 16x0\n", "`x` suffix"),
            ("r 1\nr.dat 80\u{fffd}3\n", "bad format field"),
            ("r 1\nr.dat 16 abc\n", "ADC gain"),
            ("r 1\nr.dat 16 200(x)\n", "baseline"),
            ("r 1\nr.dat 16 200 12 0 1.5\n", "initial value"),
            ("r/0 1\n", "segments"),
            ("r/2 1 360\na 10\n", "2 segments"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains("t.hea") && e.contains(needle), "{text:?}: {e}");
        }
    }
}
