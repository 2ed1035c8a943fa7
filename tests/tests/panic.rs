//! A panic inside the library becomes `HARESNET_STATUS_PANIC` and a message, and the host
//! lives on. The test-only hook (debug builds only) is armed through the environment before
//! the library's first call; this file is its own process, so no other test sees it.

use haresnet_tests::*;

#[test]
fn a_panic_is_a_status_and_the_host_lives_on() {
    // SAFETY: this test binary runs only this test: no other thread reads the environment.
    unsafe { std::env::set_var("HARESNET_TEST_PANIC", "haresnet_model_num_classes") };
    let api = api();
    let model = load_model();
    let mut n = 0u32;
    for _ in 0..3 {
        // SAFETY: live model, valid out pointer.
        let status = unsafe { (api.haresnet_model_num_classes)(model, &mut n) };
        expect(
            status,
            PANIC,
            &[
                "haresnet_model_num_classes",
                "internal error (panic)",
                "HARESNET_TEST_PANIC",
            ],
        );
        assert_eq!(n, 0, "nothing written");
    }
    // Everything else still works, on this thread and others.
    let mut seconds = 0.0;
    // SAFETY: live model.
    expect(
        unsafe { (api.haresnet_model_segment_seconds)(model, &mut seconds) },
        OK,
        &[],
    );
    assert_eq!(seconds, 5.0);
    let shared = model as usize;
    std::thread::spawn(move || {
        let mut n = 0u32;
        // SAFETY: live model, shareable between threads.
        let status = unsafe { (api.haresnet_model_num_classes)(shared as Handle, &mut n) };
        assert_eq!(status, PANIC);
    })
    .join()
    .unwrap();
    // SAFETY: live model, freed once.
    unsafe { (api.haresnet_model_free)(model) };
}
