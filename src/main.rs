//! Browser entry point: installs the panic hook, builds the client and mounts the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        web_sys::console::error_1(&text.as_str().into());
        lb_health::ui::show_fatal(&text);
    }));
    leptos::mount::mount_to_body(lb_health::ui::Boot);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("LB Health runs in the browser: `cargo xtask serve`.");
}
