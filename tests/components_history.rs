//! Component tests in headless Chromium for the probe history chart and the estate
//! overview (not yet wired into the app's screens): the chart is an image named by its
//! text alternative; the overview lists the demo's large estate worst first and stops
//! when asked.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use lb_health::arm::client::ArmClient;
use lb_health::arm::metrics::Point;
use lb_health::demo::estate::estate;
use lb_health::demo::DemoTransport;
use lb_health::http::browser::BrowserClock;
use lb_health::http::cloud::{ArmBase, Cloud};
use lb_health::ui::chart::Sparkline;
use lb_health::ui::overview::EstateOverview;

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

async fn until(root: &Element, what: &str, ok: impl Fn(&Element) -> bool) {
    for _ in 0..500 {
        if ok(root) {
            return;
        }
        gloo_timers::future::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} never happened; page: {}", root.inner_html());
}

fn status(root: &Element) -> String {
    root.query_selector("[role=status]")
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_chart_is_an_image_named_by_its_text_alternative() {
    let root = host();
    let points = vec![
        Point {
            t: 0,
            value: Some(100.0),
        },
        Point {
            t: 60,
            value: Some(0.0),
        },
    ];
    let _h = leptos::mount::mount_to(root.clone(), move || {
        view! { <Sparkline points=points.clone() start=0 end=120 interval_s=60 description="100% until 00:01, 0% since"/> }
    });
    let svg = root
        .query_selector("svg[role=img]")
        .unwrap()
        .expect("an svg image");
    assert_eq!(
        svg.get_attribute("aria-label").as_deref(),
        Some("100% until 00:01, 0% since")
    );
    assert!(svg
        .query_selector("path")
        .unwrap()
        .unwrap()
        .get_attribute("d")
        .unwrap()
        .starts_with('M'));
}

fn overview(
    root: &HtmlElement,
    n: usize,
    instant: bool,
) -> leptos::mount::UnmountHandle<impl leptos::tachys::view::Mountable> {
    let clock = Rc::new(BrowserClock);
    // With the demo's latency (120 ms a request) 2,000 verdicts take seconds: time to stop.
    let demo = DemoTransport::with_estate(estate().with_large_estate(n), clock.clone());
    let transport = Rc::new(if instant { demo.instant() } else { demo });
    let client = Rc::new(ArmClient::new(
        transport,
        clock,
        ArmBase::parse(Cloud::Public.arm_origin()).unwrap(),
        Cloud::Public,
    ));
    leptos::mount::mount_to(
        root.clone(),
        move || view! { <EstateOverview client=client.clone() on_open=|_id: String| {}/> },
    )
}

#[wasm_bindgen_test]
async fn the_overview_orders_worst_first_and_finishes() {
    let root = host();
    let _h = overview(&root, 120, true);
    until(&root, "every verdict", |r| {
        status(r).starts_with("Checked all")
    })
    .await;
    let first = root
        .query_selector("tbody tr td")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(first, "Down");
    assert!(root
        .text_content()
        .unwrap()
        .contains("Not available for this SKU"));
}

#[wasm_bindgen_test]
async fn the_overview_stops_when_asked() {
    let root = host();
    let _h = overview(&root, 2_000, false);
    until(&root, "the first verdicts", |r| {
        let s = status(r);
        s.starts_with("Checked ") && !s.starts_with("Checked 0 ") && !s.starts_with("Checked all")
    })
    .await;
    let stop: HtmlElement = root
        .query_selector("[role=status] button")
        .unwrap()
        .unwrap()
        .unchecked_into();
    stop.click();
    until(&root, "the stop", |r| status(r).starts_with("Stopped")).await;
    let at_stop = status(&root);
    gloo_timers::future::sleep(Duration::from_millis(300)).await;
    assert_eq!(status(&root), at_stop, "nothing more is checked after Stop");
}
