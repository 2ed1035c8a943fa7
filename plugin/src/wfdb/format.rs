//! Storage formats and their sample decoders.
//!
//! Every fixed-layout format packs a whole number of samples into a whole number of bytes
//! (a *block*: 3 bytes hold 2 samples in format 212, 4 bytes hold 3 in 310 and 311), so a
//! reader can start at any block boundary. Format 8 stores first differences and FLAC
//! formats are compressed streams; both are decoded from the start of their file (see
//! [`Packing`]).

/// A WFDB storage format (the number in a signal line's format field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Null signal: nothing stored, every sample is invalid.
    F0,
    /// 8-bit first differences (each sample is the previous one plus a signed byte).
    F8,
    /// 16-bit two's complement, little-endian.
    F16,
    /// 24-bit two's complement, little-endian.
    F24,
    /// 32-bit two's complement, little-endian.
    F32,
    /// 16-bit two's complement, big-endian.
    F61,
    /// 8-bit offset binary (value - 128).
    F80,
    /// 16-bit offset binary, little-endian (value - 32768).
    F160,
    /// Two 12-bit two's-complement samples in 3 bytes.
    F212,
    /// Three 10-bit samples in two little-endian 16-bit words (bit 0 of each unused).
    F310,
    /// Three 10-bit samples in one little-endian 32-bit word (top 2 bits unused).
    F311,
    /// FLAC stream, 8-bit samples.
    Flac8,
    /// FLAC stream, 16-bit samples.
    Flac16,
    /// FLAC stream, 24-bit samples.
    Flac24,
}

/// How a format lays samples out in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// Nothing is stored (format 0).
    Null,
    /// `samples` samples in every `bytes` bytes; decodable from any block boundary.
    Block {
        /// Bytes per block.
        bytes: usize,
        /// Samples per block.
        samples: usize,
    },
    /// One signed byte per sample holding the difference from the previous sample of the
    /// same signal: a sample's value depends on every byte before it.
    Difference,
    /// A FLAC stream with one channel per signal.
    Flac,
}

impl Format {
    /// The format with WFDB number `code`, if supported.
    pub fn from_code(code: u32) -> Option<Format> {
        Some(match code {
            0 => Format::F0,
            8 => Format::F8,
            16 => Format::F16,
            24 => Format::F24,
            32 => Format::F32,
            61 => Format::F61,
            80 => Format::F80,
            160 => Format::F160,
            212 => Format::F212,
            310 => Format::F310,
            311 => Format::F311,
            508 => Format::Flac8,
            516 => Format::Flac16,
            524 => Format::Flac24,
            _ => return None,
        })
    }

    /// The WFDB number of the format.
    pub fn code(self) -> u32 {
        match self {
            Format::F0 => 0,
            Format::F8 => 8,
            Format::F16 => 16,
            Format::F24 => 24,
            Format::F32 => 32,
            Format::F61 => 61,
            Format::F80 => 80,
            Format::F160 => 160,
            Format::F212 => 212,
            Format::F310 => 310,
            Format::F311 => 311,
            Format::Flac8 => 508,
            Format::Flac16 => 516,
            Format::Flac24 => 524,
        }
    }

    /// How the format lays samples out.
    pub fn packing(self) -> Packing {
        let block = |bytes, samples| Packing::Block { bytes, samples };
        match self {
            Format::F0 => Packing::Null,
            Format::F8 => Packing::Difference,
            Format::F80 => block(1, 1),
            Format::F16 | Format::F61 | Format::F160 => block(2, 1),
            Format::F24 => block(3, 1),
            Format::F32 => block(4, 1),
            Format::F212 => block(3, 2),
            Format::F310 | Format::F311 => block(4, 3),
            Format::Flac8 | Format::Flac16 | Format::Flac24 => Packing::Flac,
        }
    }

    /// Bits per sample the format can hold; the ADC resolution assumed when a header
    /// omits it.
    pub fn natural_resolution(self) -> u32 {
        match self {
            Format::F0 | Format::F8 | Format::F80 | Format::Flac8 => 8,
            Format::F16 | Format::F61 | Format::F160 | Format::Flac16 => 16,
            Format::F24 | Format::Flac24 => 24,
            Format::F32 => 32,
            Format::F212 => 12,
            Format::F310 | Format::F311 => 10,
        }
    }

    /// The digital value that marks an invalid sample in this format (the most negative
    /// value it can hold), as wfdb-python defines it; format 8 has none.
    pub fn invalid_sample(self) -> Option<i32> {
        match self {
            Format::F8 => None,
            Format::F0 => Some(i32::from(i16::MIN)),
            Format::F32 => Some(i32::MIN),
            f => Some(-(1i32 << (f.natural_resolution() - 1))),
        }
    }

    /// Number of complete samples held in `n_bytes` bytes of a block format (a trailing
    /// partial block contributes the samples whose bits are all present).
    pub fn samples_in(self, n_bytes: u64) -> u64 {
        match self.packing() {
            Packing::Block { bytes, samples } => {
                let (bytes, samples) = (bytes as u64, samples as u64);
                let partial = match (self, n_bytes % bytes) {
                    (Format::F212, 2) => 1,
                    (Format::F310, 2 | 3) => 1,
                    (Format::F311, 2) => 1,
                    (Format::F311, 3) => 2,
                    _ => 0,
                };
                n_bytes / bytes * samples + partial
            }
            Packing::Difference => n_bytes,
            Packing::Null | Packing::Flac => 0,
        }
    }

    /// Decodes the blocks in `bytes` (which starts at a block boundary) and appends
    /// the samples to `out`, including those of a trailing partial block whose bits are
    /// all present. Only for [`Packing::Block`] formats; others append nothing.
    pub fn decode_blocks(self, bytes: &[u8], out: &mut Vec<i32>) {
        let n = self.samples_in(bytes.len() as u64) as usize;
        out.reserve(n);
        match self {
            Format::F80 => out.extend(bytes.iter().map(|&b| i32::from(b) - 128)),
            Format::F16 => out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| i32::from(i16::from_le_bytes([c[0], c[1]]))),
            ),
            Format::F61 => out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| i32::from(i16::from_be_bytes([c[0], c[1]]))),
            ),
            Format::F160 => out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| i32::from(u16::from_le_bytes([c[0], c[1]])) - 32768),
            ),
            Format::F24 => out.extend(
                bytes
                    .chunks_exact(3)
                    .map(|c| i32::from_le_bytes([0, c[0], c[1], c[2]]) >> 8),
            ),
            Format::F32 => out.extend(
                bytes
                    .chunks_exact(4)
                    .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            ),
            Format::F212 => decode_212(bytes, out),
            Format::F310 => decode_310(bytes, out),
            Format::F311 => decode_311(bytes, out),
            Format::F0 | Format::F8 | Format::Flac8 | Format::Flac16 | Format::Flac24 => {}
        }
        debug_assert!(out.len() >= n || !matches!(self.packing(), Packing::Block { .. }));
    }
}

impl Format {
    /// Appends sample `index` (within a block) of every `stride`-byte frame of `bytes`
    /// (which starts at a frame boundary) to `out`, the block being at byte `at` of the
    /// frame: one pass per signal over whole frames of a block format whose frames are
    /// whole blocks. Returns `false` (appending nothing) for other formats.
    pub(crate) fn gather(
        self,
        bytes: &[u8],
        stride: usize,
        at: usize,
        index: usize,
        out: &mut Vec<i32>,
    ) -> bool {
        // The two-signal 212 layout (MIT-BIH and most PhysioNet ECGs): fixed-size frames
        // let the compiler unroll and vectorise.
        if self == Format::F212 && stride == 3 {
            let (frames, _) = bytes.as_chunks::<3>();
            let f = |c: &[u8; 3]| {
                let (b0, b1, b2) = (i32::from(c[0]), i32::from(c[1]), i32::from(c[2]));
                if index == 0 {
                    sext(b0 | (b1 & 0x0f) << 8, 12)
                } else {
                    sext(b2 | (b1 & 0xf0) << 4, 12)
                }
            };
            match index {
                0 | 1 => out.extend(frames.iter().map(f)),
                _ => return false,
            }
            return true;
        }
        let frames = bytes.chunks_exact(stride);
        let u16le = |b: &[u8], i: usize| i32::from(u16::from_le_bytes([b[i], b[i + 1]]));
        match (self, index) {
            (Format::F80, 0) => out.extend(frames.map(|f| i32::from(f[at]) - 128)),
            (Format::F16, 0) => out.extend(frames.map(|f| i32::from(u16le(f, at) as i16))),
            (Format::F61, 0) => {
                out.extend(frames.map(|f| i32::from(i16::from_be_bytes([f[at], f[at + 1]]))))
            }
            (Format::F160, 0) => out.extend(frames.map(|f| u16le(f, at) - 32768)),
            (Format::F24, 0) => out
                .extend(frames.map(|f| i32::from_le_bytes([0, f[at], f[at + 1], f[at + 2]]) >> 8)),
            (Format::F32, 0) => out.extend(
                frames.map(|f| i32::from_le_bytes([f[at], f[at + 1], f[at + 2], f[at + 3]])),
            ),
            (Format::F212, 0) => out.extend(
                frames.map(|f| sext(i32::from(f[at]) | (i32::from(f[at + 1]) & 0x0f) << 8, 12)),
            ),
            (Format::F212, 1) => out.extend(frames.map(|f| {
                sext(
                    i32::from(f[at + 2]) | (i32::from(f[at + 1]) & 0xf0) << 4,
                    12,
                )
            })),
            (Format::F310, 0) => out.extend(frames.map(|f| sext(u16le(f, at) >> 1, 10))),
            (Format::F310, 1) => out.extend(frames.map(|f| sext(u16le(f, at + 2) >> 1, 10))),
            (Format::F310, 2) => out.extend(
                frames.map(|f| sext((u16le(f, at) >> 11) | (u16le(f, at + 2) >> 11) << 5, 10)),
            ),
            (Format::F311, i @ 0..=2) => out.extend(frames.map(|f| {
                let w = i32::from_le_bytes([f[at], f[at + 1], f[at + 2], f[at + 3]]);
                sext(w >> (10 * i), 10)
            })),
            _ => return false,
        }
        true
    }
}

/// Sign-extends the low `bits` bits of `v`.
#[inline(always)]
fn sext(v: i32, bits: u32) -> i32 {
    (v << (32 - bits)) >> (32 - bits)
}

/// Appends `n` zeroed slots to `out` and returns them (the decoders fill fixed-size
/// slices, which compiles to tighter loops than pushing).
fn grow(out: &mut Vec<i32>, n: usize) -> &mut [i32] {
    let start = out.len();
    out.resize(start + n, 0);
    &mut out[start..]
}

fn decode_212(bytes: &[u8], out: &mut Vec<i32>) {
    let blocks = bytes.chunks_exact(3);
    let tail = blocks.remainder();
    let dst = grow(out, blocks.len() * 2);
    for (c, o) in blocks.zip(dst.chunks_exact_mut(2)) {
        let (b0, b1, b2) = (i32::from(c[0]), i32::from(c[1]), i32::from(c[2]));
        o[0] = sext(b0 | (b1 & 0x0f) << 8, 12);
        o[1] = sext(b2 | (b1 & 0xf0) << 4, 12);
    }
    if let [b0, b1] = *tail {
        out.push(sext(i32::from(b0) | (i32::from(b1) & 0x0f) << 8, 12));
    }
}

fn decode_310(bytes: &[u8], out: &mut Vec<i32>) {
    let blocks = bytes.chunks_exact(4);
    let tail = blocks.remainder();
    let dst = grow(out, blocks.len() * 3);
    for (c, o) in blocks.zip(dst.chunks_exact_mut(3)) {
        let w0 = i32::from(u16::from_le_bytes([c[0], c[1]]));
        let w1 = i32::from(u16::from_le_bytes([c[2], c[3]]));
        o[0] = sext(w0 >> 1, 10);
        o[1] = sext(w1 >> 1, 10);
        o[2] = sext((w0 >> 11) | (w1 >> 11) << 5, 10);
    }
    if tail.len() >= 2 {
        let w0 = i32::from(u16::from_le_bytes([tail[0], tail[1]]));
        out.push(sext(w0 >> 1, 10));
    }
}

fn decode_311(bytes: &[u8], out: &mut Vec<i32>) {
    let blocks = bytes.chunks_exact(4);
    let tail = blocks.remainder();
    let dst = grow(out, blocks.len() * 3);
    for (c, o) in blocks.zip(dst.chunks_exact_mut(3)) {
        let w = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        o[0] = sext(w, 10);
        o[1] = sext(w >> 10, 10);
        o[2] = sext(w >> 20, 10);
    }
    let mut last = [0u8; 4];
    last[..tail.len()].copy_from_slice(tail);
    let w = i32::from_le_bytes(last);
    match tail.len() {
        2 => out.push(sext(w, 10)),
        3 => {
            out.push(sext(w, 10));
            out.push(sext(w >> 10, 10));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(f: Format, bytes: &[u8]) -> Vec<i32> {
        let mut v = Vec::new();
        f.decode_blocks(bytes, &mut v);
        assert_eq!(v.len() as u64, f.samples_in(bytes.len() as u64));
        v
    }

    #[test]
    fn fixed_width_formats() {
        assert_eq!(
            decode(Format::F16, &[0xff, 0x7f, 0x00, 0x80]),
            [32767, -32768]
        );
        assert_eq!(
            decode(Format::F61, &[0x7f, 0xff, 0x80, 0x00]),
            [32767, -32768]
        );
        assert_eq!(decode(Format::F160, &[0x00, 0x80, 0xff, 0xff]), [0, 32767]);
        assert_eq!(decode(Format::F80, &[0, 128, 255]), [-128, 0, 127]);
        assert_eq!(decode(Format::F24, &[0xff, 0xff, 0xff, 1, 0, 0]), [-1, 1]);
        assert_eq!(decode(Format::F32, &[0, 0, 0, 0x80]), [i32::MIN]);
    }

    #[test]
    fn packed_formats_with_partial_blocks() {
        // 212: 0x801 (-2047) and 0x7ff (2047), then a lone sample 5.
        assert_eq!(
            decode(Format::F212, &[0x01, 0x78, 0xff, 0x05, 0x00]),
            [-2047, 2047, 5]
        );
        assert_eq!(decode(Format::F212, &[0x01]), [] as [i32; 0]);
        // 311: 1, -1, 511 in one word: 1 | 0x3ff << 10 | 0x1ff << 20.
        let w: u32 = 1 | (0x3ff << 10) | (0x1ff << 20);
        assert_eq!(decode(Format::F311, &w.to_le_bytes()), [1, -1, 511]);
        assert_eq!(decode(Format::F311, &w.to_le_bytes()[..3]), [1, -1]);
        // 310: samples 3, -2, -512 (0x200 split 5 low bits in w0, 5 high in w1).
        let (a, b, c) = (3u16, 0x3feu16, 0x200u16);
        let w0 = (a << 1) | ((c & 0x1f) << 11);
        let w1 = (b << 1) | ((c >> 5) << 11);
        let mut bytes = w0.to_le_bytes().to_vec();
        bytes.extend(w1.to_le_bytes());
        assert_eq!(decode(Format::F310, &bytes), [3, -2, -512]);
        assert_eq!(decode(Format::F310, &bytes[..3]), [3]);
    }

    #[test]
    fn invalid_sentinels() {
        assert_eq!(Format::F212.invalid_sample(), Some(-2048));
        assert_eq!(Format::F16.invalid_sample(), Some(-32768));
        assert_eq!(Format::F310.invalid_sample(), Some(-512));
        assert_eq!(Format::Flac24.invalid_sample(), Some(-(1 << 23)));
        assert_eq!(Format::F8.invalid_sample(), None);
    }
}
