//! The page's release build (the `split` feature, index.html) links the page with its
//! relocations, which the splitter needs (`xtask/src/split.rs`).
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if split && release && wasm {
        println!("cargo::rustc-link-arg-bin=lb-health=--emit-relocs");
    }
}
