//! The C half of routing ALSA's error messages (`src/device/alsa_log.c`): ALSA's handler is a
//! variadic C function, which stable Rust cannot define.

fn main() {
    println!("cargo:rerun-if-changed=src/device/alsa_log.c");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        cc::Build::new()
            .file("src/device/alsa_log.c")
            .compile("strata_alsa_log");
        println!("cargo:rustc-link-lib=asound");
    }
}
