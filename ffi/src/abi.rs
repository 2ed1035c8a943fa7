//! The `abi_stable` root module for Rust hosts (see the `haresnet-abi` crate): the same
//! translation as the C functions, into `abi_stable` types. Panics are caught here too.

use std::panic::{AssertUnwindSafe, catch_unwind};

use abi_stable::export_root_module;
use abi_stable::prefix_type::PrefixTypeTrait;
use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RErr, ROk, RResult, RSlice, RStr, RString, RVec};
use engine::Classifier;
use engine::weights::WeightSet;
use haresnet_abi::{HaresnetMod, HaresnetModRef, Model, Model_TO, ModelBox, Segment};

#[export_root_module]
fn root_module() -> HaresnetModRef {
    HaresnetMod {
        version,
        abi_version,
        load_embedded,
        load_file,
    }
    .leak_into_prefix()
}

/// Runs `f`, turning an error or a panic into the message a Rust host receives.
fn guard<T>(f: impl FnOnce() -> engine::Result<T>) -> RResult<T, RString> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => ROk(v),
        Ok(Err(e)) => RErr(e.to_string().into()),
        Err(_) => RErr("internal error (panic)".into()),
    }
}

extern "C" fn version() -> RString {
    env!("CARGO_PKG_VERSION").into()
}

extern "C" fn abi_version() -> u32 {
    crate::version::ABI_VERSION
}

fn boxed(classifier: Classifier) -> ModelBox {
    Model_TO::from_value(AbiModel(classifier), TD_Opaque)
}

extern "C" fn load_embedded(seconds: u32, set: RStr<'_>) -> RResult<ModelBox, RString> {
    guard(|| {
        let set = WeightSet::parse(set.as_str())?;
        Ok(boxed(Classifier::embedded(seconds, set)?))
    })
}

extern "C" fn load_file(path: RStr<'_>) -> RResult<ModelBox, RString> {
    guard(|| {
        Ok(boxed(Classifier::from_file(
            path.as_str(),
            &Default::default(),
        )?))
    })
}

struct AbiModel(Classifier);

impl Model for AbiModel {
    fn labels(&self) -> RVec<RString> {
        self.0.labels().iter().map(|l| l.as_str().into()).collect()
    }

    fn segment_seconds(&self) -> f64 {
        self.0.segment_seconds()
    }

    fn classify(&self, samples: RSlice<'_, f32>, fs: f64) -> RResult<RVec<Segment>, RString> {
        guard(|| {
            let classes = self.0.num_classes();
            Ok(self
                .0
                .classify(samples.as_slice(), fs)?
                .into_iter()
                .map(|r| Segment {
                    start: r.start as u64,
                    label: r.label.map_or(-1, |l| l as i32),
                    probabilities: if r.probabilities.len() == classes {
                        r.probabilities.into()
                    } else {
                        vec![f32::NAN; classes].into()
                    },
                    heart_rate_bpm: r.heart_rate_bpm.unwrap_or(f32::NAN),
                })
                .collect())
        })
    }

    fn card_json(&self) -> RString {
        self.0.card().to_json().into()
    }
}
