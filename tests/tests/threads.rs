//! One model handle shared by 8 threads, 1,000 classifications each: every result equals
//! the single-threaded one, bit for bit.

use std::ptr::null_mut;

use haresnet_tests::*;

const FS: f64 = 360.0;
const THREADS: usize = 8;
const CALLS: usize = 1000;

/// A model handle crossing threads, as the header allows (`const haresnet_model *`).
#[derive(Clone, Copy)]
struct Shared(Handle);
// SAFETY: the library documents model handles as usable from many threads at once.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

fn classify_segment(model: Handle, segment: &[f32]) -> (i32, [u32; 5], u32) {
    let mut label = -7;
    let mut probs = [0f32; 5];
    let mut hr = 0f32;
    // SAFETY: `segment` holds its length; `probs` 5 floats.
    let status = unsafe {
        (api().haresnet_model_classify_segment)(
            model,
            segment.as_ptr(),
            segment.len(),
            FS,
            &mut label,
            probs.as_mut_ptr(),
            5,
            &mut hr,
        )
    };
    expect(status, OK, &[]);
    (label, probs.map(f32::to_bits), hr.to_bits())
}

#[test]
fn eight_threads_share_one_model() {
    let model = load_model();
    let rec = engine::Record::open(fixture("201_0420_0540")).unwrap();
    let samples = rec.read_physical(0, 0, rec.sig_len()).unwrap();
    let segments: Vec<&[f32]> = samples.chunks_exact(1800).collect();
    let reference: Vec<_> = segments
        .iter()
        .map(|s| classify_segment(model, s))
        .collect();

    let shared = Shared(model);
    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (segments, reference) = (&segments, &reference);
            scope.spawn(move || {
                let model = shared;
                for k in 0..CALLS {
                    let i = (t * 7 + k) % segments.len();
                    assert_eq!(
                        classify_segment(model.0, segments[i]),
                        reference[i],
                        "thread {t}, call {k}"
                    );
                }
                // Errors on one thread do not leak into another's message.
                let mut n = 0u32;
                // SAFETY: NULL model is the error under test.
                unsafe { (api().haresnet_model_num_classes)(null_mut(), &mut n) };
                assert!(last_error().contains("model is NULL"));
            });
        }
    });
    // SAFETY: live model, no thread uses it any more.
    unsafe { (api().haresnet_model_free)(model) };
}
