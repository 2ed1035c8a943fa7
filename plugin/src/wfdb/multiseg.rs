//! Multi-segment records: a master header listing segment records that are read one
//! after the other.
//!
//! In a *fixed layout* every segment has the signals of the first one. In a *variable
//! layout* the first segment is a layout header (0 samples) naming the record's signals;
//! each segment holds some of them, matched by name, and the others read as invalid. A
//! `~` segment is a gap: every sample in it is invalid. Where a segment's calibration
//! differs from the record's, digital samples are rescaled to the record's gain and
//! baseline (rounded to nearest), as the WFDB C library does; physical samples are
//! computed from each segment's own calibration.

use std::path::{Path, PathBuf};

use super::header::{Header, SignalSpec};
use super::record::to_physical;
use super::signal::{Segment, reserve};
use crate::{Error, Result, files};

/// One segment of the record.
#[derive(Debug, Clone)]
struct Part {
    /// First frame of the segment in the record.
    start: u64,
    /// Frames, as the master header lists them.
    len: u64,
    /// The segment's data; `None` for a gap.
    data: Option<Segment>,
    /// The segment's header (names the segment in errors).
    header: PathBuf,
    /// For each record signal, the segment signal that holds it.
    map: Vec<Option<usize>>,
}

/// The signal data of a multi-segment record.
#[derive(Debug, Clone)]
pub(crate) struct MultiSegment {
    pub signals: Vec<SignalSpec>,
    pub len: u64,
    parts: Vec<Part>,
}

impl MultiSegment {
    /// Fails, naming the segment's file, when frames `[0, to)` are not all stored.
    pub fn check_stored_to(&self, to: u64) -> Result<()> {
        for p in self.parts.iter().take_while(|p| p.start < to) {
            if let Some(data) = &p.data {
                data.check_stored_to((to - p.start).min(p.len))?;
            }
        }
        Ok(())
    }

    /// Opens every segment named by `master`; all missing segments are named in one error.
    pub fn open(dir: &Path, master_path: &Path, master: &Header) -> Result<MultiSegment> {
        let segs = master.segments.as_deref().unwrap_or(&[]);
        // Every segment's header path, confined to the folder, before any is opened.
        let paths: Vec<Option<PathBuf>> = segs
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (!s.is_null())
                    .then(|| {
                        let name = format!("{}.hea", s.name);
                        files::confined(dir, &name, master_path, &format!("segment {i}"))
                    })
                    .transpose()
            })
            .collect::<Result<_>>()?;
        let missing: Vec<String> = segs
            .iter()
            .zip(&paths)
            .filter(|(_, p)| p.as_ref().is_some_and(|p| !p.is_file()))
            .map(|(s, _)| format!("{}.hea", s.name))
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
            let more = missing.len().saturating_sub(shown.len());
            return Err(Error::format(
                master_path,
                None,
                format!(
                    "{} of {} segment headers are missing: {}{}",
                    missing.len(),
                    segs.len(),
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
            ));
        }

        let variable = segs.first().is_some_and(|s| s.sig_len == 0 && !s.is_null());
        let mut parts = Vec::with_capacity(segs.len());
        let mut signals: Option<Vec<SignalSpec>> = None;
        if variable {
            let layout = open_header(paths[0].as_deref().expect("not a null segment"))?;
            signals = Some(layout.signals);
        }
        let mut start = 0u64;
        let first = usize::from(variable);
        for (seg, path) in segs[first..].iter().zip(&paths[first..]) {
            if let Some(path) = path {
                let h = open_header(path)?;
                let data = Segment::open(dir, path, h.signals, h.sig_len)?;
                let record_signals = signals.get_or_insert_with(|| data.signals.clone());
                let map: Vec<Option<usize>> = if variable {
                    record_signals
                        .iter()
                        .map(|r| {
                            data.signals
                                .iter()
                                .position(|s| s.description == r.description)
                        })
                        .collect()
                } else {
                    if data.signals.len() != record_signals.len() {
                        return Err(Error::format(
                            path,
                            None,
                            format!(
                                "fixed-layout segment has {} signals, the first has {}",
                                data.signals.len(),
                                record_signals.len()
                            ),
                        ));
                    }
                    (0..record_signals.len()).map(Some).collect()
                };
                for (r, m) in record_signals.iter().zip(&map) {
                    if let Some(m) = *m {
                        let spf = data.signals[m].samples_per_frame;
                        if spf != r.samples_per_frame {
                            return Err(Error::format(
                                path,
                                None,
                                format!(
                                    "signal `{}` has {spf} samples per frame, the record {}",
                                    r.description, r.samples_per_frame
                                ),
                            ));
                        }
                    }
                }
                parts.push(Part {
                    start,
                    len: seg.sig_len,
                    data: Some(data),
                    header: path.clone(),
                    map,
                });
            } else {
                parts.push(Part {
                    start,
                    len: seg.sig_len,
                    data: None,
                    header: PathBuf::from("~"),
                    map: Vec::new(),
                });
            }
            start = start
                .checked_add(seg.sig_len)
                .ok_or_else(|| Error::format(master_path, None, "segment lengths overflow"))?;
        }
        let signals = signals.unwrap_or_default();
        if signals.len() != master.n_sig {
            return Err(Error::format(
                master_path,
                None,
                format!(
                    "the master header declares {} signals, its segments have {}",
                    master.n_sig,
                    signals.len()
                ),
            ));
        }
        for p in &mut parts {
            if p.data.is_none() {
                p.map = vec![None; signals.len()];
            }
        }
        Ok(MultiSegment {
            signals,
            len: start,
            parts,
        })
    }

    /// Segments overlapping frames `[from, to)`, with the overlap in segment frames.
    fn overlapping(&self, from: u64, to: u64) -> impl Iterator<Item = (&Part, u64, u64)> {
        self.parts.iter().filter_map(move |p| {
            let lo = from.max(p.start);
            let hi = to.min(p.start + p.len);
            (lo < hi).then(|| (p, lo - p.start, hi - p.start))
        })
    }

    /// Digital samples (in the record's calibration) of `channels` over `[from, to)`,
    /// `spf` per frame per signal.
    pub fn read_digital(&self, channels: &[usize], from: u64, to: u64) -> Result<Vec<Vec<i32>>> {
        let mut out = vec![Vec::new(); channels.len()];
        for (part, a, b) in self.overlapping(from, to) {
            let seg = self.read_part(part, channels, a, b)?;
            for ((dst, &c), src) in out.iter_mut().zip(channels).zip(seg) {
                let rec = &self.signals[c];
                let invalid = rec.format.invalid_sample().unwrap_or(i32::from(i16::MIN));
                match (part.data.as_ref(), part.map.get(c).copied().flatten()) {
                    (Some(data), Some(m)) => {
                        let s = &data.signals[m];
                        let same = s.adc_gain == rec.adc_gain && s.baseline == rec.baseline;
                        let seg_invalid = s.format.invalid_sample();
                        dst.extend(src.into_iter().map(|x| {
                            if Some(x) == seg_invalid {
                                invalid
                            } else if same {
                                x
                            } else {
                                let v = (f64::from(x) - f64::from(s.baseline)) * rec.adc_gain
                                    / s.adc_gain
                                    + f64::from(rec.baseline);
                                v.round().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
                            }
                        }));
                    }
                    _ => dst.extend(std::iter::repeat_n(invalid, src.len())),
                }
            }
        }
        Ok(out)
    }

    /// Physical samples of `channels` over `[from, to)`, each segment converted with its
    /// own calibration; NaN in gaps and for signals a segment lacks.
    pub fn read_physical(&self, channels: &[usize], from: u64, to: u64) -> Result<Vec<Vec<f32>>> {
        let mut out = vec![Vec::new(); channels.len()];
        for (part, a, b) in self.overlapping(from, to) {
            let seg = self.read_part(part, channels, a, b)?;
            for ((dst, &c), src) in out.iter_mut().zip(channels).zip(seg) {
                match (part.data.as_ref(), part.map.get(c).copied().flatten()) {
                    (Some(data), Some(m)) => dst.extend(to_physical(&data.signals[m], &src)),
                    _ => dst.extend(std::iter::repeat_n(f32::NAN, src.len())),
                }
            }
        }
        Ok(out)
    }

    /// Raw samples of one segment for the record's `channels` (placeholders of the right
    /// length where the segment lacks a signal).
    fn read_part(&self, part: &Part, channels: &[usize], a: u64, b: u64) -> Result<Vec<Vec<i32>>> {
        let n = b - a;
        // Fallible: a gap's length comes from the header, not from any file.
        let placeholder = |c: usize| -> Result<Vec<i32>> {
            let mut v = Vec::new();
            let len = n.saturating_mul(u64::from(self.signals[c].samples_per_frame));
            reserve(&mut v, len)?;
            v.resize(len as usize, 0);
            Ok(v)
        };
        let Some(data) = &part.data else {
            return channels.iter().map(|&c| placeholder(c)).collect();
        };
        let present: Vec<usize> = channels.iter().filter_map(|&c| part.map[c]).collect();
        let mut got = vec![Vec::new(); present.len()];
        if b > data.len {
            return Err(Error::format(
                &part.header,
                None,
                format!(
                    "segment holds {} frames, the master header lists more than that",
                    data.len
                ),
            ));
        }
        data.read(&present, a, b, &mut got)?;
        let mut got = got.into_iter();
        channels
            .iter()
            .map(|&c| match part.map[c] {
                Some(_) => Ok(got.next().unwrap_or_default()),
                None => placeholder(c),
            })
            .collect()
    }

    /// Checks the initial values and checksums of every segment.
    pub fn verify(&self) -> Result<()> {
        for p in &self.parts {
            if let Some(d) = &p.data {
                d.verify(&p.header)?;
            }
        }
        Ok(())
    }
}

fn open_header(path: &Path) -> Result<Header> {
    let h = Header::from_file(path)?;
    if h.is_multi_segment() {
        return Err(Error::format(
            path,
            None,
            "a segment cannot itself have segments",
        ));
    }
    Ok(h)
}
