//! The fast inference path against the burn forward: logits within 1e-4 and the same
//! attention map, on seeded random networks (with batch-norm statistics drawn too, so the
//! folding is exercised) for 2, 5 and 10 s segments, with and without the rhythm branch,
//! on every kernel set this CPU runs; and batch invariance, bit for bit.

use burn::module::{Param, RunningState};
use burn::nn::BatchNorm;
use burn::tensor::{Tensor, TensorData};
use haresnet::infer::{Input, Kernels, Net};
use haresnet::model::{HaResNet, HaResNetConfig, device};

/// Rows of the folded image for 2, 5 and 10 s at 250 Hz (W = 50, hop 25).
const ROWS: [usize; 3] = [19, 49, 99];
const COLS: usize = 50;
const RR: usize = 7;
const TOLERANCE: f32 = 1e-4;

/// A small deterministic generator (xorshift64*), independent of burn's global one.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40;
        lo + (hi - lo) * (bits as f32 / (1u64 << 24) as f32)
    }

    fn vec(&mut self, n: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }
}

fn tensor1(values: Vec<f32>) -> Tensor<1> {
    let n = values.len();
    Tensor::from_data(TensorData::new(values, [n]), &device::inference_device())
}

/// Trained-looking batch-norm statistics instead of the identity of a fresh layer.
fn randomize(bn: &mut BatchNorm, rng: &mut Rng) {
    let c = bn.gamma.val().dims()[0];
    bn.gamma = Param::from_tensor(tensor1(rng.vec(c, 0.5, 1.5)));
    bn.beta = Param::from_tensor(tensor1(rng.vec(c, -0.3, 0.3)));
    bn.running_mean = RunningState::new(tensor1(rng.vec(c, -0.3, 0.3)));
    bn.running_var = RunningState::new(tensor1(rng.vec(c, 0.5, 2.0)));
}

/// The designed 5-class network, seeded, with random batch-norm statistics.
fn network(rr_features: usize, seed: u64) -> HaResNet {
    let mut model = HaResNetConfig::new(5)
        .with_rr_features(rr_features)
        .init_seeded(&device::inference_device(), seed)
        .unwrap();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    randomize(&mut model.embed.bn, &mut rng);
    for block in &mut model.blocks {
        randomize(&mut block.conv1.bn, &mut rng);
        randomize(&mut block.conv2.bn, &mut rng);
        if let Some(s) = &mut block.shortcut {
            randomize(&mut s.bn, &mut rng);
        }
    }
    model
}

/// Logits and attention maps of the burn model.
fn burn_forward(
    model: &HaResNet,
    images: &[f32],
    rr: &[f32],
    batch: usize,
    rows: usize,
) -> (Vec<f32>, Vec<f32>) {
    let device = device::inference_device();
    let image = Tensor::<4>::from_data(
        TensorData::new(images.to_vec(), [batch, 1, rows, COLS]),
        &device,
    );
    let width = rr.len() / batch;
    let rr = Tensor::<2>::from_data(TensorData::new(rr.to_vec(), [batch, width]), &device);
    let (logits, attention) = model.forward_with_attention(image, rr);
    (
        logits.try_into_vec_as().unwrap(),
        attention.try_into_vec_as().unwrap(),
    )
}

/// Logits and attention maps of the fast path.
fn fast_forward(
    net: &Net,
    images: &[f32],
    rr: &[f32],
    batch: usize,
    rows: usize,
) -> (Vec<f32>, Vec<f32>) {
    let (h, w) = net.attention_size(rows, COLS);
    let mut logits = vec![0.0; batch * net.num_classes()];
    let mut attention = vec![0.0; batch * h * w];
    let mut scratch = net.scratch(rows, COLS);
    let input = Input {
        images,
        rr,
        batch,
        rows,
        cols: COLS,
    };
    net.forward_with_attention(&input, &mut scratch, &mut logits, &mut attention)
        .unwrap();
    (logits, attention)
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let d = (x - y).abs();
            if d.is_nan() { f32::INFINITY } else { d }
        })
        .fold(0.0, f32::max)
}

/// Asserts that the fast path on every supported kernel set equals `model`'s burn forward
/// within [`TOLERANCE`] on `images` (`batch × rows × COLS`): logits and attention maps.
/// Takes any model, so trained weights are checked the same way.
pub fn assert_fast_equals_burn(
    model: &HaResNet,
    images: &[f32],
    rr: &[f32],
    batch: usize,
    rows: usize,
) {
    let (want_logits, want_attention) = burn_forward(model, images, rr, batch, rows);
    for kernels in Kernels::ALL.into_iter().filter(|k| k.is_supported()) {
        let net = Net::from_model_with(model, kernels).unwrap();
        let (logits, attention) = fast_forward(&net, images, rr, batch, rows);
        let dl = max_abs_diff(&logits, &want_logits);
        let da = max_abs_diff(&attention, &want_attention);
        assert!(
            dl <= TOLERANCE && da <= TOLERANCE,
            "{kernels}, batch {batch}, {rows} rows: logits differ by {dl}, attention by {da}"
        );
    }
}

#[test]
fn fast_path_equals_burn_on_random_networks() {
    let mut rng = Rng(2024);
    for rr_features in [0, RR] {
        let model = network(rr_features, 17 + rr_features as u64);
        for rows in ROWS {
            // One segment, and a batch that is no multiple of any blocking.
            for batch in [1, 13] {
                let images = rng.vec(batch * rows * COLS, -3.0, 3.0);
                let rr = rng.vec(batch * rr_features, 0.0, 2.0);
                assert_fast_equals_burn(&model, &images, &rr, batch, rows);
            }
        }
    }
}

#[test]
fn logits_do_not_depend_on_the_batch() {
    let model = network(RR, 5);
    let mut rng = Rng(77);
    let rows = 49;
    let (classes, size) = (5, rows * COLS);
    let net = Net::from_model(&model).unwrap();
    let mut scratch = net.scratch(rows, COLS);
    for batch in [2, 7, 64] {
        let images = rng.vec(batch * size, -3.0, 3.0);
        let rr = rng.vec(batch * RR, 0.0, 2.0);
        let (together, _) = fast_forward(&net, &images, &rr, batch, rows);
        for i in 0..batch {
            let mut alone = vec![0.0; classes];
            let input = Input {
                images: &images[i * size..(i + 1) * size],
                rr: &rr[i * RR..(i + 1) * RR],
                batch: 1,
                rows,
                cols: COLS,
            };
            net.forward(&input, &mut scratch, &mut alone).unwrap();
            let in_batch = &together[i * classes..(i + 1) * classes];
            assert!(
                alone
                    .iter()
                    .zip(in_batch)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "segment {i} of a batch of {batch}: {alone:?} alone, {in_batch:?} in the batch"
            );
        }
    }
}

#[test]
fn portable_kernels_agree_with_the_simd_ones() {
    let model = network(RR, 9);
    let mut rng = Rng(99);
    let (batch, rows) = (3, 49);
    let images = rng.vec(batch * rows * COLS, -3.0, 3.0);
    let rr = rng.vec(batch * RR, 0.0, 2.0);
    let portable = Net::from_model_with(&model, Kernels::Portable).unwrap();
    let (want, want_att) = fast_forward(&portable, &images, &rr, batch, rows);
    let mut compared = 0;
    for kernels in [Kernels::Avx512, Kernels::Avx2] {
        if !kernels.is_supported() {
            eprintln!("{kernels} not supported here: not compared");
            continue;
        }
        let net = Net::from_model_with(&model, kernels).unwrap();
        assert_eq!(net.kernels(), kernels);
        let (logits, att) = fast_forward(&net, &images, &rr, batch, rows);
        assert!(
            max_abs_diff(&logits, &want) < 1e-5,
            "{kernels}: {logits:?} vs {want:?}"
        );
        assert!(max_abs_diff(&att, &want_att) < 1e-5, "{kernels}");
        compared += 1;
    }
    if std::env::var_os("CI").is_some() && cfg!(target_arch = "x86_64") {
        assert!(
            compared > 0,
            "no SIMD kernel set to compare on this CI machine"
        );
    }
}

#[test]
fn bad_input_is_refused_with_a_message() {
    let model = network(RR, 3);
    let net = Net::from_model(&model).unwrap();
    let images = vec![0.0; 2 * 49 * COLS];
    let rr = vec![0.0; 2 * RR];
    let mut scratch = net.scratch(49, COLS);
    let mut logits = vec![0.0; 10];
    let input = |images, rr, batch| Input {
        images,
        rr,
        batch,
        rows: 49,
        cols: COLS,
    };
    for (inp, what) in [
        (input(&images[1..], &rr[..], 2), "image"),
        (input(&images[..], &rr[1..], 2), "rhythm"),
        (input(&images[..], &rr[..], 0), "empty"),
    ] {
        let err = net.forward(&inp, &mut scratch, &mut logits).unwrap_err();
        assert!(err.to_string().contains(what), "{err}");
    }
    let err = net
        .forward(&input(&images, &rr, 2), &mut scratch, &mut logits[..9])
        .unwrap_err();
    assert!(err.to_string().contains("logits"), "{err}");
    // A scratch of another size is rebuilt, not misused.
    let mut small = net.scratch(19, COLS);
    net.forward(&input(&images, &rr, 2), &mut small, &mut logits)
        .unwrap();
}

/// Weights whose classifier reads no image feature (as the shipped rhythm pathway): the
/// fast path skips the image pathway unless the attention map is asked for, and its logits
/// are bit for bit those of the full computation, and within tolerance of burn's.
#[test]
fn image_pathway_skipped_when_the_head_ignores_it() {
    let mut model = network(RR, 23);
    let weight = model.classifier.weight.val(); // [C + R, classes]
    let [inputs, classes] = weight.dims();
    let rhythm_out = model
        .rhythm
        .as_ref()
        .unwrap()
        .layers
        .last()
        .unwrap()
        .weight
        .dims()[1];
    let channels = inputs - rhythm_out;
    let zeros = Tensor::<2>::zeros([channels, classes], &device::inference_device());
    model.classifier.weight =
        Param::from_tensor(weight.slice_assign([0..channels, 0..classes], zeros));
    assert!(!model.image_path_used());

    let mut rng = Rng(31);
    let (batch, rows) = (3, 49);
    let images = rng.vec(batch * rows * COLS, -3.0, 3.0);
    let rr = rng.vec(batch * RR, 0.0, 2.0);
    let (want, _) = burn_forward(&model, &images, &rr, batch, rows);
    for kernels in Kernels::ALL.into_iter().filter(|k| k.is_supported()) {
        let net = Net::from_model_with(&model, kernels).unwrap();
        let mut skipped = vec![0.0; batch * classes];
        let input = Input {
            images: &images,
            rr: &rr,
            batch,
            rows,
            cols: COLS,
        };
        net.forward(&input, &mut net.scratch(rows, COLS), &mut skipped)
            .unwrap();
        let (full, attention) = fast_forward(&net, &images, &rr, batch, rows);
        assert!(
            skipped
                .iter()
                .zip(&full)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{kernels}: {skipped:?} skipped, {full:?} computed"
        );
        assert!(
            attention.iter().any(|&a| a > 0.0),
            "{kernels}: no attention map"
        );
        let d = max_abs_diff(&skipped, &want);
        assert!(
            d <= TOLERANCE,
            "{kernels}: logits differ from burn's by {d}"
        );
    }
}
