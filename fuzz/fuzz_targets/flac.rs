#![no_main]
//! FLAC signal files (formats 508/516/524): the first byte picks the format and the number
//! of signals, the rest is the file.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [pick, from, len, rest @ ..] = data else {
        return;
    };
    let code = [508, 516, 524][*pick as usize % 3];
    let n_sig = (*pick as usize / 3) % 3 + 1;
    let spf = (*pick as usize / 9) % 2 + 1;
    let mut header = format!("f {n_sig} 200\n");
    for _ in 0..n_sig {
        header.push_str(&format!("f.dat {code}x{spf} 200/mV 16 0 0\n"));
    }
    haresnet_fuzz::exercise_record(&header, rest, (u64::from(*from), u64::from(*len)));
});
