//! Browser entry point: installs the panic hook, builds the client and mounts the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    use std::rc::Rc;

    use lb_health::arm::browser::BrowserClock;
    use lb_health::arm::client::ArmClient;
    use lb_health::arm::cloud::{ArmBase, Cloud};
    use lb_health::demo::DemoTransport;

    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        lb_health::ui::show_fatal(&info.to_string());
    }));
    let clock: Rc<BrowserClock> = Rc::new(BrowserClock);
    // Live Azure (config.json, sign-in) arrives with its own issue; until then the app
    // runs its real client against the demo estate.
    let transport = Rc::new(DemoTransport::new(clock.clone()));
    let base = ArmBase::parse(Cloud::Public.arm_origin()).expect("constant origin");
    let client = Rc::new(ArmClient::new(transport, clock, base, Cloud::Public));
    leptos::mount::mount_to_body(move || leptos::view! { <lb_health::ui::App client=client demo=true/> });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("LB Health runs in the browser: `cargo xtask serve`.");
}
