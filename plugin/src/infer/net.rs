//! The inference-only network: built once from a trained [`HaResNet`], then run image by
//! image with every buffer in a reusable [`Scratch`].

use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;

use super::conv::{Conv, ConvShape, Init, Map};
use super::lstm::{LstmDirection, LstmState, sigmoid};
use super::pack::{self, Dense, Se, values};
#[cfg(target_arch = "x86_64")]
use super::simd::{Avx2, Avx512};
use super::simd::{Kernels, Portable, Simd, round_up};
use crate::model::HaResNet;
use crate::model::block::ConvBn;
use crate::{Error, Result};

/// A residual block: two folded 3×3 convolutions (ReLU after the first), SE on the branch,
/// the shortcut (a folded 1×1 convolution when the shape changes).
#[derive(Debug, Clone)]
struct Block {
    conv1: Conv,
    conv2: Conv,
    se: Se,
    shortcut: Option<Conv>,
}

/// What fixes the sizes of every buffer, with the input size.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Arch {
    embed: usize,
    /// `(in channels, out channels, stride, projection shortcut, SE width)`.
    blocks: Vec<(usize, usize, usize, bool, usize)>,
    channels: usize,
    attention_se: usize,
    hidden: usize,
    kernel: usize,
    rr_features: usize,
    rr_hidden: Vec<usize>,
    classes: usize,
}

/// The inference-only form of a trained [`HaResNet`]: batch norm folded into the
/// convolutions, weights packed for the kernels of one instruction set.
///
/// `Send + Sync`: one network serves every thread; each thread brings its own
/// [`Scratch`].
#[derive(Debug, Clone)]
pub struct Net {
    kernels: Kernels,
    arch: Arch,
    embed: Conv,
    blocks: Vec<Block>,
    attention_se: Se,
    lstm: [LstmDirection; 2],
    /// `2·hidden` weights of the attention projection, and its bias.
    project: Vec<f32>,
    project_bias: f32,
    rhythm: Vec<Dense>,
    classifier: Dense,
    /// Whether the classifier reads the image features ([`HaResNet::image_path_used`]);
    /// when not, the image pathway is skipped unless its attention map is asked for.
    image_used: bool,
}

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Net>();
};

/// A batch of prepared segments.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// `batch × rows × cols` folded images, row-major.
    pub images: &'a [f32],
    /// `batch × rr_features` rhythm features (ignored, and may be empty, when the network
    /// has no rhythm branch).
    pub rr: &'a [f32],
    /// Segments in the batch.
    pub batch: usize,
    /// Rows of each image (time).
    pub rows: usize,
    /// Columns of each image (the fold window).
    pub cols: usize,
}

/// A stored feature map and its geometry.
#[derive(Debug, Clone, Default)]
struct Buf {
    map: Map,
    data: Vec<f32>,
}

impl Buf {
    fn new(map: Map) -> Self {
        Self {
            map,
            data: vec![0.0; map.len()],
        }
    }
}

#[derive(Debug, Clone)]
struct BlockBufs {
    /// After the first convolution (bordered: the second one reads it).
    t: Buf,
    /// After the second convolution.
    u: Buf,
    /// The projection shortcut.
    s: Option<Buf>,
    /// The block's output (bordered: the next block reads it).
    out: Buf,
}

/// Every buffer one forward pass needs, for one image size. Build one per thread with
/// [`Net::scratch`] and reuse it: [`Net::forward`] allocates nothing unless the image
/// size or the network changes (it then rebuilds the scratch).
#[derive(Debug, Clone)]
pub struct Scratch {
    arch: Option<Arch>,
    rows: usize,
    cols: usize,
    image: Buf,
    embed: Buf,
    blocks: Vec<BlockBufs>,
    features: Buf,
    gates: [Buf; 2],
    h: Buf,
    c: Vec<f32>,
    hs: Vec<f32>,
    attention: Vec<f32>,
    pooled: Vec<f32>,
    se_hidden: Vec<f32>,
    se_gates: Vec<f32>,
    feat: Vec<f32>,
    mlp: [Vec<f32>; 2],
}

impl Default for Scratch {
    /// An empty scratch, sized on first use.
    fn default() -> Self {
        Self {
            arch: None,
            rows: 0,
            cols: 0,
            image: Buf::default(),
            embed: Buf::default(),
            blocks: Vec::new(),
            features: Buf::default(),
            gates: [Buf::default(), Buf::default()],
            h: Buf::default(),
            c: Vec::new(),
            hs: Vec::new(),
            attention: Vec::new(),
            pooled: Vec::new(),
            se_hidden: Vec::new(),
            se_gates: Vec::new(),
            feat: Vec::new(),
            mlp: [Vec::new(), Vec::new()],
        }
    }
}

fn square(conv: &Conv2d, what: &str) -> Result<(usize, usize, usize, usize)> {
    let [cout, cin, kh, kw] = conv.weight.val().dims();
    if kh != kw || kh % 2 == 0 {
        return Err(Error::Model(format!(
            "{what} has a {kh}×{kw} kernel, expected an odd square one"
        )));
    }
    let stride = conv.stride[0];
    if conv.stride[1] != stride || stride == 0 {
        return Err(Error::Model(format!(
            "{what} has stride {:?}, expected equal non-zero strides",
            conv.stride
        )));
    }
    let pad = kh / 2;
    if conv.padding != PaddingConfig2d::Explicit(pad, pad, pad, pad) || conv.groups != 1 {
        return Err(Error::Model(format!(
            "{what} is not a plain convolution with padding {pad}"
        )));
    }
    Ok((cout, cin, kh, stride))
}

fn conv_bn(layer: &ConvBn, relu: bool, what: &str) -> Result<Conv> {
    let (cout, cin, k, stride) = square(&layer.conv, what)?;
    let shape = ConvShape {
        cin,
        cout,
        kh: k,
        kw: k,
        stride,
        pad_y: k / 2,
        pad_x: k / 2,
    };
    pack::conv_bn(layer, shape, relu, what)
}

impl Net {
    /// Reads the trained network on the fastest kernels this CPU supports
    /// ([`Kernels::detect`]).
    ///
    /// # Errors
    ///
    /// [`Error::Model`] if a parameter has an unexpected shape or a non-finite value.
    pub fn from_model(model: &HaResNet) -> Result<Self> {
        Self::from_model_with(model, Kernels::detect())
    }

    /// Reads the trained network for the given kernels.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if this CPU cannot run `kernels`; otherwise as
    /// [`from_model`](Self::from_model).
    pub fn from_model_with(model: &HaResNet, kernels: Kernels) -> Result<Self> {
        if !kernels.is_supported() {
            return Err(Error::invalid(format!(
                "this CPU cannot run the {kernels} kernels"
            )));
        }
        let embed = conv_bn(&model.embed, true, "embedding")?;
        if embed.shape.cin != 1 {
            return Err(Error::Model(format!(
                "the embedding reads {} channels, expected 1",
                embed.shape.cin
            )));
        }
        let mut channels = embed.shape.cout;
        let mut blocks = Vec::with_capacity(model.blocks.len());
        let mut arch_blocks = Vec::with_capacity(model.blocks.len());
        for (i, b) in model.blocks.iter().enumerate() {
            let what = |part: &str| format!("block {i} {part}");
            let conv1 = conv_bn(&b.conv1, true, &what("conv1"))?;
            let conv2 = conv_bn(&b.conv2, false, &what("conv2"))?;
            let shortcut = b
                .shortcut
                .as_ref()
                .map(|s| conv_bn(s, false, &what("shortcut")))
                .transpose()?;
            let cout = conv1.shape.cout;
            let se_width = b.se.reduce.weight.val().dims()[1];
            let se = Se::new(&b.se, cout, se_width, &what("SE"))?;
            let consistent = conv1.shape.cin == channels
                && conv2.shape.cin == cout
                && conv2.shape.cout == cout
                && conv2.shape.stride == 1
                && match &shortcut {
                    Some(s) => {
                        s.shape.kh == 1
                            && s.shape.cin == channels
                            && s.shape.cout == cout
                            && s.shape.stride == conv1.shape.stride
                    }
                    None => conv1.shape.stride == 1 && channels == cout,
                };
            if !consistent {
                return Err(Error::Model(format!(
                    "block {i} does not chain: {channels} channels in, convolutions {}→{} \
                     (stride {}) and {}→{}",
                    conv1.shape.cin,
                    conv1.shape.cout,
                    conv1.shape.stride,
                    conv2.shape.cin,
                    conv2.shape.cout
                )));
            }
            arch_blocks.push((
                channels,
                cout,
                conv1.shape.stride,
                shortcut.is_some(),
                se_width,
            ));
            blocks.push(Block {
                conv1,
                conv2,
                se,
                shortcut,
            });
            channels = cout;
        }
        if blocks.is_empty() {
            return Err(Error::Model("the network has no residual block".into()));
        }

        let att = &model.attention;
        let attention_se_width = att.se.reduce.weight.val().dims()[1];
        let attention_se = Se::new(&att.se, channels, attention_se_width, "attention SE")?;
        let [gates4, lstm_in, one, kernel] = att.lstm.forward.input_gates.weight.val().dims();
        if one != 1 || lstm_in != channels || gates4 % 4 != 0 || kernel % 2 == 0 {
            return Err(Error::Model(format!(
                "ConvLSTM input convolution has shape [{gates4}, {lstm_in}, {one}, {kernel}], \
                 expected [4·hidden, {channels}, 1, odd]"
            )));
        }
        let hidden = gates4 / 4;
        let direction =
            |dir: &crate::model::convlstm::ConvLstm, name: &str| -> Result<LstmDirection> {
                // `cin → 4·hidden` over the width, "same" padding.
                let row = |cin| ConvShape {
                    cin,
                    cout: 4 * hidden,
                    kh: 1,
                    kw: kernel,
                    stride: 1,
                    pad_y: 0,
                    pad_x: kernel / 2,
                };
                let input = pack::conv_row(
                    &dir.input_gates,
                    row(channels),
                    &format!("ConvLSTM {name} input gates"),
                )?;
                let hidden_conv = pack::conv1d(
                    &dir.hidden_gates,
                    row(hidden),
                    &format!("ConvLSTM {name} hidden gates"),
                )?;
                Ok(LstmDirection {
                    input,
                    hidden: hidden_conv,
                })
            };
        let lstm = [
            direction(&att.lstm.forward, "forward")?,
            direction(&att.lstm.backward, "backward")?,
        ];
        let project = values(
            att.project.weight.val(),
            [1, 2 * hidden, 1, 1],
            "attention projection weight",
        )?;
        let project_bias = match &att.project.bias {
            Some(b) => values(b.val(), [1], "attention projection bias")?[0],
            None => 0.0,
        };

        let mut rhythm = Vec::new();
        let mut rr_hidden = Vec::new();
        let mut width = model.rr_features;
        if let Some(branch) = &model.rhythm {
            for (i, layer) in branch.layers.iter().enumerate() {
                let out = layer.weight.val().dims()[1];
                rhythm.push(Dense::new(layer, width, out, &format!("rhythm layer {i}"))?);
                rr_hidden.push(out);
                width = out;
            }
        }
        let rr_out = if model.rhythm.is_some() { width } else { 0 };
        let classifier = Dense::new(
            &model.classifier,
            channels + rr_out,
            model.num_classes,
            "classifier",
        )?;
        Ok(Self {
            kernels,
            arch: Arch {
                embed: embed.shape.cout,
                blocks: arch_blocks,
                channels,
                attention_se: attention_se_width,
                hidden,
                kernel,
                rr_features: if model.rhythm.is_some() {
                    model.rr_features
                } else {
                    0
                },
                rr_hidden,
                classes: model.num_classes,
            },
            embed,
            blocks,
            attention_se,
            lstm,
            project,
            project_bias,
            rhythm,
            classifier,
            image_used: model.image_path_used(),
        })
    }

    /// The kernels this network runs on.
    pub fn kernels(&self) -> Kernels {
        self.kernels
    }

    /// Width of the rhythm-feature input (0: no rhythm branch).
    pub fn rr_features(&self) -> usize {
        self.arch.rr_features
    }

    /// Number of classes (logits per segment).
    pub fn num_classes(&self) -> usize {
        self.arch.classes
    }

    /// Rows and columns of the attention map for images of `rows × cols`.
    pub fn attention_size(&self, rows: usize, cols: usize) -> (usize, usize) {
        self.arch
            .blocks
            .iter()
            .fold((rows, cols), |(h, w), &(_, _, s, _, _)| {
                ((h - 1) / s + 1, (w - 1) / s + 1)
            })
    }

    /// Buffers for images of `rows × cols` (one per thread).
    pub fn scratch(&self, rows: usize, cols: usize) -> Scratch {
        let a = &self.arch;
        let image = Buf::new(Map::new(rows, cols, 1, 1, 1));
        let embed = Buf::new(Map::new(rows, cols, round_up(a.embed), 1, 1));
        let (mut h, mut w) = (rows, cols);
        let mut blocks = Vec::with_capacity(a.blocks.len());
        let mut widest = round_up(a.embed);
        for &(_, cout, stride, projection, _) in &a.blocks {
            (h, w) = ((h - 1) / stride + 1, (w - 1) / stride + 1);
            let cs = round_up(cout);
            widest = widest.max(cs);
            blocks.push(BlockBufs {
                t: Buf::new(Map::new(h, w, cs, 1, 1)),
                u: Buf::new(Map::new(h, w, cs, 0, 0)),
                s: projection.then(|| Buf::new(Map::new(h, w, cs, 0, 0))),
                out: Buf::new(Map::new(h, w, cs, 1, 1)),
            });
        }
        let cs = round_up(a.channels);
        let pad = a.kernel / 2;
        let gates = Map::new(h, w, round_up(4 * a.hidden), 0, 0);
        let rr_widest = a.rr_hidden.iter().copied().max().unwrap_or(0);
        let mlp = rr_widest.max(a.rr_features);
        let se_widest = a
            .blocks
            .iter()
            .map(|b| b.4)
            .chain([a.attention_se])
            .max()
            .unwrap_or(0);
        Scratch {
            arch: Some(a.clone()),
            rows,
            cols,
            image,
            embed,
            blocks,
            features: Buf::new(Map::new(h, w, cs, 0, pad)),
            gates: [Buf::new(gates), Buf::new(gates)],
            h: Buf::new(Map::new(1, w, a.hidden, 0, pad)),
            c: vec![0.0; w * a.hidden],
            hs: vec![0.0; h * w * 2 * a.hidden],
            attention: vec![0.0; h * w],
            pooled: vec![0.0; widest],
            se_hidden: vec![0.0; se_widest],
            se_gates: vec![0.0; widest],
            feat: vec![0.0; a.channels + rr_widest],
            mlp: [vec![0.0; mlp], vec![0.0; mlp]],
        }
    }

    /// Class logits (`batch × classes`, row-major) for a batch of prepared segments.
    ///
    /// Each segment is computed alone, by the same operations whatever the batch: its
    /// logits are bit-identical in any batch, at any position. Single-threaded: run
    /// chunks of a batch on several threads, each with its own scratch.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] if the slices do not match `batch`, `rows`, `cols` and
    /// the network's rhythm-feature width and class count.
    pub fn forward(&self, input: &Input, scratch: &mut Scratch, logits: &mut [f32]) -> Result<()> {
        self.run(input, scratch, logits, None)
    }

    /// [`forward`](Self::forward) that also writes each segment's hidden-attention map
    /// (`batch × rows' × cols'`, see [`attention_size`](Self::attention_size)).
    ///
    /// # Errors
    ///
    /// As [`forward`](Self::forward), and if `attention` has the wrong length.
    pub fn forward_with_attention(
        &self,
        input: &Input,
        scratch: &mut Scratch,
        logits: &mut [f32],
        attention: &mut [f32],
    ) -> Result<()> {
        self.run(input, scratch, logits, Some(attention))
    }

    fn check(&self, input: &Input, logits: usize, attention: Option<usize>) -> Result<()> {
        let &Input {
            images,
            rr,
            batch,
            rows,
            cols,
        } = input;
        let expect = |what: &str, got: usize, want: Option<usize>| match want {
            Some(n) if n == got => Ok(()),
            _ => Err(Error::invalid(format!(
                "{what} has {got} values, expected {} for a batch of {batch} \
                 {rows}×{cols} images",
                want.map_or_else(|| "a size that fits in memory".into(), |n| n.to_string())
            ))),
        };
        if batch == 0 || rows == 0 || cols == 0 {
            return Err(Error::invalid(format!(
                "empty input: batch {batch}, rows {rows}, cols {cols}"
            )));
        }
        expect(
            "the image batch",
            images.len(),
            batch.checked_mul(rows).and_then(|n| n.checked_mul(cols)),
        )?;
        if self.arch.rr_features > 0 {
            expect(
                "the rhythm features",
                rr.len(),
                batch.checked_mul(self.arch.rr_features),
            )?;
        }
        expect("the logits", logits, batch.checked_mul(self.arch.classes))?;
        if let Some(len) = attention {
            let (h, w) = self.attention_size(rows, cols);
            expect("the attention maps", len, Some(batch * h * w))?;
        }
        Ok(())
    }

    fn run(
        &self,
        input: &Input,
        scratch: &mut Scratch,
        logits: &mut [f32],
        mut attention: Option<&mut [f32]>,
    ) -> Result<()> {
        self.check(input, logits.len(), attention.as_deref().map(<[f32]>::len))?;
        let (rows, cols) = (input.rows, input.cols);
        if scratch.arch.as_ref() != Some(&self.arch) || (scratch.rows, scratch.cols) != (rows, cols)
        {
            *scratch = self.scratch(rows, cols);
        }
        let pixels = rows * cols;
        let classes = self.arch.classes;
        let rr_width = self.arch.rr_features;
        let att_len = {
            let (h, w) = self.attention_size(rows, cols);
            h * w
        };
        for b in 0..input.batch {
            let image = &input.images[b * pixels..(b + 1) * pixels];
            let rr = &input.rr[(b * rr_width).min(input.rr.len())..][..rr_width];
            let out = &mut logits[b * classes..(b + 1) * classes];
            let att = attention
                .as_deref_mut()
                .map(|a| &mut a[b * att_len..(b + 1) * att_len]);
            // SAFETY: `from_model_with` checked that this CPU runs `self.kernels`; the
            // scratch was built for this network and image size.
            unsafe {
                match self.kernels {
                    #[cfg(target_arch = "x86_64")]
                    Kernels::Avx512 => image_avx512(self, scratch, image, rr, out, att),
                    #[cfg(target_arch = "x86_64")]
                    Kernels::Avx2 => image_avx2(self, scratch, image, rr, out, att),
                    _ => image_portable(self, scratch, image, rr, out, att),
                }
            }
        }
        Ok(())
    }
}

/// The convolution entry point compiled for one instruction set.
trait Backend: Simd {
    /// A convolution (see [`Conv::run`]).
    unsafe fn conv(layer: &Conv, src: &[f32], sm: &Map, dst: &mut [f32], dm: &Map, init: Init);
}

/// Compiles the convolution and the whole image for one instruction set.
macro_rules! backend {
    ($simd:ty, $conv:ident, $image:ident $(, $feature:literal)?) => {
        impl Backend for $simd {
            #[inline(always)]
            unsafe fn conv(layer: &Conv, src: &[f32], sm: &Map, dst: &mut [f32], dm: &Map, init: Init) {
                $(#[target_feature(enable = $feature)])?
                #[inline(never)]
                unsafe fn $conv(layer: &Conv, src: &[f32], sm: &Map, dst: &mut [f32], dm: &Map, init: Init) {
                    // SAFETY: the caller runs on a CPU with these features.
                    unsafe { layer.run::<$simd>(src, sm, dst, dm, init) }
                }
                unsafe { $conv(layer, src, sm, dst, dm, init) }
            }
        }

        /// One image through the network (see `forward_image`).
        $(#[target_feature(enable = $feature)])?
        #[inline(never)]
        unsafe fn $image(
            net: &Net,
            sc: &mut Scratch,
            image: &[f32],
            rr: &[f32],
            logits: &mut [f32],
            attention: Option<&mut [f32]>,
        ) {
            forward_image::<$simd>(net, sc, image, rr, logits, attention)
        }
    };
}

backend!(Portable, conv_portable, image_portable);
#[cfg(target_arch = "x86_64")]
backend!(Avx512, conv_avx512, image_avx512, "avx512f,avx2,fma");
#[cfg(target_arch = "x86_64")]
backend!(Avx2, conv_avx2, image_avx2, "avx2,fma");

/// Channel means of a map (over its interior), SE gates from them into `gates[..c]`,
/// zero gates for the padding channels up to the map's stride.
#[inline(always)]
fn se_gates(se: &Se, buf: &Buf, sc_pooled: &mut [f32], hidden: &mut [f32], gates: &mut [f32]) {
    let m = buf.map;
    let c = se.reduce.input;
    let pooled = &mut sc_pooled[..m.cs];
    pooled.fill(0.0);
    for y in 0..m.h {
        let row = &buf.data[m.at(y, 0)..m.at(y, 0) + m.w * m.cs];
        for px in row.chunks_exact(m.cs) {
            for (p, &v) in pooled.iter_mut().zip(px) {
                *p += v;
            }
        }
    }
    let n = (m.h * m.w) as f32;
    for p in pooled.iter_mut() {
        *p /= n;
    }
    se.reduce.forward(pooled, hidden, true);
    se.expand.forward(hidden, gates, false);
    for g in &mut gates[..c] {
        *g = sigmoid(*g);
    }
    gates[c..m.cs].fill(0.0);
}

/// `out = relu(branch · gates + skip)` over every pixel and stored channel.
#[inline(always)]
fn residual(branch: &Buf, gates: &[f32], skip: &Buf, out: &mut Buf) {
    let (bm, sm, om) = (branch.map, skip.map, out.map);
    let cs = om.cs;
    for y in 0..om.h {
        let b = &branch.data[bm.at(y, 0)..bm.at(y, 0) + om.w * cs];
        let s = &skip.data[sm.at(y, 0)..sm.at(y, 0) + om.w * cs];
        let o = &mut out.data[om.at(y, 0)..om.at(y, 0) + om.w * cs];
        for ((o, b), s) in o
            .chunks_exact_mut(cs)
            .zip(b.chunks_exact(cs))
            .zip(s.chunks_exact(cs))
        {
            for (((o, &b), &s), &g) in o.iter_mut().zip(b).zip(s).zip(&gates[..cs]) {
                *o = (b * g + s).max(0.0);
            }
        }
    }
}

/// One image through the network.
#[inline(always)]
fn forward_image<S: Backend>(
    net: &Net,
    sc: &mut Scratch,
    image: &[f32],
    rr: &[f32],
    logits: &mut [f32],
    attention: Option<&mut [f32]>,
) {
    // SAFETY (every call): `forward_image` only runs inside the entry point of `S`.
    let conv = |layer: &Conv, src: &[f32], sm: &Map, dst: &mut [f32], dm: &Map, init: Init| unsafe {
        S::conv(layer, src, sm, dst, dm, init)
    };
    let channels = net.arch.channels;
    if !net.image_used && attention.is_none() {
        // Every classifier weight on the image features is zero: their value cannot
        // change the logits, so only the rhythm pathway runs.
        sc.feat[..channels].fill(0.0);
        head(net, sc, rr, logits);
        return;
    }
    let m = sc.image.map;
    for (y, row) in image.chunks_exact(m.w).enumerate() {
        let at = m.at(y, 0);
        sc.image.data[at..at + m.w].copy_from_slice(row);
    }
    conv(
        &net.embed,
        &sc.image.data,
        &m,
        &mut sc.embed.data,
        &sc.embed.map,
        Init::Bias,
    );
    for (i, block) in net.blocks.iter().enumerate() {
        let (done, rest) = sc.blocks.split_at_mut(i);
        let bufs = &mut rest[0];
        let x = if i == 0 { &sc.embed } else { &done[i - 1].out };
        conv(
            &block.conv1,
            &x.data,
            &x.map,
            &mut bufs.t.data,
            &bufs.t.map,
            Init::Bias,
        );
        conv(
            &block.conv2,
            &bufs.t.data,
            &bufs.t.map,
            &mut bufs.u.data,
            &bufs.u.map,
            Init::Bias,
        );
        se_gates(
            &block.se,
            &bufs.u,
            &mut sc.pooled,
            &mut sc.se_hidden,
            &mut sc.se_gates,
        );
        let skip = match (&block.shortcut, &mut bufs.s) {
            (Some(shortcut), Some(s)) => {
                conv(shortcut, &x.data, &x.map, &mut s.data, &s.map, Init::Bias);
                &*s
            }
            _ => x,
        };
        residual(&bufs.u, &sc.se_gates, skip, &mut bufs.out);
    }

    // Hidden attention: SE, then the ConvLSTM over the SE-weighted features.
    let last = match sc.blocks.last() {
        Some(b) => &b.out,
        None => &sc.embed,
    };
    se_gates(
        &net.attention_se,
        last,
        &mut sc.pooled,
        &mut sc.se_hidden,
        &mut sc.se_gates,
    );
    let (lm, fm) = (last.map, sc.features.map);
    let cs = fm.cs;
    for y in 0..fm.h {
        for x in 0..fm.w {
            let src = &last.data[lm.at(y, x)..lm.at(y, x) + cs];
            let dst = &mut sc.features.data[fm.at(y, x)..fm.at(y, x) + cs];
            for ((d, &s), &g) in dst.iter_mut().zip(src).zip(&sc.se_gates[..cs]) {
                *d = s * g;
            }
        }
    }
    let hidden = net.arch.hidden;
    let (time, width) = (fm.h, fm.w);
    for (d, (direction, gates)) in net.lstm.iter().zip(sc.gates.iter_mut()).enumerate() {
        conv(
            &direction.input,
            &sc.features.data,
            &fm,
            &mut gates.data,
            &gates.map,
            Init::Bias,
        );
        let state = LstmState {
            gates: &mut gates.data,
            step_map: Map::new(1, width, gates.map.cs, 0, 0),
            h: &mut sc.h.data,
            h_map: sc.h.map,
            c: &mut sc.c,
            out: &mut sc.hs,
        };
        direction.recur(state, time, hidden, d * hidden, d == 1, conv);
    }

    // Attention map, then the re-weighted features pooled: mean of f · a + f.
    for (a, h) in sc.attention.iter_mut().zip(sc.hs.chunks_exact(2 * hidden)) {
        let mut z = net.project_bias;
        for (&h, &w) in h.iter().zip(&net.project) {
            z += h * w;
        }
        *a = sigmoid(z);
    }
    let pooled = &mut sc.pooled[..channels];
    pooled.fill(0.0);
    for y in 0..time {
        for x in 0..width {
            let a = sc.attention[y * width + x];
            let f = &sc.features.data[fm.at(y, x)..fm.at(y, x) + channels];
            for (p, &f) in pooled.iter_mut().zip(f) {
                *p += f * a + f;
            }
        }
    }
    let n = (time * width) as f32;
    for (o, &p) in sc.feat.iter_mut().zip(pooled.iter()) {
        *o = p / n;
    }
    head(net, sc, rr, logits);
    if let Some(att) = attention {
        att.copy_from_slice(&sc.attention);
    }
}

/// The rhythm branch on `rr`, then the classifier on the image features already in
/// `sc.feat` joined by the branch's output.
fn head(net: &Net, sc: &mut Scratch, rr: &[f32], logits: &mut [f32]) {
    let channels = net.arch.channels;
    let mut width_in = net.arch.rr_features;
    if !net.rhythm.is_empty() {
        let [a, b] = &mut sc.mlp;
        a[..width_in].copy_from_slice(rr);
        for layer in &net.rhythm {
            layer.forward(&a[..width_in], b, true);
            width_in = layer.output;
            std::mem::swap(a, b);
        }
        sc.feat[channels..channels + width_in].copy_from_slice(&a[..width_in]);
    }
    net.classifier.forward(&sc.feat, logits, false);
}
