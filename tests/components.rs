//! Component tests in headless Chromium (`wasm-bindgen-test`): the reason tooltip's
//! content and keyboard behaviour, and the health panel's dialog focus handling.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, KeyboardEvent, KeyboardEventInit, MouseEvent, MouseEventInit};

use lb_health::arm::client::ArmClient;
use lb_health::config::Config;
use lb_health::demo::DemoTransport;
use lb_health::health::catalog::explain;
use lb_health::http::browser::{BrowserClock, FetchTransport};
use lb_health::http::cloud::{ArmBase, Cloud};
use lb_health::ui::{App, ReasonTip, Session, Tips};

wasm_bindgen_test_configure!(run_in_browser);

fn doc() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn host() -> HtmlElement {
    let el: HtmlElement = doc().create_element("div").unwrap().unchecked_into();
    doc().body().unwrap().append_child(&el).unwrap();
    el
}

fn q(root: &Element, sel: &str) -> Option<Element> {
    root.query_selector(sel).unwrap()
}

fn key(el: &Element, k: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(k);
    init.set_bubbles(true);
    init.set_cancelable(true);
    el.dispatch_event(&KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap())
        .unwrap();
}

fn mouse(el: &Element, kind: &str) {
    let init = MouseEventInit::new();
    init.set_bubbles(false);
    el.dispatch_event(&MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap())
        .unwrap();
}

async fn tick() {
    gloo_timers::future::sleep(Duration::from_millis(20)).await;
}

async fn wait_for(root: &Element, sel: &str) -> Element {
    for _ in 0..300 {
        if let Some(e) = q(root, sel) {
            return e;
        }
        gloo_timers::future::sleep(Duration::from_millis(20)).await;
    }
    panic!("{sel} never appeared; page: {}", root.inner_html());
}

fn tooltip_hidden(root: &Element) -> bool {
    q(root, "[role=tooltip]").unwrap().has_attribute("hidden")
}

#[wasm_bindgen_test]
async fn tooltip_explains_the_code_and_is_the_buttons_description() {
    let root = host();
    let reason = explain("Down_Probe_HttpStatusCodeError", "Down", None);
    let portal = reason.portal_text.clone();
    let first_step = reason.next_steps[0].clone();
    let _m = leptos::mount::mount_to(root.clone(), move || {
        let open = RwSignal::new(None);
        view! { <ReasonTip id="t1".to_string() label="Explain reason for vm-1".to_string() reason=reason.clone() open_tip=Tips::for_table(open)/> }
    });
    tick().await;
    let button = q(&root, "button").unwrap();
    assert_eq!(
        button.get_attribute("aria-label").as_deref(),
        Some("Explain reason for vm-1")
    );
    assert_eq!(
        button.get_attribute("aria-describedby").as_deref(),
        Some("t1")
    );
    let tip = q(&root, "[role=tooltip]").unwrap();
    assert_eq!(tip.id(), "t1");
    let text = tip.text_content().unwrap();
    assert!(text.contains("Down_Probe_HttpStatusCodeError"));
    assert!(text.contains(&portal));
    assert!(text.contains("What to do next"));
    assert!(text.contains(&first_step));
    assert!(tooltip_hidden(&root), "closed until asked for");
}

#[wasm_bindgen_test]
async fn tooltip_opens_on_focus_and_closes_on_escape() {
    let root = host();
    let _m = leptos::mount::mount_to(root.clone(), || {
        let open = RwSignal::new(None);
        view! { <ReasonTip id="t2".to_string() label="Explain".to_string() reason=explain("NA", "Down", None) open_tip=Tips::for_table(open)/> }
    });
    tick().await;
    let button: HtmlElement = q(&root, "button").unwrap().unchecked_into();
    button.focus().unwrap();
    tick().await;
    assert!(!tooltip_hidden(&root), "focus opens it");
    let tip = q(&root, "[role=tooltip]").unwrap();
    let open_text = tip.text_content().unwrap();
    assert!(
        q(&root, "[role=tooltip] .tip-portal").is_some() && q(&root, "[role=tooltip] li").is_some(),
        "open, it has paragraphs and a list of steps"
    );
    key(&button, "Escape");
    tick().await;
    assert!(tooltip_hidden(&root), "Escape closes it");
    // Closed, the same words as one text (the button's description stays whole).
    assert!(
        q(&root, "[role=tooltip] li").is_none(),
        "closed, no elements inside"
    );
    let closed_text = tip.text_content().unwrap();
    let squeeze = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(squeeze(&closed_text), squeeze(&open_text));
    button.blur().unwrap();
    button.focus().unwrap();
    tick().await;
    assert!(!tooltip_hidden(&root), "focus again reopens it");
    button.blur().unwrap();
    tick().await;
    assert!(tooltip_hidden(&root), "blur closes it");
}

#[wasm_bindgen_test]
async fn tooltip_opens_on_hover_and_stays_while_pointer_is_over_it() {
    let root = host();
    let _m = leptos::mount::mount_to(root.clone(), || {
        let open = RwSignal::new(None);
        view! { <ReasonTip id="t3".to_string() label="Explain".to_string() reason=explain("Weird_Code", "", None) open_tip=Tips::for_table(open)/> }
    });
    tick().await;
    let wrap = q(&root, ".tip-wrap").unwrap();
    mouse(&wrap, "mouseenter");
    tick().await;
    assert!(!tooltip_hidden(&root));
    assert!(q(&root, "[role=tooltip]")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("Weird_Code"));
    mouse(&wrap, "mouseleave");
    tick().await;
    assert!(tooltip_hidden(&root));
}

fn demo_app(
    root: &HtmlElement,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    let clock = Rc::new(BrowserClock);
    let transport = Rc::new(DemoTransport::new(clock.clone()).instant());
    let demo = Rc::new(ArmClient::new(
        transport,
        clock.clone(),
        ArmBase::parse(Cloud::Public.arm_origin()).unwrap(),
        Cloud::Public,
    ));
    let live = Rc::new(ArmClient::new(
        Rc::new(FetchTransport),
        clock,
        ArmBase::parse(Cloud::Public.arm_origin()).unwrap(),
        Cloud::Public,
    ));
    leptos::mount::mount_to(
        root.clone(),
        move || view! { <App demo=demo.clone() live=live.clone() config=Config::default() start=Session::Demo/> },
    )
}

fn click_button(root: &Element, text: &str) {
    let buttons = root.query_selector_all("button").unwrap();
    for i in 0..buttons.length() {
        let b: HtmlElement = buttons.item(i).unwrap().unchecked_into();
        if b.text_content().unwrap_or_default().trim() == text
            || b.get_attribute("aria-label").as_deref() == Some(text)
        {
            b.click();
            return;
        }
    }
    panic!("no button {text:?} in {}", root.inner_html());
}

#[wasm_bindgen_test]
async fn dialog_is_modal_holds_focus_and_returns_it_to_the_opener() {
    let root = host();
    let _m = demo_app(&root);
    wait_for(&root, "table button").await;
    click_button(&root, "Contoso Production");
    wait_for(&root, "h1").await;
    for _ in 0..100 {
        if root.inner_html().contains(">lb-web<") {
            break;
        }
        tick().await;
    }
    click_button(&root, "lb-web");
    wait_for(&root, "#rules-heading").await;
    let opener: HtmlElement = root
        .query_selector("button[aria-label='View details for rule-http']")
        .unwrap()
        .unwrap()
        .unchecked_into();
    opener.focus().unwrap();
    opener.click();
    let dialog: web_sys::HtmlDialogElement = wait_for(&root, "dialog").await.unchecked_into();
    tick().await;
    assert!(dialog.open(), "the panel opens as a dialog");
    assert!(
        dialog.matches(":modal").unwrap(),
        "opened with showModal, so the page behind is inert"
    );
    let active = doc().active_element().unwrap();
    assert!(
        dialog.contains(Some(&active)),
        "focus moved into the dialog"
    );
    wait_for(&root, "dialog .counts").await;
    click_button(&root, "Close");
    // The dialog's `close` event, which removes the panel, is a task of its own.
    let focused_label = || {
        doc()
            .active_element()
            .and_then(|a| a.get_attribute("aria-label"))
    };
    let wanted = Some("View details for rule-http".to_owned());
    for _ in 0..150 {
        if q(&root, "dialog").is_none() && focused_label() == wanted {
            break;
        }
        tick().await;
    }
    assert!(q(&root, "dialog").is_none(), "Close removes the panel");
    assert_eq!(focused_label(), wanted, "focus is back on the opener");
}
