//! Generates `include/haresnet.h` from this crate's sources with cbindgen, adding the
//! version macros from `Cargo.toml`. The file is only rewritten when its content changes.

use std::path::Path;

fn main() {
    // Read when the script runs, not when it is compiled: a script compiled for another
    // worktree sharing the target folder would otherwise write that worktree's header.
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let crate_dir = Path::new(&crate_dir);
    let header = crate_dir.join("../include/haresnet.h");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed={}", header.display());

    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("ffi/cbindgen.toml is valid");
    let var = |name: &str| std::env::var(name).expect("cargo sets the package version");
    let (major, minor, patch) = (
        var("CARGO_PKG_VERSION_MAJOR"),
        var("CARGO_PKG_VERSION_MINOR"),
        var("CARGO_PKG_VERSION_PATCH"),
    );
    config.after_includes = Some(format!(
        "\n#define HARESNET_VERSION_MAJOR {major}\n\
         #define HARESNET_VERSION_MINOR {minor}\n\
         #define HARESNET_VERSION_PATCH {patch}\n\
         /* (MAJOR << 16) | MINOR: compare the major part with haresnet_abi_version() >> 16. */\n\
         #define HARESNET_ABI_VERSION ((HARESNET_VERSION_MAJOR << 16) | HARESNET_VERSION_MINOR)\n"
    ));
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    std::fs::create_dir_all(header.parent().expect("include/ has a parent"))
        .expect("include/ can be created");
    bindings.write_to_file(&header);
}
