//! Writing WFDB records: a header and its signal files, from digital samples (adu) or from
//! physical samples converted with given or data-chosen gains and baselines.
//!
//! The header is written as the WFDB C library's `setheader` writes one: the frequency and
//! gains with 12 significant digits (`%.12g`), the baseline in parentheses only when it
//! differs from the ADC zero, and every signal line complete (ADC resolution, ADC zero,
//! initial value, checksum, block size, description). Physical samples are converted with
//! the gain as the header states it, so a reader recovers exactly the values written.
//! Signal files: formats 80, 16, 61, 160, 24, 32, 212 and FLAC 508, 516, 524 (up to eight
//! signals per FLAC file, one channel each, encoded with `flacenc`).

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::format::Format;
use super::header::{self, BaseDate, BaseTime, Header};
use crate::{Error, Result};

/// Channels a FLAC stream can hold.
const FLAC_MAX_CHANNELS: usize = 8;
/// The sample rate stated in written FLAC streams. WFDB ignores it (the header gives the
/// rate); wfdb-python writes the same.
const FLAC_SAMPLE_RATE: usize = 96_000;

/// How one signal is written.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalOut {
    /// Description (the signal's name, e.g. `MLII`); may hold spaces, not line breaks.
    pub name: String,
    /// Physical units (`mV` by default); no whitespace.
    pub units: String,
    /// Storage format.
    pub format: Format,
    /// Samples per frame (1 for almost every signal).
    pub samples_per_frame: u32,
    /// ADC gain in adu per physical unit. `None`: for physical samples, chosen from the
    /// data as wfdb-python's `wrsamp` chooses it (the range of the samples spread over
    /// the format's valid values), with the baseline; for digital samples,
    /// [`header::DEFAULT_GAIN`].
    pub gain: Option<f64>,
    /// Digital value of physical zero. `None`: chosen with the gain, or the ADC zero
    /// when the gain is given.
    pub baseline: Option<i32>,
    /// ADC resolution in bits; 0 for the format's own width.
    pub adc_res: u32,
    /// ADC value at mid-range.
    pub adc_zero: i32,
    /// The signal file, relative to the header's folder. `None`: consecutive signals of
    /// one format share `<record>.dat` (`<record>_<k>.dat` when the record needs several
    /// files; FLAC files hold at most eight signals).
    pub file_name: Option<String>,
}

impl SignalOut {
    /// A signal named `name` in `format`, in mV, one sample per frame, its gain and
    /// baseline to be chosen.
    pub fn new(name: impl Into<String>, format: Format) -> SignalOut {
        SignalOut {
            name: name.into(),
            units: "mV".to_string(),
            format,
            samples_per_frame: 1,
            gain: None,
            baseline: None,
            adc_res: 0,
            adc_zero: 0,
            file_name: None,
        }
    }
}

/// What a record's header says besides its signals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordOut {
    /// Sampling frequency in frames per second.
    pub fs: f64,
    /// Counter frequency, if any.
    pub counter_freq: Option<f64>,
    /// Counter value of sample 0, if any.
    pub base_counter: Option<f64>,
    /// Time of day of sample 0.
    pub base_time: Option<BaseTime>,
    /// Date of sample 0.
    pub base_date: Option<BaseDate>,
    /// Info lines, written as `# text`.
    pub comments: Vec<String>,
    /// The signals, in header order.
    pub signals: Vec<SignalOut>,
}

impl RecordOut {
    /// The header fields of an existing record (rate, counter, base time and date,
    /// comments), with no signals.
    pub fn like(header: &Header) -> RecordOut {
        RecordOut {
            fs: header.fs,
            counter_freq: header.counter_freq,
            base_counter: header.base_counter,
            base_time: header.base_time,
            base_date: header.base_date,
            comments: header.comments.clone(),
            signals: Vec::new(),
        }
    }
}

/// The samples of every signal: one slice per signal, `samples_per_frame` samples per
/// frame, all signals covering the same number of frames.
#[derive(Debug, Clone, Copy)]
pub enum Samples<'a> {
    /// Digital values (adu), stored as they are; the format's invalid-sample value marks
    /// an invalid sample.
    Digital(&'a [&'a [i32]]),
    /// Physical values, converted as `round(value * gain + baseline)` (ties to even, as
    /// numpy rounds); NaN is stored as the format's invalid-sample value.
    Physical(&'a [&'a [f64]]),
}

impl Samples<'_> {
    fn len(&self) -> usize {
        match self {
            Samples::Digital(s) => s.len(),
            Samples::Physical(s) => s.len(),
        }
    }

    fn signal_len(&self, i: usize) -> usize {
        match self {
            Samples::Digital(s) => s[i].len(),
            Samples::Physical(s) => s[i].len(),
        }
    }
}

/// Whether the writer can store `format`.
pub fn writable(format: Format) -> bool {
    matches!(
        format,
        Format::F80
            | Format::F16
            | Format::F61
            | Format::F160
            | Format::F24
            | Format::F32
            | Format::F212
            | Format::Flac8
            | Format::Flac16
            | Format::Flac24
    )
}

/// Writes the record `record_path` (its header is `<record_path>.hea`; the record name is
/// the path's last component) and its signal files, replacing existing files. Returns the
/// header as written: gains and baselines chosen, initial values and checksums.
///
/// Errors (nothing is written): no signals or samples that do not match them, a format
/// the writer cannot store, a sampling frequency not positive, a digital value outside
/// the format's range, a physical value that converts outside it or is infinite, names
/// or units that would break the header.
pub fn write_record(
    record_path: impl AsRef<Path>,
    record: &RecordOut,
    samples: Samples<'_>,
) -> Result<Header> {
    let record_path = super::record_base(record_path.as_ref());
    let name = record_name(&record_path)?;
    let (header, files) = prepare(&name, record, samples)?;
    let dir = record_path.parent().unwrap_or(Path::new("")).to_path_buf();
    // Signal files first, then the header: a header never names a file still missing.
    for f in &files {
        write_file(&dir.join(&f.name), &f.bytes)?;
    }
    let mut header_path = record_path.into_os_string();
    header_path.push(".hea");
    write_file(&PathBuf::from(header_path), header_text(&header).as_bytes())?;
    Ok(header)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))
}

fn record_name(path: &Path) -> Result<String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check_record_name(&name)?;
    Ok(name)
}

fn check_record_name(name: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(Error::invalid(format!(
            "record name `{name}`: WFDB record names are letters, digits, `_`, `-` and `.`"
        )));
    }
    Ok(())
}

/// One signal file to write.
struct FileOut {
    name: String,
    bytes: Vec<u8>,
}

/// Checks everything, converts the samples, and builds the header and file contents.
fn prepare(name: &str, record: &RecordOut, samples: Samples<'_>) -> Result<(Header, Vec<FileOut>)> {
    let n_sig = record.signals.len();
    if !(record.fs.is_finite() && record.fs > 0.0) {
        return Err(Error::invalid(format!(
            "sampling frequency {} is not positive",
            record.fs
        )));
    }
    if n_sig == 0 {
        return Err(Error::invalid(
            "a record to write needs at least one signal",
        ));
    }
    if n_sig > header::MAX_SIGNALS {
        return Err(Error::invalid(format!(
            "{n_sig} signals, at most {} fit a header",
            header::MAX_SIGNALS
        )));
    }
    if samples.len() != n_sig {
        return Err(Error::invalid(format!(
            "{} sample arrays for {n_sig} signals",
            samples.len()
        )));
    }
    for (key, v) in [
        ("counter frequency", record.counter_freq),
        ("base counter", record.base_counter),
    ] {
        if v.is_some_and(|v| !v.is_finite()) {
            return Err(Error::invalid(format!("{key} is not finite")));
        }
    }
    if record.counter_freq.is_some_and(|v| v <= 0.0) {
        return Err(Error::invalid("counter frequency is not positive"));
    }
    for c in &record.comments {
        if c.contains(['\n', '\r']) {
            return Err(Error::invalid(format!("comment {c:?} holds a line break")));
        }
    }

    // Frames: every signal's count divided by its samples per frame, all equal.
    let mut frames = None;
    for (i, s) in record.signals.iter().enumerate() {
        check_signal(i, s)?;
        let n = samples.signal_len(i);
        let spf = s.samples_per_frame as usize;
        if !n.is_multiple_of(spf) {
            return Err(Error::invalid(format!(
                "signal {i} ({}): {n} samples are not whole frames of {spf}",
                s.name
            )));
        }
        match frames {
            None => frames = Some(n / spf),
            Some(f) if f != n / spf => {
                return Err(Error::invalid(format!(
                    "signal {i} ({}) covers {} frames, signal 0 covers {f}",
                    s.name,
                    n / spf
                )));
            }
            Some(_) => {}
        }
    }
    let sig_len = frames.unwrap_or(0);

    let mut specs = Vec::with_capacity(n_sig);
    let mut digital: Vec<Vec<i32>> = Vec::with_capacity(n_sig);
    for (i, s) in record.signals.iter().enumerate() {
        let (d, gain, baseline) = match samples {
            Samples::Digital(all) => {
                let d = all[i];
                check_digital(i, s, d)?;
                let gain = quantize(s.gain.unwrap_or(header::DEFAULT_GAIN));
                (d.to_vec(), gain, s.baseline.unwrap_or(s.adc_zero))
            }
            Samples::Physical(all) => to_digital(i, s, all[i])?,
        };
        let checksum = d.iter().fold(0i64, |a, &x| a.wrapping_add(i64::from(x)));
        // A gain of 0 is written as such (uncalibrated); readers then assume the default.
        let (calibrated, gain) = (
            gain != 0.0,
            if gain == 0.0 {
                header::DEFAULT_GAIN
            } else {
                gain
            },
        );
        let adc_res = if s.adc_res == 0 {
            s.format.natural_resolution()
        } else {
            s.adc_res
        };
        specs.push(header::SignalSpec {
            file_name: String::new(),
            format: s.format,
            samples_per_frame: s.samples_per_frame,
            skew: 0,
            byte_offset: 0,
            adc_gain: gain,
            calibrated,
            baseline,
            units: s.units.clone(),
            adc_res,
            adc_zero: s.adc_zero,
            init_value: d.first().copied().unwrap_or(s.adc_zero),
            init_value_given: true,
            checksum: Some(i32::from((checksum & 0xffff) as u16 as i16)),
            block_size: 0,
            description: s.name.clone(),
        });
        digital.push(d);
    }

    let groups = group_files(name, &record.signals)?;
    let mut files = Vec::with_capacity(groups.len());
    for (file_name, members) in groups {
        for &m in &members {
            specs[m].file_name = file_name.clone();
        }
        let format = record.signals[members[0]].format;
        let spf: Vec<usize> = members
            .iter()
            .map(|&m| record.signals[m].samples_per_frame as usize)
            .collect();
        let signals: Vec<&[i32]> = members.iter().map(|&m| digital[m].as_slice()).collect();
        let bytes = encode_file(&file_name, format, &signals, &spf, sig_len)?;
        files.push(FileOut {
            name: file_name,
            bytes,
        });
    }

    let header = Header {
        record_name: name.to_string(),
        n_sig,
        fs: quantize(record.fs),
        counter_freq: record.counter_freq.map(quantize),
        base_counter: record.base_counter.map(quantize),
        sig_len: Some(sig_len as u64),
        base_time: record.base_time,
        base_date: record.base_date,
        signals: specs,
        segments: None,
        comments: record.comments.clone(),
        warnings: Vec::new(),
    };
    Ok((header, files))
}

fn check_signal(i: usize, s: &SignalOut) -> Result<()> {
    let bad = |msg: String| Err(Error::invalid(format!("signal {i} ({}): {msg}", s.name)));
    if !writable(s.format) {
        return bad(format!(
            "format {} cannot be written (formats 80, 16, 61, 160, 24, 32, 212, 508, 516, 524 can)",
            s.format.code()
        ));
    }
    if s.samples_per_frame == 0 {
        return bad("samples per frame must be at least 1".into());
    }
    if s.name.contains(['\n', '\r']) {
        return bad("the name holds a line break".into());
    }
    if s.units.is_empty() || s.units.contains(char::is_whitespace) {
        return bad(format!("units {:?} are empty or hold whitespace", s.units));
    }
    if let Some(g) = s.gain
        && !g.is_finite()
    {
        return bad(format!("gain {g} is not finite"));
    }
    if s.adc_res > 32 {
        return bad(format!("ADC resolution {} bits is more than 32", s.adc_res));
    }
    if let Some(f) = &s.file_name
        && (f.is_empty() || f.contains(char::is_whitespace) || f == "~")
    {
        return bad(format!("file name {f:?} is empty, `~` or holds whitespace"));
    }
    Ok(())
}

/// The valid digital range of a format (the invalid-sample value excluded).
fn valid_range(format: Format) -> (i64, i64) {
    let bits = format.natural_resolution();
    let max = (1i64 << (bits - 1)) - 1;
    (-max, max)
}

fn check_digital(i: usize, s: &SignalOut, d: &[i32]) -> Result<()> {
    let (lo, hi) = valid_range(s.format);
    let invalid = s.format.invalid_sample().map_or(lo, i64::from);
    if let Some((k, &v)) = d
        .iter()
        .enumerate()
        .find(|&(_, &v)| (i64::from(v) < lo && i64::from(v) != invalid) || i64::from(v) > hi)
    {
        return Err(Error::invalid(format!(
            "signal {i} ({}): sample {k} is {v}, outside format {}'s range {lo}..={hi} \
             ({invalid} marks an invalid sample)",
            s.name,
            s.format.code()
        )));
    }
    Ok(())
}

/// A value as `%.12g` writes it, read back: what readers of the header will use.
fn quantize(v: f64) -> f64 {
    format_g12(v).parse().unwrap_or(v)
}

/// `%.12g` of C's printf.
pub(crate) fn format_g12(v: f64) -> String {
    const DIGITS: i32 = 12;
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let sci = format!("{:.*e}", (DIGITS - 1) as usize, v);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if !(-4..DIGITS).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        trim(&format!("{:.*}", (DIGITS - 1 - exp) as usize, v))
    }
}

/// Physical samples to digital: the gain and baseline given, or chosen from the data.
fn to_digital(i: usize, s: &SignalOut, p: &[f64]) -> Result<(Vec<i32>, f64, i32)> {
    let bad = |msg: String| Error::invalid(format!("signal {i} ({}): {msg}", s.name));
    if let Some(k) = p.iter().position(|v| v.is_infinite()) {
        return Err(bad(format!("sample {k} is infinite")));
    }
    let (gain, baseline) = match (s.gain, s.baseline) {
        (Some(g), b) => {
            if g == 0.0 {
                return Err(bad("a gain of 0 cannot convert physical samples".into()));
            }
            (g, b.unwrap_or(s.adc_zero))
        }
        (None, Some(_)) => {
            return Err(bad(
                "a baseline without a gain: give both, or neither to choose them".into(),
            ));
        }
        (None, None) => choose_gain_baseline(s.format, p),
    };
    let gain = quantize(gain);
    let (lo, hi) = valid_range(s.format);
    let invalid = s.format.invalid_sample().unwrap_or(lo as i32);
    let b = f64::from(baseline);
    let mut out = Vec::with_capacity(p.len());
    for (k, &v) in p.iter().enumerate() {
        if v.is_nan() {
            out.push(invalid);
            continue;
        }
        let d = (v * gain + b).round_ties_even();
        if d < lo as f64 || d > hi as f64 {
            return Err(bad(format!(
                "sample {k} ({v}) converts to {d}, outside format {}'s range {lo}..={hi} \
                 (gain {gain}, baseline {baseline})",
                s.format.code()
            )));
        }
        out.push(d as i32);
    }
    Ok((out, gain, baseline))
}

/// The gain and baseline wfdb-python's `wrsamp` chooses for physical samples: the range of
/// the (non-NaN) samples mapped onto the format's valid values, the baseline an integer.
fn choose_gain_baseline(format: Format, p: &[f64]) -> (f64, i32) {
    let (dmin, dmax) = valid_range(format);
    let (dmin, dmax) = (dmin as f64, dmax as f64);
    let (mut pmin, mut pmax) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in p.iter().filter(|v| !v.is_nan()) {
        pmin = pmin.min(v);
        pmax = pmax.max(v);
    }
    if pmin > pmax {
        // No valid sample: nothing to scale.
        return (1.0, 0);
    }
    if pmin == pmax {
        if pmin == 0.0 {
            return (1.0, 1);
        }
        return ((1.0 / pmin).abs(), 0);
    }
    let mut gain = (dmax - dmin) / (pmax - pmin);
    let base = dmin - gain * pmin;
    let mut baseline = if pmin > 0.0 {
        base.ceil()
    } else {
        base.floor()
    };
    if dmin != baseline {
        gain = (dmin - baseline) / pmin;
    }
    let (max_i32, min_i32) = (f64::from(i32::MAX), f64::from(i32::MIN));
    if baseline > max_i32 {
        gain = (max_i32 - dmin) / pmin.abs();
        baseline = max_i32;
    } else if baseline < min_i32 {
        gain = (dmax - min_i32) / pmax;
        baseline = min_i32;
    }
    (gain, baseline as i32)
}

/// Assigns signals to files: the names given, else consecutive runs of one format.
fn group_files(record: &str, signals: &[SignalOut]) -> Result<Vec<(String, Vec<usize>)>> {
    let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    for (i, s) in signals.iter().enumerate() {
        let joins = groups.last().is_some_and(|(name, members)| {
            let first = &signals[members[0]];
            match (&s.file_name, name) {
                (Some(a), Some(b)) => a == b,
                (None, None) => {
                    first.format == s.format
                        && !(is_flac(s.format)
                            && (members.len() == FLAC_MAX_CHANNELS
                                || first.samples_per_frame != s.samples_per_frame))
                }
                _ => false,
            }
        });
        if let (true, Some(g)) = (joins, groups.last_mut()) {
            g.1.push(i);
        } else {
            groups.push((s.file_name.clone(), vec![i]));
        }
    }
    let unnamed = groups.iter().filter(|g| g.0.is_none()).count();
    let mut k = 0;
    let mut out: Vec<(String, Vec<usize>)> = Vec::with_capacity(groups.len());
    for (name, members) in groups {
        let name = name.unwrap_or_else(|| {
            k += 1;
            if unnamed == 1 {
                format!("{record}.dat")
            } else {
                format!("{record}_{}.dat", k - 1)
            }
        });
        if out.iter().any(|(n, _)| *n == name) {
            return Err(Error::invalid(format!(
                "signals sharing file {name} must be consecutive"
            )));
        }
        let first = &signals[members[0]];
        for &m in &members[1..] {
            let s = &signals[m];
            if s.format != first.format {
                return Err(Error::invalid(format!(
                    "file {name}: signals {} and {m} have formats {} and {}; a file holds one",
                    members[0],
                    first.format.code(),
                    s.format.code()
                )));
            }
            if is_flac(s.format) && s.samples_per_frame != first.samples_per_frame {
                return Err(Error::invalid(format!(
                    "FLAC file {name}: every signal needs the same samples per frame"
                )));
            }
        }
        if is_flac(first.format) && members.len() > FLAC_MAX_CHANNELS {
            return Err(Error::invalid(format!(
                "FLAC file {name}: {} signals, at most {FLAC_MAX_CHANNELS} fit",
                members.len()
            )));
        }
        out.push((name, members));
    }
    Ok(out)
}

fn is_flac(f: Format) -> bool {
    matches!(f, Format::Flac8 | Format::Flac16 | Format::Flac24)
}

/// Encodes one signal file: frame by frame, each signal's samples of the frame in turn.
fn encode_file(
    name: &str,
    format: Format,
    signals: &[&[i32]],
    spf: &[usize],
    frames: usize,
) -> Result<Vec<u8>> {
    if is_flac(format) {
        return encode_flac(name, format, signals, spf[0], frames);
    }
    let frame_samples: usize = spf.iter().sum();
    let total = frames * frame_samples;
    let mut stream = Vec::with_capacity(total);
    for f in 0..frames {
        for (s, &n) in signals.iter().zip(spf) {
            stream.extend_from_slice(&s[f * n..(f + 1) * n]);
        }
    }
    Ok(encode_samples(format, &stream))
}

/// Packs a stream of samples (already in range) in a block format.
pub(crate) fn encode_samples(format: Format, samples: &[i32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(samples.len() * 4);
    match format {
        Format::F80 => out.extend(samples.iter().map(|&v| (v + 128) as u8)),
        Format::F16 => {
            for &v in samples {
                out.extend_from_slice(&(v as i16).to_le_bytes());
            }
        }
        Format::F61 => {
            for &v in samples {
                out.extend_from_slice(&(v as i16).to_be_bytes());
            }
        }
        Format::F160 => {
            for &v in samples {
                out.extend_from_slice(&((v + 32768) as u16).to_le_bytes());
            }
        }
        Format::F24 => {
            for &v in samples {
                out.extend_from_slice(&v.to_le_bytes()[..3]);
            }
        }
        Format::F32 => {
            for &v in samples {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        Format::F212 => {
            let mut pairs = samples.chunks_exact(2);
            for p in &mut pairs {
                let (a, b) = (p[0] & 0xfff, p[1] & 0xfff);
                out.extend_from_slice(&[a as u8, ((a >> 8) | ((b >> 8) << 4)) as u8, b as u8]);
            }
            // An odd sample out: its two bytes only, as the WFDB library and wfdb-python
            // end a 212 file.
            if let [a] = pairs.remainder() {
                let a = a & 0xfff;
                out.extend_from_slice(&[a as u8, (a >> 8) as u8]);
            }
        }
        _ => {}
    }
    out
}

/// One FLAC stream, a channel per signal; with several samples per frame a channel holds
/// the signal's consecutive samples (the layout the reader expects).
fn encode_flac(
    name: &str,
    format: Format,
    signals: &[&[i32]],
    spf: usize,
    frames: usize,
) -> Result<Vec<u8>> {
    use flacenc::component::BitRepr;
    use flacenc::error::Verify;

    let channels = signals.len();
    let per_channel = frames * spf;
    let mut interleaved = Vec::with_capacity(per_channel * channels);
    for t in 0..per_channel {
        interleaved.extend(signals.iter().map(|s| s[t]));
    }
    let bits = format.natural_resolution() as usize;
    let fail = |e: String| Error::invalid(format!("{name}: FLAC encoder: {e}"));
    let encoded = catch_unwind(AssertUnwindSafe(|| {
        let config = flacenc::config::Encoder::default()
            .into_verified()
            .map_err(|(_, e)| format!("{e:?}"))?;
        let source = flacenc::source::MemSource::from_samples(
            &interleaved,
            channels,
            bits,
            FLAC_SAMPLE_RATE,
        );
        let stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
            .map_err(|e| format!("{e:?}"))?;
        let mut sink = flacenc::bitsink::ByteSink::new();
        stream.write(&mut sink).map_err(|e| format!("{e:?}"))?;
        Ok::<_, String>(sink.as_slice().to_vec())
    }))
    .map_err(|_| fail("panicked".into()))?;
    encoded.map_err(fail)
}

/// What [`convert_record`] writes.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// Storage format of every signal; `None` keeps each signal's own (16 for formats the
    /// writer cannot store).
    pub format: Option<Format>,
    /// Signals to write, by index, in this order; empty for all.
    pub channels: Vec<usize>,
    /// First frame.
    pub from: u64,
    /// Frame after the last; `None` for the end.
    pub to: Option<u64>,
    /// Convert physical values with gains and baselines chosen from the data instead of
    /// copying the digital values (needed when they do not fit the new format).
    pub rescale: bool,
}

/// Writes frames of `record` as the record `out_path`: the same signals (names, units,
/// gains, baselines, ADC resolution and zero, samples per frame), base time and date
/// (moved to the first frame written), counter and info lines, in the format asked.
/// Digital values are copied (invalid samples stay invalid in the new format) unless
/// `rescale` is set or the record is multi-segment, whose segments may have different
/// gains.
pub fn convert_record(
    record: &super::Record,
    out_path: impl AsRef<Path>,
    options: &ConvertOptions,
) -> Result<Header> {
    let header = record.header();
    let channels: Vec<usize> = if options.channels.is_empty() {
        (0..record.n_sig()).collect()
    } else {
        options.channels.clone()
    };
    let to = options.to.unwrap_or(record.sig_len());
    record.check_stored(to.min(record.sig_len()))?;
    let rescale = options.rescale || header.is_multi_segment();
    let mut out = RecordOut::like(header);
    if options.from > 0 {
        out.base_time_shift(options.from as f64 / header.fs);
    }
    for &c in &channels {
        let Some(spec) = record.signals().get(c) else {
            return Err(Error::invalid(format!(
                "{}: no signal {c} (the record has {})",
                record.header_path().display(),
                record.n_sig()
            )));
        };
        let format = options.format.unwrap_or(if writable(spec.format) {
            spec.format
        } else {
            Format::F16
        });
        let mut s = SignalOut::new(spec.description.clone(), format);
        s.units = spec.units.clone();
        s.samples_per_frame = spec.samples_per_frame;
        s.adc_zero = spec.adc_zero;
        s.adc_res = spec.adc_res.min(format.natural_resolution());
        if !rescale {
            s.gain = Some(if spec.calibrated { spec.adc_gain } else { 0.0 });
            s.baseline = Some(spec.baseline);
        }
        out.signals.push(s);
    }
    let to_path = out_path.as_ref();
    if rescale {
        let p = record.read_physical_channels(
            &channels,
            options.from,
            to,
            super::Resolution::PerSignal,
        )?;
        let p: Vec<Vec<f64>> = p
            .into_iter()
            .map(|v| v.into_iter().map(f64::from).collect())
            .collect();
        let refs: Vec<&[f64]> = p.iter().map(Vec::as_slice).collect();
        return write_record(to_path, &out, Samples::Physical(&refs));
    }
    let mut d =
        record.read_digital_channels(&channels, options.from, to, super::Resolution::PerSignal)?;
    for ((v, &c), s) in d.iter_mut().zip(&channels).zip(&out.signals) {
        let old = record.signals()[c].format.invalid_sample();
        let new = s.format.invalid_sample();
        if let (Some(old), Some(new)) = (old, new)
            && old != new
        {
            v.iter_mut().filter(|x| **x == old).for_each(|x| *x = new);
        }
    }
    let refs: Vec<&[i32]> = d.iter().map(Vec::as_slice).collect();
    write_record(to_path, &out, Samples::Digital(&refs)).map_err(|e| match e {
        Error::InvalidArgument(m) if m.contains("outside format") => Error::invalid(format!(
            "{m}; convert with rescaling to choose gains that fit"
        )),
        e => e,
    })
}

impl RecordOut {
    /// Moves the base time (and date) `seconds` later, as when a record is cut.
    fn base_time_shift(&mut self, seconds: f64) {
        let Some(t) = self.base_time else {
            return;
        };
        let total = f64::from(t.hour * 3600 + t.minute * 60) + t.second + seconds;
        let days = (total / 86_400.0).floor();
        let rest = total - days * 86_400.0;
        let whole = rest.floor() as u32;
        self.base_time = Some(BaseTime {
            hour: whole / 3600,
            minute: whole / 60 % 60,
            second: f64::from(whole % 60) + (rest - rest.floor()),
        });
        if let Some(d) = self.base_date.as_mut() {
            for _ in 0..days as u64 {
                *d = next_day(*d);
            }
        }
    }
}

fn next_day(d: BaseDate) -> BaseDate {
    let leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    let len = match d.month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    match (d.day >= len, d.month == 12) {
        (false, _) => BaseDate {
            day: d.day + 1,
            ..d
        },
        (true, false) => BaseDate {
            day: 1,
            month: d.month + 1,
            ..d
        },
        (true, true) => BaseDate {
            year: d.year + 1,
            month: 1,
            day: 1,
        },
    }
}

/// The header text: the record line, a line per signal, then the info lines.
pub fn header_text(h: &Header) -> String {
    let mut s = format!("{} {} {}", h.record_name, h.n_sig, format_g12(h.fs));
    let bc = h.base_counter.unwrap_or(0.0);
    if let Some(cf) = h.counter_freq
        && (cf != h.fs || bc != 0.0)
    {
        s.push_str(&format!("/{}", format_g12(cf)));
        if bc != 0.0 {
            s.push_str(&format!("({})", format_g12(bc)));
        }
    }
    s.push_str(&format!(" {}", h.sig_len.unwrap_or(0)));
    if h.base_time.is_some() || h.base_date.is_some() {
        let t = h.base_time.unwrap_or(BaseTime {
            hour: 0,
            minute: 0,
            second: 0.0,
        });
        s.push(' ');
        s.push_str(&time_text(&t));
    }
    if let Some(d) = h.base_date {
        s.push_str(&format!(" {d}"));
    }
    s.push('\n');
    for sig in &h.signals {
        s.push_str(&format!("{} {}", sig.file_name, sig.format.code()));
        if sig.samples_per_frame > 1 {
            s.push_str(&format!("x{}", sig.samples_per_frame));
        }
        let gain = if sig.calibrated { sig.adc_gain } else { 0.0 };
        s.push_str(&format!(" {}", format_g12(gain)));
        if sig.baseline != sig.adc_zero {
            s.push_str(&format!("({})", sig.baseline));
        }
        s.push_str(&format!(
            "/{} {} {} {} {} {}",
            sig.units,
            sig.adc_res,
            sig.adc_zero,
            sig.init_value,
            sig.checksum.unwrap_or(0),
            sig.block_size
        ));
        if !sig.description.is_empty() {
            s.push_str(&format!(" {}", sig.description));
        }
        s.push('\n');
    }
    for c in &h.comments {
        s.push_str(&format!("# {c}\n"));
    }
    s
}

/// `hh:mm:ss`, with the fraction of a second when there is one.
fn time_text(t: &BaseTime) -> String {
    let whole = t.second.trunc();
    let mut s = format!("{:02}:{:02}:{:02}", t.hour, t.minute, whole as u32);
    let frac = format!("{:.6}", t.second - whole);
    let frac = frac.trim_end_matches('0');
    if let Some(digits) = frac.strip_prefix("0.")
        && !digits.is_empty()
    {
        s.push('.');
        s.push_str(digits);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g12_matches_printf() {
        for (v, s) in [
            (200.0, "200"),
            (360.0, "360"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (123456789012.0, "123456789012"),
            (1234567890123.0, "1.23456789012e+12"),
            (65.53599999999999, "65.536"),
            (1.0 / 3.0, "0.333333333333"),
            (-2.5, "-2.5"),
            (0.0001, "0.0001"),
        ] {
            assert_eq!(format_g12(v), s, "{v}");
        }
    }

    #[test]
    fn packs_212_as_the_reader_unpacks() {
        let samples = [0, -1, 2047, -2047, -2048, 5, 7];
        for format in [
            Format::F80,
            Format::F16,
            Format::F61,
            Format::F160,
            Format::F24,
            Format::F32,
            Format::F212,
        ] {
            let s: Vec<i32> = if format == Format::F80 {
                samples
                    .iter()
                    .map(|v| v.clamp(&-128, &127))
                    .copied()
                    .collect()
            } else {
                samples.to_vec()
            };
            let bytes = encode_samples(format, &s);
            let mut back = Vec::new();
            format.decode_blocks(&bytes, &mut back);
            assert_eq!(back, s, "format {}", format.code());
        }
    }

    #[test]
    fn chosen_gain_spans_the_format() {
        let p = [-1.0, 0.0, 2.5];
        let (g, b) = choose_gain_baseline(Format::F16, &p);
        let d: Vec<f64> = p.iter().map(|v| (v * g + f64::from(b)).round()).collect();
        assert_eq!(d[0], -32767.0);
        assert!(d[2] <= 32767.0 && d[2] >= 32766.0, "{d:?}");
    }

    #[test]
    fn base_time_text() {
        let t = |second| BaseTime {
            hour: 9,
            minute: 5,
            second,
        };
        assert_eq!(time_text(&t(7.0)), "09:05:07");
        assert_eq!(time_text(&t(7.25)), "09:05:07.25");
    }
}
