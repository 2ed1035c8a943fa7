//! The network's weights as bytes: burn's burnpack format, as produced by
//! `Module::into_record().into_bytes()`.
//!
//! The bytes hold tensors only (parameters and batch-norm running statistics, keyed by
//! module path); the [`HaResNetConfig`] that shapes them travels separately (in the model
//! card). Loading treats the bytes as untrusted: burn's reader already bounds sizes and
//! offsets, and this module adds what it does not check — that every tensor is `f32`, that
//! the record names exactly the network's tensors with the network's shapes, and that every
//! value is finite — so that garbage comes back as [`Error::Model`] and never as a panic
//! or a network that silently outputs NaN.

use burn::module::{Module, ModuleVisitor, Param};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, DType, Device, Tensor};

use super::{HaResNet, HaResNetConfig};
use crate::{Error, Result};

/// Serialises every tensor of `model` (parameters and batch-norm running statistics).
///
/// # Errors
///
/// [`Error::Model`] if burn cannot encode the record.
pub fn to_bytes(model: &HaResNet) -> Result<Vec<u8>> {
    let bytes = model
        .clone()
        .into_record()
        .into_bytes()
        .map_err(|e| Error::Model(format!("cannot encode weights: {e}")))?;
    Ok(bytes.to_vec())
}

/// A network of `config` on `device` carrying the weights in `bytes`.
///
/// Load on [`training_device`](super::device::training_device) to continue training, on
/// [`inference_device`](super::device::inference_device) otherwise.
///
/// # Errors
///
/// [`Error::Model`] if the configuration is invalid, the bytes are not a burnpack record,
/// a tensor is not `f32`, the record's tensors do not match the network's (missing,
/// unexpected, or of another shape: usually weights of another configuration), or a value
/// is NaN or infinite.
pub fn from_bytes(config: &HaResNetConfig, bytes: &[u8], device: &Device) -> Result<HaResNet> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::Model(format!("weights are not a readable burnpack record: {e}"))
    };
    check_dtypes(bytes).map_err(|e| unreadable(&e))?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| unreadable(&e))?;
    // The parameters are replaced by the record's, so skip their random initialisation.
    let template = config.build(device)?;
    let model = template
        .try_load_record(record)
        .map_err(|e| Error::Model(format!("weights do not fit the configuration: {e}")))?;
    check_values(&model)?;
    Ok(model)
}

/// Refuses a record holding anything but `f32` tensors, before burn sees it: burn loads a
/// record's dtype verbatim and panics when an integer or boolean tensor lands in a float
/// parameter. Reading the container's metadata twice costs microseconds.
fn check_dtypes(bytes: &[u8]) -> std::result::Result<(), String> {
    let reader = burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| e.to_string())?;
    let tensors = reader.into_tensors().map_err(|e| e.to_string())?;
    match tensors.iter().find(|t| t.dtype != DType::F32) {
        Some(t) => Err(format!("tensor {} is {:?}, expected F32", t.name, t.dtype)),
        None => Ok(()),
    }
}

/// Refuses non-finite tensors (and, after [`check_dtypes`], anything not `f32`), naming
/// the first offender.
fn check_values(model: &HaResNet) -> Result<()> {
    #[derive(Default)]
    struct Check {
        path: Vec<String>,
        problem: Option<String>,
    }
    impl ModuleVisitor for Check {
        fn enter_module(&mut self, name: &str, _container_type: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _name: &str, _container_type: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if self.problem.is_some() {
                return;
            }
            let name = self.path.join(".");
            let tensor = param.val();
            if tensor.dtype() != DType::F32 {
                self.problem = Some(format!("{name} is {:?}, expected F32", tensor.dtype()));
                return;
            }
            self.problem = match tensor.try_into_vec_as::<f32>() {
                Ok(values) => values
                    .iter()
                    .position(|v| !v.is_finite())
                    .map(|i| format!("{name}[{i}] is {}", values[i])),
                Err(e) => Some(format!("{name} cannot be read: {e:?}")),
            };
        }
    }
    let mut check = Check::default();
    model.visit(&mut check);
    match check.problem {
        Some(problem) => Err(Error::Model(format!("unusable weights: {problem}"))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use burn::module::ModuleMapper;
    use proptest::prelude::*;

    use super::*;
    use crate::model::device::inference_device;
    use crate::model::testing::{max_abs_diff, random};

    fn inputs(device: &Device, rr_features: usize) -> (Tensor<4>, Tensor<2>) {
        (
            random::<4>(21, [3, 1, 49, 50], device),
            random::<2>(22, [3, rr_features], device),
        )
    }

    #[test]
    fn save_then_load_gives_identical_logits() {
        let device = inference_device();
        let config = HaResNetConfig::new(5).with_rr_features(6);
        let model = config.init_seeded(&device, 23).unwrap();
        let bytes = to_bytes(&model).unwrap();
        let loaded = from_bytes(&config, &bytes, &device).unwrap();

        let (image, rr) = inputs(&device, 6);
        let before = model.forward(image.clone(), rr.clone());
        let after = loaded.forward(image, rr);
        assert_eq!(max_abs_diff(&before, &after), 0.0);
        // Encoding is deterministic. (A loaded model re-encodes to different bytes: burn
        // gives batch-norm running statistics fresh parameter ids on load, and the ids are
        // stored. The values are the same.)
        assert!(to_bytes(&model).unwrap() == bytes);
    }

    /// Weights loaded on the training device train: every parameter gets a gradient.
    #[test]
    fn loaded_on_the_training_device_every_parameter_trains() {
        use burn::optim::GradientsParams;

        /// Float tensors that require a gradient (all but batch-norm running statistics).
        struct Trainable(usize);
        impl ModuleVisitor for Trainable {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.0 += usize::from(param.val().is_require_grad());
            }
        }

        let device = crate::model::device::training_device();
        let config = HaResNetConfig::new(5).with_rr_features(6);
        let bytes = to_bytes(&config.init_seeded(&inference_device(), 30).unwrap()).unwrap();
        let model = from_bytes(&config, &bytes, &device).unwrap();
        let mut trainable = Trainable(0);
        model.visit(&mut trainable);
        // 9 batch norms × 2, 9 convolutions without bias, 4 SE × 2 linear layers × 2,
        // 2 ConvLSTM directions × 3, the attention projection × 2, 2 rhythm layers × 2 and
        // the classifier × 2: every parameter tensor, none frozen by the load.
        assert_eq!(trainable.0, 18 + 9 + 16 + 6 + 2 + 4 + 2);

        let (image, rr) = inputs(&device, 6);
        let loss = model.forward(image, rr).mean();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        assert_eq!(grads.len(), trainable.0);
    }

    #[test]
    fn garbage_and_truncated_bytes_are_errors() {
        let device = inference_device();
        let config = HaResNetConfig::new(5);
        let bytes = to_bytes(&config.init_seeded(&device, 24).unwrap()).unwrap();

        let mut cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("text", b"not a weights file".to_vec()),
            ("zeros", vec![0; 4096]),
            ("header only", bytes[..16].to_vec()),
            ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ];
        // Flipped bytes in the header and metadata region.
        for i in [0, 3, 8, 12, 40, 100, 300] {
            let mut b = bytes.clone();
            b[i] ^= 0xA5;
            cases.push(("flipped", b));
        }
        for (what, b) in cases {
            match from_bytes(&config, &b, &device) {
                Err(Error::Model(_)) => {}
                Err(e) => panic!("{what}: wrong error kind {e:?}"),
                // A flip inside tensor data would load: these offsets are all metadata.
                Ok(_) => panic!("{what}: accepted"),
            }
        }
    }

    #[test]
    fn weights_of_another_configuration_are_refused() {
        let device = inference_device();
        let plain = HaResNetConfig::new(5);
        let bytes = to_bytes(&plain.init_seeded(&device, 25).unwrap()).unwrap();
        let others = [
            plain.clone().with_se_reduction(8),             // shapes differ
            plain.clone().with_rr_features(6),              // tensors missing
            plain.clone().with_stage_blocks(vec![1, 1, 2]), // tensors missing
            plain
                .clone()
                .with_stage_channels(vec![16, 32])
                .with_stage_blocks(vec![1, 1]), // unused
            HaResNetConfig {
                num_classes: 4,
                ..plain.clone()
            }, // shape differs
        ];
        for other in others {
            let err = from_bytes(&other, &bytes, &device).unwrap_err();
            assert!(
                matches!(&err, Error::Model(m) if m.contains("do not fit")),
                "{other:?}: {err}"
            );
        }
    }

    /// The network's own record rewritten with every tensor in another dtype (zeros of
    /// the right byte length, so the container itself is valid).
    fn retyped(bytes: &[u8], dtype: DType) -> Vec<u8> {
        let reader = burn_pack::Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).unwrap();
        let tensors = reader
            .into_tensors()
            .unwrap()
            .into_iter()
            .map(|t| {
                let len = t.shape.num_elements() * dtype.size();
                let data = Bytes::from_bytes_vec(vec![0; len]);
                burn_pack::Tensor::new(t.name, dtype, t.shape, t.param_id, data)
            })
            .collect();
        burn_pack::Writer::new(tensors)
            .into_bytes()
            .unwrap()
            .to_vec()
    }

    #[test]
    fn other_dtypes_are_refused() {
        use burn::tensor::BoolStore;
        let device = inference_device();
        let config = HaResNetConfig::new(5);
        let bytes = to_bytes(&config.init_seeded(&device, 26).unwrap()).unwrap();
        for dtype in [
            DType::F64,
            DType::F16,
            DType::BF16,
            DType::I64,
            DType::I32,
            DType::U8,
            DType::Bool(BoolStore::Native),
        ] {
            let err = from_bytes(&config, &retyped(&bytes, dtype), &device).unwrap_err();
            assert!(err.to_string().contains("expected F32"), "{dtype:?}: {err}");
        }
        // The control: the same rewrite keeping F32 loads.
        from_bytes(&config, &retyped(&bytes, DType::F32), &device).unwrap();
    }

    /// The dtype tag rewritten in place to other 4-byte types: sizes stay consistent, so
    /// burn's reader accepts the record and hands integer data to float parameters.
    #[test]
    fn retagged_integer_tensors_are_refused() {
        let device = inference_device();
        let config = HaResNetConfig::new(5);
        let bytes = to_bytes(&config.init_seeded(&device, 28).unwrap()).unwrap();
        for (tag, first_only) in [(b"I32", true), (b"U32", false), (b"I32", false)] {
            let mut b = bytes.clone();
            let mut i = 0;
            while let Some(at) = b[i..].windows(4).position(|w| w == b"cF32") {
                b[i + at + 1..i + at + 4].copy_from_slice(tag);
                i += at + 4;
                if first_only {
                    break;
                }
            }
            let err = from_bytes(&config, &b, &device).unwrap_err();
            assert!(matches!(err, Error::Model(_)), "{err}");
        }
    }

    /// Sets one parameter to NaN.
    struct Poison;
    impl ModuleMapper for Poison {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| t.clone().div(t.zeros_like()))
        }
    }

    #[test]
    fn non_finite_weights_are_refused() {
        let device = inference_device();
        let config = HaResNetConfig::new(5);
        let mut model = config.init_seeded(&device, 27).unwrap();
        model.classifier = model.classifier.map(&mut Poison);
        let bytes = to_bytes(&model).unwrap();
        let err = from_bytes(&config, &bytes, &device).unwrap_err();
        assert!(err.to_string().contains("classifier."), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever bytes are damaged, loading answers with weights or an error, never a
        /// panic. Most flips land in tensor data and load (or hit a NaN); the first
        /// kilobytes are the header and the metadata that describe every tensor.
        #[test]
        fn damaged_bytes_never_panic(
            flips in proptest::collection::vec((0usize..16_384, any::<u8>()), 1..6),
            cut in proptest::option::of(0usize..700_000),
        ) {
            let (config, bytes) = &*SAMPLE;
            let mut b = bytes.clone();
            for &(at, mask) in &flips {
                let at = at % b.len();
                b[at] ^= mask.max(1);
            }
            if let Some(cut) = cut {
                b.truncate(cut.min(b.len()));
            }
            let device = inference_device();
            match from_bytes(config, &b, &device) {
                Ok(model) => prop_assert_eq!(model.num_classes, 5),
                Err(e) => prop_assert!(matches!(e, Error::Model(_)), "{}", e),
            }
        }
    }

    /// One encoded network shared by the property cases.
    static SAMPLE: std::sync::LazyLock<(HaResNetConfig, Vec<u8>)> =
        std::sync::LazyLock::new(|| {
            let config = HaResNetConfig::new(5).with_rr_features(4);
            let model = config.init_seeded(&inference_device(), 29).unwrap();
            let bytes = to_bytes(&model).unwrap();
            (config, bytes)
        });
}
