//! Direct convolution over channels-last feature maps with fused bias and ReLU.
//!
//! A feature map is stored row-major as `[rows + 2·py][cols + 2·px][cs]`: pixels in
//! rows, each pixel's channels contiguous (`cs` of them, the channel count rounded up to
//! a whole vector when a convolution writes the map), with a zero border wide enough for
//! the convolutions that read it, so the inner loops never test bounds.
//!
//! The micro-kernel keeps a block of consecutive output pixels × up to four vectors of
//! output channels in registers and walks the reduction (kernel taps × input channels)
//! once, broadcasting one input value per pixel and loading each weight vector once per
//! block. Every output element is computed by the same sequence of operations whatever
//! the block it falls in, the image's place in a batch or the batch size: results are
//! bit-identical however a caller groups its segments.

use super::simd::{LANES, Simd, round_up};

/// Geometry of a channels-last feature map with a zero border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Map {
    /// Rows (time).
    pub h: usize,
    /// Columns.
    pub w: usize,
    /// Channel stride of a pixel (at least the channel count).
    pub cs: usize,
    /// Zero rows above and below.
    pub py: usize,
    /// Zero columns left and right.
    pub px: usize,
}

impl Map {
    pub fn new(h: usize, w: usize, cs: usize, py: usize, px: usize) -> Self {
        Self { h, w, cs, py, px }
    }

    /// Floats in the buffer, border included.
    pub fn len(&self) -> usize {
        (self.h + 2 * self.py) * self.row_stride()
    }

    /// Floats from one stored row to the next.
    pub fn row_stride(&self) -> usize {
        (self.w + 2 * self.px) * self.cs
    }

    /// Index of the first channel of interior pixel `(y, x)`.
    #[inline(always)]
    pub fn at(&self, y: usize, x: usize) -> usize {
        (y + self.py) * self.row_stride() + (x + self.px) * self.cs
    }
}

/// Where a convolution's accumulators start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Init {
    /// From the bias: the output is overwritten.
    Bias,
    /// From the values already in the output: the convolution is added to them (the
    /// recurrent half of an LSTM gate).
    Accumulate,
}

/// A block of output channels handled by one micro-kernel call.
#[derive(Debug, Clone, Copy)]
struct Block {
    /// First output channel.
    co: usize,
    /// Vectors of output channels (1 to 4).
    nv: usize,
    /// Offset of its packed weights.
    offset: usize,
}

/// A convolution with its weights packed for the micro-kernel: for each block of output
/// channels, `[tap][input channel][nv · 16]`, zero beyond the real output channels.
#[derive(Debug, Clone)]
pub(crate) struct Conv {
    pub shape: ConvShape,
    pub relu: bool,
    blocks: Vec<Block>,
    weights: Vec<f32>,
    /// `round_up(cout)` values, zero beyond `cout`.
    bias: Vec<f32>,
}

/// Shape of a convolution, as burn stores it: weight `[cout][cin][kh][kw]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConvShape {
    pub cin: usize,
    pub cout: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub pad_y: usize,
    pub pad_x: usize,
}

impl Conv {
    /// Packs `weight` (`[cout][cin][kh][kw]`, row-major) with per-output-channel `bias`.
    pub fn new(shape: ConvShape, weight: &[f32], bias: &[f32], relu: bool) -> Self {
        let ConvShape {
            cin, cout, kh, kw, ..
        } = shape;
        debug_assert_eq!(weight.len(), cout * cin * kh * kw);
        debug_assert_eq!(bias.len(), cout);
        let vectors = round_up(cout) / LANES;
        // Balanced blocks of at most four vectors (register pressure).
        let nblocks = vectors.div_ceil(4);
        let mut blocks = Vec::with_capacity(nblocks);
        let mut weights = Vec::with_capacity(round_up(cout) * cin * kh * kw);
        let mut v0 = 0;
        for b in 0..nblocks {
            let nv = (vectors - v0).div_ceil(nblocks - b);
            let co = v0 * LANES;
            blocks.push(Block {
                co,
                nv,
                offset: weights.len(),
            });
            for ky in 0..kh {
                for kx in 0..kw {
                    for ci in 0..cin {
                        for o in co..co + nv * LANES {
                            weights.push(if o < cout {
                                weight[((o * cin + ci) * kh + ky) * kw + kx]
                            } else {
                                0.0
                            });
                        }
                    }
                }
            }
            v0 += nv;
        }
        let mut padded_bias = vec![0.0; round_up(cout)];
        padded_bias[..cout].copy_from_slice(bias);
        Self {
            shape,
            relu,
            blocks,
            weights,
            bias: padded_bias,
        }
    }

    /// Channel stride of the maps this convolution writes.
    pub fn out_stride(&self) -> usize {
        round_up(self.shape.cout)
    }

    /// Output rows and columns for an input of `h × w`.
    pub fn out_size(&self, h: usize, w: usize) -> (usize, usize) {
        let out = |len: usize, k: usize, pad: usize| (len + 2 * pad - k) / self.shape.stride + 1;
        (
            out(h, self.shape.kh, self.shape.pad_y),
            out(w, self.shape.kw, self.shape.pad_x),
        )
    }

    /// Convolves the map `src` into the map `dst`.
    ///
    /// # Panics
    ///
    /// If the maps do not fit the convolution (an internal error: the network builds them).
    #[inline(always)]
    pub unsafe fn run<S: Simd>(
        &self,
        src: &[f32],
        sm: &Map,
        dst: &mut [f32],
        dm: &Map,
        init: Init,
    ) {
        let (ho, wo) = self.out_size(sm.h, sm.w);
        assert!(
            src.len() >= sm.len()
                && dst.len() >= dm.len()
                && sm.py >= self.shape.pad_y
                && sm.px >= self.shape.pad_x
                && sm.cs >= self.shape.cin
                && dm.cs >= self.out_stride()
                && (dm.h, dm.w) == (ho, wo),
            "convolution {self:?} cannot map {sm:?} to {dm:?}"
        );
        // Tap offsets relative to the top-left corner of an output pixel's window.
        let mut taps = [0usize; MAX_TAPS];
        let ntaps = self.shape.kh * self.shape.kw;
        assert!(ntaps <= MAX_TAPS);
        for ky in 0..self.shape.kh {
            for kx in 0..self.shape.kw {
                taps[ky * self.shape.kw + kx] = ky * sm.row_stride() + kx * sm.cs;
            }
        }
        let taps = &taps[..ntaps];
        let pix = self.shape.stride * sm.cs;
        let ctx = Ctx {
            taps,
            cin: self.shape.cin,
            pix,
            dst_pix: dm.cs,
            init,
            relu: self.relu,
        };
        for y in 0..ho {
            // Top-left corner of output (y, 0)'s window in the padded source.
            let row = (y * self.shape.stride + sm.py - self.shape.pad_y) * sm.row_stride()
                + (sm.px - self.shape.pad_x) * sm.cs;
            for block in &self.blocks {
                let w = &self.weights[block.offset..];
                let bias = &self.bias[block.co..];
                // Balanced pixel blocks: 50 columns in five calls of 10 rather than four of
                // 12 and one of 2.
                let max = S::MAX_PIXELS[block.nv];
                let n = wo.div_ceil(max);
                let mut x = 0;
                for b in 0..n {
                    let mr = (wo - x).div_ceil(n - b);
                    // SAFETY: the assert above bounds every window inside `src` and every
                    // output pixel inside `dst`; weights hold the whole reduction of the block.
                    unsafe {
                        let s = src.as_ptr().add(row + x * pix);
                        let d = dst.as_mut_ptr().add(dm.at(y, x) + block.co);
                        dispatch::<S>(mr, block.nv, &ctx, s, w.as_ptr(), bias.as_ptr(), d);
                    }
                    x += mr;
                }
            }
        }
    }
}

/// Enough taps for the largest kernel the configuration allows (1 × 15 or 3 × 3).
const MAX_TAPS: usize = 15 * 15;

/// What stays the same across the micro-kernel calls of one convolution.
struct Ctx<'a> {
    taps: &'a [usize],
    cin: usize,
    /// Source floats between consecutive output pixels' windows.
    pix: usize,
    /// Destination floats between consecutive output pixels.
    dst_pix: usize,
    init: Init,
    relu: bool,
}

/// Calls the micro-kernel instantiated for `mr` pixels and `nv` vectors.
#[inline(always)]
unsafe fn dispatch<S: Simd>(
    mr: usize,
    nv: usize,
    ctx: &Ctx,
    s: *const f32,
    w: *const f32,
    bias: *const f32,
    d: *mut f32,
) {
    macro_rules! by_pixels {
        ($nv:literal) => {
            match mr {
                1 => micro::<S, 1, $nv>(ctx, s, w, bias, d),
                2 => micro::<S, 2, $nv>(ctx, s, w, bias, d),
                3 => micro::<S, 3, $nv>(ctx, s, w, bias, d),
                4 => micro::<S, 4, $nv>(ctx, s, w, bias, d),
                5 => micro::<S, 5, $nv>(ctx, s, w, bias, d),
                6 => micro::<S, 6, $nv>(ctx, s, w, bias, d),
                7 => micro::<S, 7, $nv>(ctx, s, w, bias, d),
                8 => micro::<S, 8, $nv>(ctx, s, w, bias, d),
                9 => micro::<S, 9, $nv>(ctx, s, w, bias, d),
                10 => micro::<S, 10, $nv>(ctx, s, w, bias, d),
                11 => micro::<S, 11, $nv>(ctx, s, w, bias, d),
                12 => micro::<S, 12, $nv>(ctx, s, w, bias, d),
                13 => micro::<S, 13, $nv>(ctx, s, w, bias, d),
                _ => micro::<S, 14, $nv>(ctx, s, w, bias, d),
            }
        };
    }
    // SAFETY: forwarded from the caller; `mr` never exceeds `S::MAX_PIXELS[nv]` ≤ 14.
    unsafe {
        match nv {
            1 => by_pixels!(1),
            2 => by_pixels!(2),
            3 => by_pixels!(3),
            _ => by_pixels!(4),
        }
    }
}

/// `MR` output pixels × `NV` vectors of output channels.
///
/// # Safety
///
/// `s` is the top-left corner of the first pixel's window: every `s + tap + m·pix + ci`
/// is readable; `w` holds `taps · cin · NV · 16` floats; `bias` and every
/// `d + m·dst_pix` hold `NV · 16` floats.
#[inline(always)]
unsafe fn micro<S: Simd, const MR: usize, const NV: usize>(
    ctx: &Ctx,
    s: *const f32,
    w: *const f32,
    bias: *const f32,
    d: *mut f32,
) {
    unsafe {
        let mut acc = [[S::zero(); NV]; MR];
        for (m, row) in acc.iter_mut().enumerate() {
            for (v, a) in row.iter_mut().enumerate() {
                *a = match ctx.init {
                    Init::Bias => S::load(bias.add(v * LANES)),
                    Init::Accumulate => S::load(d.add(m * ctx.dst_pix + v * LANES)),
                };
            }
        }
        let mut wp = w;
        for &tap in ctx.taps {
            let sp = s.add(tap);
            for ci in 0..ctx.cin {
                let mut wv = [S::zero(); NV];
                for (v, x) in wv.iter_mut().enumerate() {
                    *x = S::load(wp.add(v * LANES));
                }
                wp = wp.add(NV * LANES);
                for (m, row) in acc.iter_mut().enumerate() {
                    let b = S::splat(*sp.add(m * ctx.pix + ci));
                    for (a, &x) in row.iter_mut().zip(&wv) {
                        *a = S::mul_add(b, x, *a);
                    }
                }
            }
        }
        for (m, row) in acc.iter().enumerate() {
            for (v, &a) in row.iter().enumerate() {
                let a = if ctx.relu { S::relu(a) } else { a };
                S::store(d.add(m * ctx.dst_pix + v * LANES), a);
            }
        }
    }
}
