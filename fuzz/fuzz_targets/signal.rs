#![no_main]
//! Every fixed-layout storage format (and format 8 differences) on arbitrary signal
//! bytes, with samples per frame, skew and byte offset chosen by the input.

use libfuzzer_sys::fuzz_target;

const FORMATS: [u32; 11] = [0, 8, 16, 24, 32, 61, 80, 160, 212, 310, 311];

fuzz_target!(|data: &[u8]| {
    let [f, spf, skew, offset, from, len, rest @ ..] = data else {
        return;
    };
    let code = FORMATS[*f as usize % FORMATS.len()];
    let other = FORMATS[(*f as usize / 16) % FORMATS.len()];
    let header = format!(
        "f 3 100\nf.dat {code}x{}:{}+{} 100 12 0 3 0\nf.dat {code} 100(4)/u 12 0 -2\n\
         f.dat {code}x2 100\n",
        spf % 5 + 1,
        skew % 4,
        offset % 8
    );
    // Formats differ within one file on purpose now and then: that must be an error.
    let header = if f % 7 == 0 {
        header.replace(&format!("f.dat {code}x2"), &format!("f.dat {other}x2"))
    } else {
        header
    };
    haresnet_fuzz::exercise_record(&header, rest, (u64::from(*from), u64::from(*len)));
});
