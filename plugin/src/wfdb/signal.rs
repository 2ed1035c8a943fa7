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
                let path = if null {
                    None
                } else {
                    let what = format!("signal {i}'s file");
                    Some(crate::files::confined(
                        dir,
                        &s.file_name,
                        header_path,
                        &what,
                    )?)
                };
                slots.push(Slot {
                    group: groups.len(),
                    offset: 0,
                    spf,
                    skew: u64::from(s.skew),
                });
                groups.push(Group {
                    path,
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
            let (a, b) = (from.saturating_add(min_skew), to.saturating_add(max_skew));
            if let Some(path) = &g.path {
                check_stored(g, path, b)?;
            }
            for &(k, slot) in &wanted {
                let n = (to - from).saturating_mul(slot.spf);
                reserve(&mut out[k], n)?;
            }
            let mut sink = |frames: &[i32], first: u64| {
                scatter(
                    frames,
                    first,
                    g.frame_samples as usize,
                    &wanted,
                    from,
                    to,
                    out,
                );
            };
            match (&g.path, g.format.packing()) {
                (Some(path), Packing::Block { bytes, samples })
                    if frames_are_blocks(g, samples, &wanted) =>
                {
                    read_aligned(g, path, bytes, samples, a, b, &wanted, out)?
                }
                (Some(path), Packing::Block { bytes, samples }) => {
                    read_blocks(g, path, bytes, samples, a, b, &mut sink)?
                }
                _ => sink(&read_frames(g, a, b)?, a),
            }
        }
        Ok(())
    }

    /// Fails, naming the file, when frames `[0, to)` (skew applied) are not all stored.
    pub fn check_stored_to(&self, to: u64) -> Result<()> {
        for (gi, g) in self.groups.iter().enumerate() {
            let skew = self
                .slots
                .iter()
                .filter(|s| s.group == gi)
                .map(|s| s.skew)
                .max()
                .unwrap_or(0);
            if let Some(path) = &g.path {
                check_stored(g, path, to.saturating_add(skew))?;
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

/// Reserves room for `n` more samples, failing cleanly (instead of aborting) when the
/// request cannot be met.
pub(crate) fn reserve(v: &mut Vec<i32>, n: u64) -> Result<()> {
    usize::try_from(n)
        .ok()
        .and_then(|n| v.try_reserve_exact(n).ok())
        .ok_or_else(|| Error::invalid(format!("{n} samples do not fit in memory")))
}

/// Copies the samples of the wanted signals held in `frames` (whole frames of a group, the
/// first being stored frame `first`) to their outputs; a signal with skew `s` takes stored
/// frames `[from + s, to + s)`.
fn scatter(
    frames: &[i32],
    first: u64,
    fs: usize,
    wanted: &[(usize, Slot)],
    from: u64,
    to: u64,
    out: &mut [Vec<i32>],
) {
    let end = first + (frames.len() / fs) as u64;
    for &(k, slot) in wanted {
        let lo = from.saturating_add(slot.skew).max(first);
        let hi = to.saturating_add(slot.skew).min(end);
        if lo >= hi {
            continue;
        }
        let part = &frames[(lo - first) as usize * fs..(hi - first) as usize * fs];
        let (off, spf) = (slot.offset as usize, slot.spf as usize);
        let dst = &mut out[k];
        if fs == 1 {
            dst.extend_from_slice(part);
        } else if spf == 1 {
            dst.extend(part.chunks_exact(fs).map(|f| f[off]));
        } else {
            for f in part.chunks_exact(fs) {
                dst.extend_from_slice(&f[off..off + spf]);
            }
        }
    }
}

/// Reads stored frames `[a, b)` of a block-format group from the block that holds the
/// first needed sample, in large reads, and decodes them a cache-sized chunk at a time,
/// handing whole frames to `sink`.
fn read_blocks(
    g: &Group,
    path: &Path,
    bpb: usize,
    spb: usize,
    a: u64,
    b: u64,
    sink: &mut dyn FnMut(&[i32], u64),
) -> Result<()> {
    const CHUNK_SAMPLES: usize = 1 << 13;
    const READ_BYTES: u64 = 1 << 18;
    check_stored(g, path, b)?;
    let fs = g.frame_samples;
    let (s0, s1) = (a * fs, b * fs);
    let (blk0, blk1) = (s0 / spb as u64, s1.div_ceil(spb as u64));
    let start = g.byte_offset + blk0 * bpb as u64;
    let mut file = open_at(path, start, (blk1 - blk0) * bpb as u64)?;
    let mut skip = (s0 - blk0 * spb as u64) as usize;
    let mut left = (s1 - s0) as usize;
    let mut frame = a;
    let fs = fs as usize;
    // Reads of whole blocks into one reused buffer keep memory flat and avoid faulting
    // in a fresh buffer per call; decoding goes a cache-sized chunk at a time.
    let read_len = (READ_BYTES / bpb as u64).max(1) as usize * bpb;
    let mut raw = vec![0u8; read_len];
    let mut buf = Vec::with_capacity(CHUNK_SAMPLES + spb + fs);
    while left > 0 {
        let got = read_full(&mut file, &mut raw).map_err(|e| Error::io(path, e))?;
        if got == 0 {
            return Err(file_error(
                path,
                "truncated: ends inside the requested range",
            ));
        }
        for chunk in raw[..got].chunks((CHUNK_SAMPLES / spb).max(1) * bpb) {
            g.format.decode_blocks(chunk, &mut buf);
            if skip > 0 {
                let d = skip.min(buf.len());
                buf.drain(..d);
                skip -= d;
            }
            let whole = buf.len().min(left) / fs * fs;
            sink(&buf[..whole], frame);
            frame += (whole / fs) as u64;
            left -= whole;
            buf.drain(..whole);
        }
    }
    Ok(())
}

/// Fills `buf` from `r` as far as the input goes; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Whether the fast path applies: every frame is a whole number of blocks and each wanted
/// signal has one sample per frame and the same skew (so one frame range serves all).
fn frames_are_blocks(g: &Group, spb: usize, wanted: &[(usize, Slot)]) -> bool {
    g.frame_samples.is_multiple_of(spb as u64)
        && wanted
            .iter()
            .all(|w| w.1.spf == 1 && w.1.skew == wanted[0].1.skew)
}

/// The fast path: reads whole frames in large chunks and decodes each wanted signal
/// straight into its output, one pass per signal over the chunk (no intermediate
/// interleaved buffer).
#[allow(clippy::too_many_arguments)]
fn read_aligned(
    g: &Group,
    path: &Path,
    bpb: usize,
    spb: usize,
    a: u64,
    b: u64,
    wanted: &[(usize, Slot)],
    out: &mut [Vec<i32>],
) -> Result<()> {
    const READ_BYTES: usize = 1 << 16;
    check_stored(g, path, b)?;
    let frame_bytes = g.frame_samples as usize / spb * bpb;
    let start = g.byte_offset + a * frame_bytes as u64;
    let mut file = open_at(path, start, (b - a) * frame_bytes as u64)?;
    let mut raw = vec![0u8; (READ_BYTES / frame_bytes).max(1) * frame_bytes];
    let mut left = b - a;
    while left > 0 {
        let got = read_full(&mut file, &mut raw).map_err(|e| Error::io(path, e))?;
        let frames = got / frame_bytes;
        if frames == 0 {
            return Err(file_error(
                path,
                "truncated: ends inside the requested range",
            ));
        }
        let bytes = &raw[..frames * frame_bytes];
        for &(k, slot) in wanted {
            let at = slot.offset as usize / spb * bpb;
            let done = g.format.gather(
                bytes,
                frame_bytes,
                at,
                slot.offset as usize % spb,
                &mut out[k],
            );
            debug_assert!(done, "gather covers every block format");
        }
        left -= frames as u64;
    }
    Ok(())
}

/// Fails, naming the file, when frames up to `b` are not all stored.
fn check_stored(g: &Group, path: &Path, b: u64) -> Result<()> {
    if b > g.stored_frames {
        return Err(file_error(
            path,
            format!(
                "truncated: the file holds {} frames, frames up to {b} are needed",
                g.stored_frames
            ),
        ));
    }
    Ok(())
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

/// Reads and decodes stored frames `[a, b)` of a group into one vector:
/// `(b - a) * frame_samples` samples.
fn read_frames(g: &Group, a: u64, b: u64) -> Result<Vec<i32>> {
    let fs = g.frame_samples;
    let n = (b - a)
        .checked_mul(fs)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| Error::invalid("sample range too large"))?;
    let Some(path) = &g.path else {
        let mut v = Vec::new();
        reserve(&mut v, n as u64)?;
        v.resize(n, g.format.invalid_sample().unwrap_or(0));
        return Ok(v);
    };
    check_stored(g, path, b)?;
    match g.format.packing() {
        Packing::Block { bytes, samples } => {
            let mut out = Vec::with_capacity(n);
            read_blocks(g, path, bytes, samples, a, b, &mut |f, _| {
                out.extend_from_slice(f)
            })?;
            Ok(out)
        }
        Packing::Difference => read_differences(g, path, a, b),
        Packing::Flac => {
            let spf = fs / g.members.len() as u64;
            flac::decode(path, g.members.len(), spf, a * spf, (b - a) * spf)
        }
        Packing::Null => Err(file_error(path, "format 0 stores no samples")),
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
    let mut file = open_at(path, g.byte_offset, end)?;
    let mut raw = vec![0u8; CHUNK.min(end) as usize];
    let mut pos = 0u64;
    while pos < end {
        let len = CHUNK.min(end - pos) as usize;
        let got = read_full(&mut file, &mut raw[..len]).map_err(|e| Error::io(path, e))?;
        if got < len {
            return Err(file_error(
                path,
                "truncated: ends inside the requested range",
            ));
        }
        for (i, &byte) in raw[..len].iter().enumerate() {
            let at = pos + i as u64;
            let m = slot_owner[(at % fs as u64) as usize];
            state[m] = state[m].wrapping_add(i32::from(byte as i8));
            if at >= start {
                out.push(state[m]);
            }
        }
        pos += len as u64;
    }
    Ok(out)
}

/// The file at `path`, positioned at `start`, limited to `len` bytes.
fn open_at(path: &Path, start: u64, len: u64) -> Result<std::io::Take<File>> {
    let mut f = crate::files::open_regular(path)?;
    f.seek(SeekFrom::Start(start))
        .map_err(|e| Error::io(path, e))?;
    Ok(f.take(len))
}
