//! FLAC-compressed signal files (formats 508, 516 and 524), decoded with `claxon`.
//!
//! Each FLAC channel holds one signal; with several samples per frame (all signals of a
//! FLAC file share one value) a channel holds `spf` consecutive samples per frame. FLAC
//! has no random access without a seek table, so a range is decoded from the start of
//! the stream: blocks before the range are decoded and dropped, and decoding stops after
//! the last block the range needs.

use std::fs::File;
use std::io::BufReader;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use claxon::{FlacReader, FlacReaderOptions};

use super::format::Format;
use crate::{Error, Result};

/// What the STREAMINFO block says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FlacInfo {
    pub channels: u32,
    pub bits_per_sample: u32,
    /// Samples per channel, when the encoder recorded it.
    pub samples: Option<u64>,
}

fn flac_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::format(path, None, format!("FLAC: {e}"))
}

fn open(path: &Path) -> Result<FlacReader<BufReader<File>>> {
    let file = crate::files::open_regular(path)?;
    let options = FlacReaderOptions {
        metadata_only: false,
        read_vorbis_comment: false,
    };
    guard(path, || FlacReader::new_ext(BufReader::new(file), options))?
        .map_err(|e| flac_error(path, e))
}

/// Runs a decoder call, turning a panic inside the decoder (on malformed input) into an
/// error naming the file.
fn guard<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f))
        .map_err(|_| flac_error(path, "the decoder failed on malformed data"))
}

/// Reads the stream information and checks it against the header: one channel per
/// signal, samples no wider than the format.
pub(crate) fn info(path: &Path, format: Format, n_signals: usize) -> Result<FlacInfo> {
    let reader = open(path)?;
    let si = reader.streaminfo();
    let info = FlacInfo {
        channels: si.channels,
        bits_per_sample: si.bits_per_sample,
        samples: si.samples,
    };
    if info.channels as usize != n_signals {
        return Err(flac_error(
            path,
            format!(
                "{} channels, the header describes {n_signals} signals in this file",
                info.channels
            ),
        ));
    }
    if info.bits_per_sample > format.natural_resolution() {
        return Err(flac_error(
            path,
            format!(
                "{}-bit samples do not fit format {}",
                info.bits_per_sample,
                format.code()
            ),
        ));
    }
    Ok(info)
}

/// Counts the samples per channel by decoding the whole stream (for encoders that did
/// not record the count).
pub(crate) fn count_samples(path: &Path) -> Result<u64> {
    let mut n = 0u64;
    for_each_block(path, 0, u64::MAX, |_, block_len, _| n += block_len)?;
    Ok(n)
}

/// Decodes channel samples `[first, first + n)` of every channel and lays them out in
/// signal-file order: frame by frame, within a frame `spf` samples of each channel.
pub(crate) fn decode(
    path: &Path,
    channels: usize,
    spf: u64,
    first: u64,
    n: u64,
) -> Result<Vec<i32>> {
    let mut out: Vec<i32> = Vec::new();
    let mut inconsistent = false;
    let end = first + n;
    let spf = spf as usize;
    for_each_block(path, first, end, |start, len, block| {
        if block.channels() as usize != channels {
            inconsistent = true;
            return;
        }
        let lo = first.max(start);
        let hi = end.min(start + len);
        // Grow with the decoded data, never to a length the stream merely claims.
        let frames_so_far = ((hi - first) as usize).div_ceil(spf);
        let needed = frames_so_far * spf * channels;
        if out.len() < needed {
            out.resize(needed, 0);
        }
        for s in lo..hi {
            let local = (s - start) as usize;
            let rel = (s - first) as usize;
            let (frame, k) = (rel / spf, rel % spf);
            for c in 0..channels {
                out[(frame * channels + c) * spf + k] = block.channel(c as u32)[local];
            }
        }
    })?;
    if inconsistent {
        return Err(flac_error(
            path,
            "a block's channel count differs from the stream's",
        ));
    }
    Ok(out)
}

/// Calls `f(first_sample, samples_per_channel, block)` for every block
/// overlapping `[from, to)`, stopping after the block that reaches `to`.
fn for_each_block(
    path: &Path,
    from: u64,
    to: u64,
    mut f: impl FnMut(u64, u64, &claxon::Block),
) -> Result<()> {
    let mut reader = open(path)?;
    let mut blocks = reader.blocks();
    let mut buffer = Vec::new();
    let mut pos = 0u64;
    while pos < to {
        let next = guard(path, || {
            blocks.read_next_or_eof(std::mem::take(&mut buffer))
        })?
        .map_err(|e| flac_error(path, e))?;
        let Some(block) = next else {
            break;
        };
        let len = u64::from(block.duration());
        if len > 0 && pos + len > from {
            f(pos, len, &block);
        }
        pos += len;
        buffer = block.into_buffer();
    }
    if to != u64::MAX && pos < to {
        return Err(Error::format(
            path,
            None,
            format!("truncated: the FLAC stream ends at sample {pos}, {to} are needed"),
        ));
    }
    Ok(())
}
