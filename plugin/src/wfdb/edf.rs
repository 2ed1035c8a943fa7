//! EDF and EDF+ files (European Data Format) read as records, as the WFDB C library opens
//! them: each ordinary signal becomes a signal of the record with its physical scaling, and
//! the EDF+ annotation signals (`EDF Annotations`) become annotations.
//!
//! - A file's data records hold, for each signal in turn, its samples of the record's
//!   duration as 16-bit little-endian integers. The record's frame rate is the largest rate
//!   that every signal's samples per data record divide into: the greatest common divisor
//!   of those counts per data-record duration (one frame per sample when all signals share
//!   a rate); a faster signal has several samples per frame.
//! - Physical value `p = pmin + (d - dmin) (pmax - pmin) / (dmax - dmin)` from the signal's
//!   physical and digital minimum and maximum. The synthesised [`SignalSpec`] carries the
//!   equivalent gain and the baseline rounded to an integer, as a WFDB header would; reads
//!   of physical samples use the exact offset.
//! - EDF+ discontinuous files (`EDF+D`) are refused: their data records are not evenly
//!   spaced in time, and a record's samples are. BDF (24-bit) files are refused too.
//! - Annotations: each text of each time-stamped annotation list becomes an annotation at
//!   `round(onset × fs)` samples after the first data record's start. A text that begins
//!   with `(` is a rhythm change (`+`, the text as its aux string, as MIT-BIH stores
//!   `(AFIB`); a WFDB annotation symbol (`N`, `V`, `~`...) takes that code; any other text
//!   is a comment (`"`, the text as its aux string). Durations are not kept.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::Annotation;
use super::codes::{self, NOTE, RHYTHM};
use super::format::Format;
use super::header::{BaseDate, BaseTime, Header, MAX_SIGNALS, SignalSpec};
use crate::files;
use crate::{Error, Result};

/// Label of an EDF+ annotation signal.
const ANNOTATION_LABEL: &str = "EDF Annotations";
/// Bytes of the fixed part of the header.
const FIXED_HEADER: usize = 256;
/// Bytes of each signal's part of the header.
const SIGNAL_HEADER: usize = 256;
/// Largest data record (bytes) read at once; EDF+ advises at most 61,440.
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Whether `path` names an EDF file: its extension is `edf` (any case).
pub fn is_edf_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("edf"))
}

/// One ordinary signal's place in a data record and its scaling.
#[derive(Debug, Clone)]
struct Signal {
    /// Byte offset of its samples within a data record.
    offset: u64,
    /// Samples per data record.
    samples: u64,
    pmin: f64,
    pmax: f64,
    dmin: f64,
    dmax: f64,
}

/// An opened EDF file.
#[derive(Debug, Clone)]
pub(crate) struct Edf {
    path: PathBuf,
    header_bytes: u64,
    record_bytes: u64,
    records: u64,
    /// Frames per data record.
    frames_per_record: u64,
    signals: Vec<Signal>,
    /// Byte offsets and lengths (bytes) of the annotation signals in a data record.
    annotation_signals: Vec<(u64, u64)>,
    /// The record's description in WFDB terms.
    pub header: Header,
}

fn field(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Edf {
    /// Reads and checks the header of the EDF file at `path`.
    pub fn open(path: &Path) -> Result<Edf> {
        let bad = |msg: String| Error::format(path, None, msg);
        let mut file = files::open_regular(path)?;
        let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        let mut fixed = [0u8; FIXED_HEADER];
        file.read_exact(&mut fixed)
            .map_err(|_| bad("shorter than an EDF header (256 bytes)".into()))?;
        if fixed[0] == 0xFF {
            return Err(bad(
                "a BDF (24-bit) file: only EDF and EDF+ (16-bit) are read".into(),
            ));
        }
        if field(&fixed[0..8]) != "0" {
            return Err(bad(format!(
                "not an EDF file: version field `{}`, not `0`",
                field(&fixed[0..8]).escape_debug()
            )));
        }
        let reserved = field(&fixed[192..236]);
        if reserved.starts_with("EDF+D") {
            return Err(bad(
                "an EDF+D (discontinuous) file: its data records are not contiguous in \
                 time, and a record's samples must be; convert it to EDF+C or split it at \
                 its gaps"
                    .into(),
            ));
        }
        let number = |range: std::ops::Range<usize>, what: &str| -> Result<f64> {
            let s = field(&fixed[range]);
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(format!("{what} `{}` is not a number", s.escape_debug())))
        };
        let header_bytes = number(184..192, "header size")?;
        let records = number(236..244, "number of data records")?;
        let duration = number(244..252, "data record duration")?;
        let ns = number(252..256, "number of signals")?;
        if !(ns >= 1.0 && ns <= MAX_SIGNALS as f64 && ns.fract() == 0.0) {
            return Err(bad(format!(
                "{ns} signals: an EDF file has 1 to {MAX_SIGNALS}"
            )));
        }
        let ns = ns as usize;
        let expected_header = (FIXED_HEADER + ns * SIGNAL_HEADER) as u64;
        if header_bytes != expected_header as f64 {
            return Err(bad(format!(
                "header size {header_bytes} bytes, but {ns} signals make {expected_header}"
            )));
        }
        if duration <= 0.0 {
            return Err(bad(format!(
                "data record duration {duration} s: a record of signals needs a positive \
                 duration"
            )));
        }
        let mut sig = vec![0u8; ns * SIGNAL_HEADER];
        file.read_exact(&mut sig)
            .map_err(|_| bad("the signal headers are cut short".into()))?;
        // Field `k` (of the given width) of signal `i`: fields are stored one after the
        // other for all signals.
        let widths = [16usize, 80, 8, 8, 8, 8, 8, 80, 8, 32];
        let at = |k: usize, i: usize| -> &[u8] {
            let start: usize = widths[..k].iter().map(|w| w * ns).sum::<usize>() + i * widths[k];
            &sig[start..start + widths[k]]
        };
        let mut signals = Vec::new();
        let mut specs = Vec::new();
        let mut annotation_signals = Vec::new();
        let mut offset = 0u64;
        let mut per_record = Vec::new();
        for i in 0..ns {
            let label = field(at(0, i));
            let num = |k: usize, what: &str| -> Result<f64> {
                let s = field(at(k, i));
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        bad(format!(
                            "signal {i} ({label}): {what} `{}` is not a number",
                            s.escape_debug()
                        ))
                    })
            };
            let samples = num(8, "samples per data record")?;
            if !(samples >= 1.0 && samples.fract() == 0.0 && samples <= MAX_RECORD_BYTES as f64) {
                return Err(bad(format!(
                    "signal {i} ({label}): {samples} samples per data record"
                )));
            }
            let samples = samples as u64;
            if label == ANNOTATION_LABEL {
                annotation_signals.push((offset, 2 * samples));
            } else {
                let (pmin, pmax) = (num(3, "physical minimum")?, num(4, "physical maximum")?);
                let (dmin, dmax) = (num(5, "digital minimum")?, num(6, "digital maximum")?);
                if !(dmax > dmin && pmax != pmin) {
                    return Err(bad(format!(
                        "signal {i} ({label}): digital range {dmin}..{dmax} and physical \
                         range {pmin}..{pmax} give no scaling"
                    )));
                }
                let gain = (dmax - dmin) / (pmax - pmin);
                let baseline = dmin - pmin * gain;
                specs.push(SignalSpec {
                    file_name: path
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                    format: Format::F16,
                    samples_per_frame: 1,
                    skew: 0,
                    byte_offset: 0,
                    adc_gain: gain,
                    calibrated: true,
                    baseline: baseline.round().clamp(i32::MIN as f64, i32::MAX as f64) as i32,
                    units: field(at(2, i)),
                    adc_res: 16,
                    adc_zero: 0,
                    init_value: 0,
                    init_value_given: false,
                    checksum: None,
                    block_size: 0,
                    description: label,
                });
                per_record.push(samples);
                signals.push(Signal {
                    offset,
                    samples,
                    pmin,
                    pmax,
                    dmin,
                    dmax,
                });
            }
            offset += 2 * samples;
        }
        let record_bytes = offset;
        if record_bytes > MAX_RECORD_BYTES {
            return Err(bad(format!(
                "data records of {record_bytes} bytes, more than the {MAX_RECORD_BYTES} read \
                 at once"
            )));
        }
        if signals.is_empty() {
            return Err(bad(
                "no signal: an EDF+ file of annotations alone is not a record (its \
                 annotations are read with the annotator `edf`)"
                    .into(),
            ));
        }
        let frames_per_record = per_record.iter().copied().fold(0, gcd);
        for (spec, &n) in specs.iter_mut().zip(&per_record) {
            spec.samples_per_frame = u32::try_from(n / frames_per_record).unwrap_or(u32::MAX);
        }
        // The number of data records: the header's, or what the file holds when it says -1
        // (a recording that was not closed). A header claiming more than the file holds is
        // an error, as a WFDB header claiming more samples than its files would be.
        let stored = file_len.saturating_sub(expected_header) / record_bytes;
        let records = if records == -1.0 {
            stored
        } else if records >= 0.0 && records.fract() == 0.0 && records <= stored as f64 {
            records as u64
        } else {
            return Err(bad(format!(
                "{records} data records declared, but the file holds {stored}"
            )));
        };
        let header = Header {
            record_name: path
                .file_stem()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            n_sig: specs.len(),
            fs: frames_per_record as f64 / duration,
            counter_freq: None,
            base_counter: None,
            sig_len: Some(records.saturating_mul(frames_per_record)),
            base_time: base_time(&field(&fixed[176..184])),
            base_date: base_date(&field(&fixed[168..176])),
            signals: specs,
            segments: None,
            comments: vec![
                format!("EDF patient: {}", field(&fixed[8..88])),
                format!("EDF recording: {}", field(&fixed[88..168])),
            ],
            warnings: Vec::new(),
        };
        Ok(Edf {
            path: path.to_path_buf(),
            header_bytes: expected_header,
            record_bytes,
            records,
            frames_per_record,
            signals,
            annotation_signals,
            header,
        })
    }

    /// Number of frames.
    pub fn len(&self) -> u64 {
        self.records * self.frames_per_record
    }

    /// Digital samples of `channels` over frames `[from, to)`, each at its own rate
    /// (samples per frame kept), into `out` (one vector per channel, cleared first).
    pub fn read(&self, channels: &[usize], from: u64, to: u64, out: &mut [Vec<i32>]) -> Result<()> {
        for v in out.iter_mut() {
            v.clear();
        }
        if from >= to {
            return Ok(());
        }
        let fpr = self.frames_per_record;
        let (r0, r1) = (from / fpr, to.div_ceil(fpr));
        for (v, &c) in out.iter_mut().zip(channels) {
            let spf = self.signals[c].samples / fpr;
            super::signal::reserve(v, (to - from) * spf)?;
        }
        let mut file = files::open_regular(&self.path)?;
        // A few megabytes of data records at a time.
        let chunk = (4 << 20) / self.record_bytes.max(1) + 1;
        let mut buf = Vec::new();
        let mut r = r0;
        while r < r1 {
            let n = chunk.min(r1 - r);
            buf.resize((n * self.record_bytes) as usize, 0);
            file.seek(SeekFrom::Start(self.header_bytes + r * self.record_bytes))
                .and_then(|_| file.read_exact(&mut buf))
                .map_err(|e| Error::io(&self.path, e))?;
            for k in 0..n {
                let rec = &buf[(k * self.record_bytes) as usize..][..self.record_bytes as usize];
                let first_frame = (r + k) * fpr;
                for (v, &c) in out.iter_mut().zip(channels) {
                    let s = &self.signals[c];
                    let spf = s.samples / fpr;
                    // The part of this data record inside [from, to), in samples.
                    let lo = from.saturating_sub(first_frame).min(fpr) * spf;
                    let hi = (to - first_frame).min(fpr) * spf;
                    let bytes = &rec[s.offset as usize..][..2 * s.samples as usize];
                    v.extend(
                        bytes[2 * lo as usize..2 * hi as usize]
                            .chunks_exact(2)
                            .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]]))),
                    );
                }
            }
            r += n;
        }
        Ok(())
    }

    /// Physical values of signal `c`'s digital samples.
    pub fn to_physical(&self, c: usize, d: &[i32]) -> Vec<f32> {
        let s = &self.signals[c];
        let step = (s.pmax - s.pmin) / (s.dmax - s.dmin);
        d.iter()
            .map(|&x| (s.pmin + (f64::from(x) - s.dmin) * step) as f32)
            .collect()
    }

    /// Fails when frames `[0, to)` are not stored (they always are once opened: the
    /// number of data records was checked against the file's size).
    pub fn check_stored_to(&self, to: u64) -> Result<()> {
        if to > self.len() {
            return Err(Error::format(
                &self.path,
                None,
                format!("frame {to} is past the {} stored", self.len()),
            ));
        }
        Ok(())
    }

    /// The EDF+ annotations, at the record's sampling frequency.
    pub fn annotations(&self) -> Result<Vec<Annotation>> {
        let mut out = Vec::new();
        if self.annotation_signals.is_empty() {
            return Ok(out);
        }
        let fs = self.header.fs;
        let mut file = files::open_regular(&self.path)?;
        let mut rec = vec![0u8; self.record_bytes as usize];
        let mut start: Option<f64> = None;
        for r in 0..self.records {
            file.seek(SeekFrom::Start(self.header_bytes + r * self.record_bytes))
                .and_then(|_| file.read_exact(&mut rec))
                .map_err(|e| Error::io(&self.path, e))?;
            for (i, &(offset, len)) in self.annotation_signals.iter().enumerate() {
                let bytes = &rec[offset as usize..(offset + len) as usize];
                let tals = parse_tals(bytes).map_err(|m| {
                    Error::format(
                        &self.path,
                        None,
                        format!("data record {r}, annotation signal {i}: {m}"),
                    )
                })?;
                for (k, (onset, texts)) in tals.into_iter().enumerate() {
                    // The first list of the first annotation signal keeps time: its onset is
                    // the data record's start.
                    if k == 0 && i == 0 {
                        start.get_or_insert(onset);
                    }
                    let t0 = start.unwrap_or(0.0);
                    for text in texts {
                        out.push(annotation((onset - t0) * fs, &text));
                    }
                }
            }
        }
        out.sort_by_key(|a| a.sample);
        Ok(out)
    }
}

/// An annotation for `text` at `sample` (rounded).
fn annotation(sample: f64, text: &str) -> Annotation {
    let sample = sample.round() as i64;
    if text.starts_with('(') {
        return Annotation {
            sample,
            code: RHYTHM,
            aux: text.as_bytes().to_vec(),
            ..Annotation::default()
        };
    }
    match codes::code_of(text) {
        Some(code) if code != NOTE && code != RHYTHM => Annotation {
            sample,
            code,
            ..Annotation::default()
        },
        _ => Annotation {
            sample,
            code: NOTE,
            aux: text.as_bytes().to_vec(),
            ..Annotation::default()
        },
    }
}

/// The time-stamped annotation lists of one annotation signal's bytes in one data record:
/// `+onset[\x15duration]\x14text\x14text\x14...\x00`, padded with NULs.
fn parse_tals(bytes: &[u8]) -> std::result::Result<Vec<(f64, Vec<String>)>, String> {
    let mut out = Vec::new();
    for tal in bytes.split(|&b| b == 0).filter(|t| !t.is_empty()) {
        let mut parts = tal.split(|&b| b == 0x14);
        let stamp = parts.next().unwrap_or_default();
        let onset_bytes = stamp.split(|&b| b == 0x15).next().unwrap_or_default();
        let onset_text = String::from_utf8_lossy(onset_bytes);
        if !(onset_text.starts_with('+') || onset_text.starts_with('-')) {
            return Err(format!(
                "annotation onset `{}` has no sign",
                onset_text.escape_debug()
            ));
        }
        let onset: f64 = onset_text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                format!(
                    "annotation onset `{}` is not a number",
                    onset_text.escape_debug()
                )
            })?;
        let texts = parts
            .filter(|t| !t.is_empty())
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect();
        out.push((onset, texts));
    }
    Ok(out)
}

/// `hh.mm.ss`.
fn base_time(s: &str) -> Option<BaseTime> {
    let v: Vec<u32> = s
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match v[..] {
        [hour, minute, second] if hour < 24 && minute < 60 && second < 60 => Some(BaseTime {
            hour,
            minute,
            second: f64::from(second),
        }),
        _ => None,
    }
}

/// `dd.mm.yy`, years 85–99 being 1985–1999 and 00–84 2000–2084 (EDF's clipping date).
fn base_date(s: &str) -> Option<BaseDate> {
    let v: Vec<u32> = s
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match v[..] {
        [day, month, yy] if (1..=31).contains(&day) && (1..=12).contains(&month) && yy < 100 => {
            let year = if yy >= 85 { 1900 + yy } else { 2000 + yy } as i32;
            Some(BaseDate { year, month, day })
        }
        _ => None,
    }
}

/// The EDF+ annotations of the EDF file at `path`.
pub fn read_edf_annotations(path: &Path) -> Result<Vec<Annotation>> {
    Edf::open(path)?.annotations()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_stamped_annotation_lists() {
        let bytes = b"+0\x14\x14\x00+1.5\x150.2\x14(AFIB\x14N\x14\x00+2\x14hello\x14\x00\x00\x00";
        let tals = parse_tals(bytes).unwrap();
        assert_eq!(tals.len(), 3);
        assert_eq!(tals[0], (0.0, vec![]));
        assert_eq!(tals[1], (1.5, vec!["(AFIB".into(), "N".into()]));
        assert!(parse_tals(b"1\x14x\x14\x00").is_err());
        let a = annotation(360.0 * 1.5, "(AFIB");
        assert_eq!(
            (a.sample, a.code, a.aux_str().as_ref()),
            (540, RHYTHM, "(AFIB")
        );
        assert_eq!(annotation(1.0, "V").symbol(), "V");
        let note = annotation(1.0, "lights off");
        assert_eq!((note.code, note.aux_str().as_ref()), (NOTE, "lights off"));
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(
            base_date("02.03.99"),
            Some(BaseDate {
                year: 1999,
                month: 3,
                day: 2
            })
        );
        assert_eq!(base_date("02.03.04").map(|d| d.year), Some(2004));
        assert_eq!(base_date("xx"), None);
        assert_eq!(base_time("23.59.58").map(|t| t.second), Some(58.0));
        assert_eq!(base_time("24.00.00"), None);
    }
}
