//! The page's release build (the `split` feature, index.html) splits its wasm into parts
//! (`xtask/src/split.rs`): it needs the page linked with its relocations, and the code's
//! split points (`#[cfg(lbh_split)]`) turned on. One condition for both, here.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(lbh_split)");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let optimised = std::env::var_os("CARGO_CFG_DEBUG_ASSERTIONS").is_none();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if split && optimised && wasm {
        println!("cargo::rustc-cfg=lbh_split");
        println!("cargo::rustc-link-arg-bin=lb-health=--emit-relocs");
    }
}
