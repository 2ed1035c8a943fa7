//! The trainer on the committed fixture excerpts: a few steps reduce the loss, the same
//! seed gives the same weights, and a run resumed from its checkpoint ends where an
//! uninterrupted one does.

#![cfg(feature = "train")]

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::Tensor;
use haresnet::model::device::inference_device;
use haresnet::model::from_bytes;
use haresnet::train::trainer::{EpochLog, Observer, Trainer};
use haresnet::train::{Dataset, Protocol, Recipe, TrainConfig};

/// burn's CPU backends draw dropout masks from one process-wide generator, so a run is
/// reproducible only while no other run draws from it: the tests take turns.
static BACKEND_RNG: Mutex<()> = Mutex::new(());

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/records")
}

/// The plain recipe on the 90 five-second segments of the five excerpts, small batches.
fn config(epochs: usize) -> TrainConfig {
    let mut c = TrainConfig::new(Recipe::Plain, Protocol::All, 5.0);
    c.epochs = epochs;
    c.batch_size = 16;
    c.samples_per_epoch = Some(32);
    c.learning_rate = 3e-3;
    c.warmup_fraction = 0.0;
    c.final_lr_fraction = 1.0;
    c.model.dropout = 0.0;
    c
}

#[derive(Default)]
struct Losses(Vec<f64>);
impl Observer for Losses {
    fn epoch(&mut self, log: &EpochLog) {
        self.0.push(log.train_loss);
    }
}

/// Every parameter and batch-norm statistic of the run's final network, in module order
/// (the file's bytes also hold parameter ids, which are drawn afresh by every process).
fn weights(dir: &Path) -> Vec<f32> {
    struct Collect(Vec<f32>);
    impl ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.extend(param.val().try_into_vec_as::<f32>().unwrap());
        }
    }
    let config = Trainer::saved_config(dir).unwrap();
    let bytes = std::fs::read(dir.join("model.bpk")).unwrap();
    let model = from_bytes(&config.model, &bytes, &inference_device()).unwrap();
    let mut c = Collect(Vec::new());
    model.visit(&mut c);
    c.0
}

fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn a_few_steps_reduce_the_loss() {
    let _turn = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let dataset = Dataset::load(&fixtures(), 5.0, Protocol::All, false).unwrap();
    assert_eq!(dataset.train.len(), 90);
    let tmp = tempfile::tempdir().unwrap();
    // Six epochs of two steps, 16 segments each, drawn from the 90.
    let c = config(6);
    let mut losses = Losses::default();
    Trainer::new(c, &dataset, tmp.path())
        .unwrap()
        .run(&mut losses)
        .unwrap();
    let l = &losses.0;
    assert_eq!(l.len(), 6);
    assert!(l.iter().all(|v| v.is_finite()));
    assert!(
        l[5] < 0.8 * l[0],
        "the loss did not fall over 12 steps: {l:?}"
    );
    assert!(tmp.path().join("log.csv").is_file());
    assert!(tmp.path().join("run.json").is_file());
}

#[test]
fn seeded_and_resumable() {
    let _turn = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let dataset = Dataset::load(&fixtures(), 5.0, Protocol::All, false).unwrap();
    let mut c = config(2);
    c.augment = haresnet::train::Augment::signal();
    c.model.dropout = 0.3;
    let run = |dir: &Path, stop: Option<usize>| {
        Trainer::new(c.clone(), &dataset, dir)
            .unwrap()
            .run_until(&mut Losses::default(), stop)
            .unwrap()
    };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let r = tempfile::tempdir().unwrap();
    run(a.path(), None).unwrap();
    run(b.path(), None).unwrap();
    assert!(
        same(&weights(a.path()), &weights(b.path())),
        "same seed, other weights"
    );

    // Interrupted after epoch 1, resumed to the end.
    assert!(run(r.path(), Some(1)).is_none());
    assert!(!r.path().join("model.bpk").exists());
    run(r.path(), None).unwrap();
    assert!(
        same(&weights(a.path()), &weights(r.path())),
        "the resumed run differs"
    );

    // Another seed, other weights; another configuration in the same directory is refused.
    let mut other = c.clone();
    other.seed = 2;
    assert!(Trainer::new(other.clone(), &dataset, a.path()).is_err());
    let o = tempfile::tempdir().unwrap();
    Trainer::new(other, &dataset, o.path())
        .unwrap()
        .run(&mut Losses::default())
        .unwrap();
    assert!(!same(&weights(a.path()), &weights(o.path())));
}

#[test]
fn a_fixed_rhythm_pathway_stays_as_pre_trained() {
    use haresnet::dsp::N_RR;
    use haresnet::model::device::training_device;
    use haresnet::train::rr::{RhythmCard, RhythmNet, RrSettings, save_rhythm_net};

    let _turn = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let dataset = Dataset::load(&fixtures(), 5.0, Protocol::All, false).unwrap();
    let mut c = config(1);
    c.model = c.model.with_rr_features(N_RR);
    // With the causal context, so that the context table is exercised too.
    c = c.with_rr_context(30.0);
    assert_eq!(c.model.rr_features, 2 * N_RR);
    c.weight_decay = 0.0;
    c.rr_fixed = true;
    // Any RR classifier will do: what matters is that training leaves it alone.
    let rr = tempfile::tempdir().unwrap();
    let device = training_device();
    let net = RhythmNet::new(&c.model, &device).unwrap();
    let card = RhythmCard {
        model: c.model.clone(),
        seconds: 5.0,
        context_seconds: 30.0,
        settings: RrSettings::default(),
        train_records: vec![],
        validation_records: vec![],
        train_counts: [0; 5],
        validation_counts: [0; 5],
        validation: None,
        history: vec![],
        wall_seconds: 0.0,
        command: None,
        members: vec![],
    };
    save_rhythm_net(rr.path(), &net, &card).unwrap();
    c.rr_init = Some(rr.path().to_path_buf());

    let out = tempfile::tempdir().unwrap();
    let trained = Trainer::new(c.clone(), &dataset, out.path())
        .unwrap()
        .run(&mut Losses::default())
        .unwrap()
        .model;
    let read = |t: Tensor<2>| t.try_into_vec_as::<f32>().unwrap();
    let rhythm = trained.rhythm.as_ref().unwrap();
    for (a, b) in rhythm.layers.iter().zip(&net.branch.layers) {
        assert_eq!(read(a.weight.val()), read(b.weight.val()));
    }
    // The classifier rows reading the branch hold the head; the image rows were trained.
    let w = read(trained.classifier.weight.val());
    let head = read(net.head.weight.val());
    assert_eq!(&w[w.len() - head.len()..], &head[..]);
    let fresh = c.model.init_seeded(&inference_device(), c.seed).unwrap();
    let w0 = read(fresh.classifier.weight.val());
    assert_ne!(&w[..w.len() - head.len()], &w0[..w0.len() - head.len()]);
    // Weight decay would move the fixed rows through Adam: refused.
    let mut decayed = c;
    decayed.weight_decay = 1e-4;
    assert!(decayed.validate().is_err());
}

/// MIT-BIH segments join the rhythm pre-training with the rhythm input the evaluation
/// computes from the signal, and are never among the held-out patients.
#[test]
fn signal_windows_join_rhythm_pretraining() {
    use haresnet::dsp::N_RR;
    use haresnet::eval::predict::classifier_probabilities;
    use haresnet::train::batch::prepare_plain;
    use haresnet::train::rr::{RrCorpus, RrSettings, pretrain, rr_probabilities};
    use haresnet::train::ship::rhythm_only_file;
    use haresnet::{Classifier, ClassifierOptions};

    let _turn = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let dataset = Dataset::load(&fixtures(), 5.0, Protocol::All, false).unwrap();
    let c = config(1).with_rr_context(30.0);
    let mut corpus = RrCorpus {
        seconds: 5.0,
        context_seconds: 30.0,
        ..RrCorpus::default()
    };
    corpus
        .add_signal("mitdb", &dataset, &dataset.train, &c.preprocess)
        .unwrap();
    assert_eq!(corpus.windows.len(), dataset.train.len());
    let context = dataset.rr_context(&c.preprocess).unwrap();
    let plain = prepare_plain(
        &dataset.corpus,
        &dataset.train,
        &c.preprocess,
        context.as_deref(),
    )
    .unwrap();
    for (w, (want, label)) in corpus
        .windows
        .iter()
        .zip(plain.rr.chunks_exact(2 * N_RR).zip(&plain.labels))
    {
        assert_eq!(w.input, want);
        assert_eq!(w.label, *label);
        assert!(corpus.is_signal(w.record));
    }
    assert!(corpus.records.iter().all(|r| r.starts_with("mitdb/")));
    // A window length that differs from the corpus's is refused.
    let mut other = RrCorpus {
        seconds: 10.0,
        context_seconds: 30.0,
        ..RrCorpus::default()
    };
    assert!(
        other
            .add_signal("mitdb", &dataset, &dataset.train, &c.preprocess)
            .is_err()
    );

    let settings = RrSettings {
        epochs: 1,
        samples_per_epoch: 64,
        batch_size: 32,
        signal_weight: 2.0,
        ..RrSettings::default()
    };
    let out = tempfile::tempdir().unwrap();
    let model = c.model.clone().with_rr_features(2 * N_RR);
    let (net, card) = pretrain(&corpus, &model, &settings, out.path(), &mut |_| {}).unwrap();
    assert!(card.validation_records.is_empty());
    assert_eq!(card.train_records, corpus.records);

    // The pathway scores the training windows as the shipped classifier scores the whole
    // records: the same rhythm input, ectopic beats judged against the same context.
    let shipped = TrainConfig { model, ..c };
    let file = rhythm_only_file(&shipped, out.path(), Default::default()).unwrap();
    let classifier = Classifier::from_weights(file, &ClassifierOptions::default()).unwrap();
    let by_classifier =
        classifier_probabilities(&classifier, &dataset.corpus, &dataset.train, Some(0.0)).unwrap();
    let inputs: Vec<Vec<f32>> = plain
        .rr
        .chunks_exact(2 * N_RR)
        .map(<[f32]>::to_vec)
        .collect();
    let by_pathway = rr_probabilities(&net, &inputs, &inference_device()).unwrap();
    for (a, b) in by_classifier.iter().zip(&by_pathway) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-4, "{a:?} != {b:?}");
        }
    }
}

/// `haresnet train` stopped after an epoch and resumed (without `--data`: the run knows
/// where its records are): the card of the finished run names the command that started it
/// and the one that resumed it.
#[cfg(feature = "cli")]
#[test]
fn a_resumed_run_keeps_the_command_that_started_it() {
    let _turn = BACKEND_RNG.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let train = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_haresnet"))
            .arg("train")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let run_arg = run.to_str().unwrap();
    let data = fixtures();
    train(&[
        "--data",
        data.to_str().unwrap(),
        "--protocol",
        "all",
        "--recipe",
        "plain",
        "--epochs",
        "2",
        "--batch-size",
        "16",
        "--samples-per-epoch",
        "16",
        "--stop-after",
        "1",
        "--out",
        run_arg,
    ]);
    assert!(!run.join("model.hrn").exists());
    train(&["--resume", run_arg]);

    let card = haresnet::weights::WeightsFile::read(run.join("model.hrn"))
        .unwrap()
        .card;
    let command = card.training["command"].as_str().unwrap();
    assert!(
        command.starts_with("haresnet train --data records") && command.contains("--stop-after 1"),
        "{command}"
    );
    let resumed = card.training["resumed_with"].as_array().unwrap();
    assert_eq!(resumed.len(), 1, "{resumed:?}");
    assert!(
        resumed[0].as_str().unwrap().contains("--resume run"),
        "{resumed:?}"
    );
}
