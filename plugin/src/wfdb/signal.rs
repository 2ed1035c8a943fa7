//! Reading the samples of one single-segment record: signal files grouped by name, frames
//! of interleaved samples (samples per frame), skew, byte offsets, and ranges read
//! without decoding what comes before them.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::flac;
use super::format::{Format, Packing};
use super::header::SignalSpec;
use crate::{Error, Result};

/// Signals that share a signal file: their samples are interleaved frame by frame
/// (`spf` consecutive samples of the first signal, then of the second...).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Path of the signal file (`None` for null signals, format 0).
    pub path: Option<PathBuf>,
    pub format: Format,
    pub byte_offset: u64,
    /// Indices (into the record's signals) of the members, in frame order.
    pub members: Vec<usize>,
    /// Samples per frame of the whole group.
    pub frame_samples: u64,
    /// Frames the file holds (after the byte offset); `u64::MAX` for null signals.
    pub stored_frames: u64,
    /// Initial value of each member (format 8 differences start from it).
    pub inits: Vec<i32>,
    /// Samples per frame of each member.
    pub spfs: Vec<u64>,
}

/// Where a signal lives: its group, its first sample within a group frame, and its
/// samples per frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub group: usize,
    pub offset: u64,
    pub spf: u64,
    pub skew: u64,
}

/// The signal data of one single-segment record.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub signals: Vec<SignalSpec>,
    pub groups: Vec<Group>,
    pub slots: Vec<Slot>,
    /// Frames a sequential reader obtains (the C library's behaviour): the header length,
    /// cut short where the largest skew runs past the end of the stored frames.
    pub len: u64,
    /// The length the header states (or that the files imply when it states none).
    pub nominal_len: u64,
}

impl Segment {
    /// Groups the signals of a header by file, opening nothing but file metadata.
    /// `header_len` is the header's sample count (`None` or 0: take it from the files).
    pub fn open(
        dir: &Path,
        header_path: &Path,
        signals: Vec<SignalSpec>,
        header_len: Option<u64>,
    ) -> Result<Segment> {
        let mut groups: Vec<Group> = Vec::new();
        let mut slots = Vec::with_capacity(signals.len());
        for (i, s) in signals.iter().enumerate() {
            let spf = u64::from(s.samples_per_frame);
            let same_file = groups.last().is_some_and(|g: &Group| {
                let last = &signals[*g.members.last().expect("groups are never empty")];
                last.file_name == s.file_name && s.format != Format::F0
            });
            if same_file {
                let group = groups.len() - 1;
                let g = &mut groups[group];
                if g.format != s.format {
                    return Err(Error::format(
                        header_path,
                        None,
                        format!(
                            "signals {} and {i} share file `{}` but have formats {} and {}",
                            g.members[0],
                            s.file_name,
                            g.format.code(),
                            s.format.code()
                        ),
                    ));
                }
                slots.push(Slot {
                    group,
                    offset: g.frame_samples,
                    spf,
                    skew: u64::from(s.skew),
                });
                g.members.push(i);
                g.inits.push(s.init_value);
                g.spfs.push(spf);
                g.frame_samples = g.frame_samples.checked_add(spf).ok_or_else(|| {
                    Error::format(header_path, None, "samples per frame overflow")
                })?;
            } else {
                let null = s.format == Format::F0 || s.file_name == "~";
                slots.push(Slot {
                    group: groups.len(),
                    offset: 0,
                    spf,
                    skew: u64::from(s.skew),
                });
                groups.push(Group {
                    path: (!null).then(|| dir.join(&s.file_name)),
                    format: if null { Format::F0 } else { s.format },
                    byte_offset: s.byte_offset,
                    members: vec![i],
                    frame_samples: spf,
                    stored_frames: u64::MAX,
                    inits: vec![s.init_value],
                    spfs: vec![spf],
                });
            }
        }
        for g in &mut groups {
            // FLAC keeps every signal of a file as one channel of equal length.
            if g.format.packing() == Packing::Flac && g.spfs.iter().any(|&x| x != g.spfs[0]) {
                return Err(Error::format(
                    header_path,
                    None,
                    "signals of one FLAC file must have the same samples per frame",
                ));
            }
            g.stored_frames = stored_frames(g)?;
        }

        let stored = groups.iter().map(|g| g.stored_frames).min();
        let max_skew = slots.iter().map(|s| s.skew).max().unwrap_or(0);
        let nominal_len = match (header_len.filter(|&n| n > 0), stored) {
            (Some(n), _) => n,
            (None, Some(s)) if s != u64::MAX => s,
            _ => 0,
        };
        // A frame is delivered once every signal's stored sample for it exists; a file
        // shorter than the header says is left to fail (naming the file) when read.
        let len = match stored {
            Some(s) if s != u64::MAX && s >= nominal_len => {
                nominal_len.min(s.saturating_sub(max_skew))
            }
            _ => nominal_len.saturating_sub(max_skew),
        };
        Ok(Segment {
            signals,
            groups,
            slots,
            len,
            nominal_len,
        })
    }

    /// Appends the samples of `channels` in frames `[from, to)` (skew applied) to `out`
    /// (one vector per channel): `spf` samples per frame for each signal.
    pub fn read(&self, channels: &[usize], from: u64, to: u64, out: &mut [Vec<i32>]) -> Result<()> {
        debug_assert_eq!(channels.len(), out.len());
        for (gi, g) in self.groups.iter().enumerate() {
            let wanted: Vec<(usize, Slot)> = channels
                .iter()
                .enumerate()
                .filter(|(_, c)| self.slots[**c].group == gi)
                .map(|(k, c)| (k, self.slots[*c]))
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let min_skew = wanted.iter().map(|w| w.1.skew).min().unwrap_or(0);
            let max_skew = wanted.iter().map(|w| w.1.skew).max().unwrap_or(0);
            let a = from + min_skew;
            let b = to + max_skew;
            let frames = read_frames(g, a, b)?;
            let fs = g.frame_samples as usize;
            for (k, slot) in wanted {
                let first = (from + slot.skew - a) as usize;
                let n = (to - from) as usize;
                let dst = &mut out[k];
                let (off, spf) = (slot.offset as usize, slot.spf as usize);
                dst.reserve(n * spf);
                if fs == 1 {
                    dst.extend_from_slice(&frames[first..first + n]);
                } else {
                    for f in first..first + n {
                        let base = f * fs + off;
                        dst.extend_from_slice(&frames[base..base + spf]);
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks initial values and checksums against the stored samples (skew ignored:
    /// the header describes the file), `CHUNK` frames at a time.
    pub fn verify(&self, header_path: &Path) -> Result<()> {
        const CHUNK: u64 = 1 << 20;
        for g in &self.groups {
            if g.path.is_none() {
                continue;
            }
            let mut sums = vec![0i64; g.members.len()];
            let mut a = 0;
            while a < self.nominal_len {
                let b = (a + CHUNK).min(self.nominal_len);
                let frames = read_frames(g, a, b)?;
                for (k, &m) in g.members.iter().enumerate() {
                    let slot = self.slots[m];
                    let (off, spf) = (slot.offset as usize, slot.spf as usize);
                    let spec = &self.signals[m];
                    if a == 0 && spec.init_value_given && frames[off] != spec.init_value {
                        return Err(mismatch(
                            header_path,
                            m,
                            spec,
                            "initial value",
                            frames[off],
                            spec.init_value,
                        ));
                    }
                    sums[k] += frames
                        .chunks_exact(g.frame_samples as usize)
                        .flat_map(|f| &f[off..off + spf])
                        .map(|&x| i64::from(x))
                        .sum::<i64>();
                }
                a = b;
            }
            for (k, &m) in g.members.iter().enumerate() {
                let spec = &self.signals[m];
                if let Some(expected) = spec.checksum {
                    let got = (sums[k] & 0xffff) as u16;
                    if got != (expected & 0xffff) as u16 {
                        let got = i32::from(got as i16);
                        return Err(mismatch(header_path, m, spec, "checksum", got, expected));
                    }
                }
            }
        }
        Ok(())
    }
}

fn mismatch(path: &Path, i: usize, spec: &SignalSpec, what: &str, got: i32, header: i32) -> Error {
    Error::format(
        path,
        None,
        format!(
            "signal {i} ({}): {what} of the samples is {got}, the header says {header}",
            spec.description
        ),
    )
}

fn file_error(path: &Path, msg: impl Into<String>) -> Error {
    Error::format(path, None, msg)
}

/// Number of whole frames a group's file holds.
fn stored_frames(g: &Group) -> Result<u64> {
    let Some(path) = &g.path else {
        return Ok(u64::MAX);
    };
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(file_error(path, "not a regular file"));
    }
    if meta.len() < g.byte_offset {
        return Err(file_error(
            path,
            format!(
                "{} bytes long, shorter than its byte offset {}",
                meta.len(),
                g.byte_offset
            ),
        ));
    }
    let bytes = meta.len() - g.byte_offset;
    let samples = match g.format.packing() {
        Packing::Block { .. } | Packing::Difference => g.format.samples_in(bytes),
        Packing::Null => return Ok(u64::MAX),
        Packing::Flac => {
            if g.byte_offset != 0 {
                return Err(file_error(
                    path,
                    "a byte offset is not supported for FLAC files",
                ));
            }
            let info = flac::info(path, g.format, g.members.len())?;
            let per_channel = match info.samples {
                Some(n) => n,
                None => flac::count_samples(path)?,
            };
            // Every channel holds `spf` samples per frame; the frame has one per channel.
            return Ok(per_channel / (g.frame_samples / g.members.len() as u64));
        }
    };
    Ok(samples / g.frame_samples)
}

/// Reads and decodes stored frames `[a, b)` of a group: `(b - a) * frame_samples`
/// samples. Block formats seek to the block holding the first needed sample.
fn read_frames(g: &Group, a: u64, b: u64) -> Result<Vec<i32>> {
    let fs = g.frame_samples;
    let n = (b - a)
        .checked_mul(fs)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Error::invalid("sample range too large"))?;
    let Some(path) = &g.path else {
        return Ok(vec![g.format.invalid_sample().unwrap_or(0); n]);
    };
    if b > g.stored_frames {
        return Err(file_error(
            path,
            format!(
                "truncated: the file holds {} frames, frames up to {b} are needed",
                g.stored_frames
            ),
        ));
    }
    match g.format.packing() {
        Packing::Block { bytes, samples } => {
            let (bpb, spb) = (bytes as u64, samples as u64);
            let (s0, s1) = (a * fs, b * fs);
            let (blk0, blk1) = (s0 / spb, s1.div_ceil(spb));
            let start = g.byte_offset + blk0 * bpb;
            let len = (blk1 - blk0) * bpb;
            let raw = read_bytes(path, start, len)?;
            let mut out = Vec::with_capacity(n + samples);
            g.format.decode_blocks(&raw, &mut out);
            let skip = (s0 - blk0 * spb) as usize;
            if out.len() < skip + n {
                return Err(file_error(
                    path,
                    "truncated: ends inside the requested range",
                ));
            }
            out.truncate(skip + n);
            out.drain(..skip);
            Ok(out)
        }
        Packing::Difference => read_differences(g, path, a, b),
        Packing::Flac => {
            let spf = fs / g.members.len() as u64;
            flac::decode(path, g.members.len(), spf, a * spf, (b - a) * spf)
        }
        Packing::Null => Ok(vec![g.format.invalid_sample().unwrap_or(0); n]),
    }
}

/// Format 8: each byte is the difference from the previous sample of the same signal,
/// starting from the signal's initial value. Sample values depend on every earlier byte,
/// so the bytes before the range are read (in bounded chunks) and summed, not stored.
fn read_differences(g: &Group, path: &Path, a: u64, b: u64) -> Result<Vec<i32>> {
    const CHUNK: u64 = 1 << 20;
    let fs = g.frame_samples as usize;
    // Member owning each position of a frame.
    let mut slot_owner = Vec::with_capacity(fs);
    for (k, &spf) in g.spfs.iter().enumerate() {
        slot_owner.extend(std::iter::repeat_n(k, spf as usize));
    }
    let mut state = g.inits.clone();
    let (start, end) = (a * fs as u64, b * fs as u64);
    let mut out = Vec::with_capacity((end - start) as usize);
    let mut pos = 0u64;
    while pos < end {
        let len = CHUNK.min(end - pos);
        let raw = read_bytes(path, g.byte_offset + pos, len)?;
        if (raw.len() as u64) < len {
            return Err(file_error(
                path,
                "truncated: ends inside the requested range",
            ));
        }
        for (i, &byte) in raw.iter().enumerate() {
            let at = pos + i as u64;
            let m = slot_owner[(at % fs as u64) as usize];
            state[m] = state[m].wrapping_add(i32::from(byte as i8));
            if at >= start {
                out.push(state[m]);
            }
        }
        pos += len;
    }
    Ok(out)
}

/// Reads up to `len` bytes at `start` (fewer if the file ends first) in one call.
fn read_bytes(path: &Path, start: u64, len: u64) -> Result<Vec<u8>> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    f.seek(SeekFrom::Start(start))
        .map_err(|e| Error::io(path, e))?;
    // `len` is bounded by the file size (ranges are checked against it first).
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    f.take(len)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    Ok(buf)
}
