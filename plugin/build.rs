//! Embeds the shipped weights: every `weights/rhythm-<seconds>s-<set>.hrn` present at build
//! time becomes an entry of `weights::EMBEDDED`, so callers need no model file.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read when the script runs, not when it is compiled: a build script compiled for a
    // checkout elsewhere (another worktree sharing the target folder) must still find
    // this checkout's weights.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("weights");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries = String::new();
    for seconds in [2u32, 5, 10] {
        for set in ["all", "ds1"] {
            let file = dir.join(format!("rhythm-{seconds}s-{set}.hrn"));
            println!("cargo:rerun-if-changed={}", file.display());
            if file.is_file() {
                let _ = writeln!(
                    entries,
                    "    ({seconds}, {set:?}, include_bytes!({:?})),",
                    file.display().to_string()
                );
            }
        }
    }
    let code = format!(
        "/// Embedded weights files: (segment seconds, weight set, bytes).\n\
         static EMBEDDED: &[(u32, &str, &[u8])] = &[\n{entries}];\n"
    );
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_weights.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
