//! The fault matrix (docs/reliability.md): each fault of the fake Azure server met by the
//! panel's own health operation. For each: a specific message or a correct result, no
//! panic, no unbounded polling, and the user's place kept.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use fake_azure::{Fault, Options};
use support::live::{health_requests, open_lb_web, refresh_with, signed_in, Live};

fn no_panic(live: &Live) {
    let errors = live.b.console_errors();
    assert!(!errors.iter().any(|e| e.contains("panicked") || e.contains("RuntimeError") || e.contains("unreachable")), "{errors:?}");
}

/// The panel shows a fresh result (not the list's) after the fault.
fn fresh_result(live: &Live, dialog: &support::Element, within: Duration) {
    live.b.set_timeout(within);
    live.b.wait_until("a fresh result", || {
        let t = dialog.text();
        t.contains("Checked at") && !t.contains("Asking Azure") && !t.contains("gathering backend health")
    });
    live.b.set_timeout(Duration::from_secs(10));
}

#[test]
fn token_expiring_during_a_poll_asks_for_a_new_one_in_place() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::ExpireDuringPoll);
    live.b.wait_until("the expiry message", || dialog.text().contains("Your sign-in has expired"));
    live.azure.set_fault(Fault::None);
    dialog.by_role("textbox", "Access token for Azure Resource Manager").send_keys(&live.token);
    dialog.by_role("button", "Use this token").click();
    fresh_result(&live, &dialog, Duration::from_secs(15));
    no_panic(&live);
}

#[test]
fn an_operation_that_never_finishes_keeps_counting_and_close_stops_it() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::NeverFinishes);
    live.b.set_timeout(Duration::from_secs(20));
    live.b.wait_until("several checks", || dialog.text().contains("(check 4)") || dialog.text().contains("(check 5)"));
    live.b.set_timeout(Duration::from_secs(10));
    dialog.by_role("button", "Close").click();
    live.b.wait_gone("dialog", "Load balancing rule health status");
    let after = health_requests(&live.azure);
    std::thread::sleep(Duration::from_millis(3000));
    assert_eq!(health_requests(&live.azure), after, "no poll after Close");
    no_panic(&live);
}

#[test]
fn odd_retry_after_values_neither_hammer_nor_stall() {
    // One pending poll each: "0" is floored at 1 s, "-5" and "soon" fall back to our
    // 2 s-doubling backoff, and a huge value is capped (at 120 s) rather than obeyed.
    for (value, max_polls_in_3s) in [("0", 2), ("-5", 2), ("soon", 2), ("999999", 0)] {
        let live = signed_in(Options { pending_polls: 1, retry_after: Some(value.into()), ..Options::default() });
        open_lb_web(&live.b);
        // Let the rules list finish its own checks, so the log holds only the panel's.
        // (With a huge Retry-After they wait two minutes, and poll nothing meanwhile.)
        if value != "999999" {
            live.b.set_timeout(Duration::from_secs(30));
            live.b.wait_until("the list's checks", || live.b.all_by_role("status").iter().any(|s| s.text().contains("2 of 2 rules checked")));
            live.b.set_timeout(Duration::from_secs(10));
        }
        live.b.by_role("button", "View details for rule-http").click();
        let dialog = live.b.by_role("dialog", "Load balancing rule health status");
        live.azure.clear_log();
        dialog.by_role("button", "Refresh").click();
        std::thread::sleep(Duration::from_millis(3000));
        let (_, polls) = health_requests(&live.azure);
        assert!(polls <= max_polls_in_3s, "Retry-After {value}: {polls} polls in 3 s");
        if value != "999999" {
            fresh_result(&live, &dialog, Duration::from_secs(20));
        } else {
            let t = dialog.text();
            assert!(t.contains("gathering backend health") || t.contains("Asking Azure"), "still waiting, visibly: {t}");
        }
        no_panic(&live);
    }
}

#[test]
fn hidden_retry_after_falls_back_to_our_backoff() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::HiddenRetryAfter);
    fresh_result(&live, &dialog, Duration::from_secs(20));
    no_panic(&live);
}

#[test]
fn an_empty_200_is_named() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::EmptyBody200);
    live.b.wait_until("the message", || dialog.text().contains("Azure finished the health operation but sent an empty result"));
    assert!(dialog.text().contains("Retry"));
    no_panic(&live);
}

#[test]
fn duplicate_backends_are_flagged() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::DuplicateBackends);
    live.b.wait_until("the duplicate note", || dialog.text().contains("Azure listed 9 backend(s) more than once"));
    no_panic(&live);
}

#[test]
fn ten_megabytes_of_json_render_a_page_at_a_time() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::HugeResult);
    live.b.set_timeout(Duration::from_secs(30));
    live.b.wait_until("60,000 rows paged", || dialog.text().contains("Showing 1–100 of 60000"));
    live.b.set_timeout(Duration::from_secs(10));
    no_panic(&live);
}

#[test]
fn a_connection_dropped_mid_body_is_retried_then_named() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::DropMidBody);
    live.b.set_timeout(Duration::from_secs(30));
    live.b.wait_until("the message", || dialog.text().contains("Azure could not be reached") || dialog.text().contains("Azure's answer could not be read"));
    live.b.set_timeout(Duration::from_secs(10));
    let (_, polls) = health_requests(&live.azure);
    assert!(polls <= 3 * 2 + 4 + 6, "bounded retries: {polls} polls");
    live.azure.set_fault(Fault::None);
    dialog.by_role("button", "Retry").click();
    fresh_result(&live, &dialog, Duration::from_secs(15));
    no_panic(&live);
}

#[test]
fn unknown_codes_and_empty_values_render_as_rows() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::OddReasons);
    live.b.wait_until("the odd rows", || dialog.text().contains("Up_Probe_SomethingNew"));
    let text = dialog.text();
    assert!(text.contains("Up_Probe_SomethingNew"), "{text}");
    assert!(text.contains("Health status not retrievable"), "{text}");
    no_panic(&live);
}

#[test]
fn a_slow_azure_still_answers() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let dialog = refresh_with(&live, Fault::Slow { ms: 1500 });
    fresh_result(&live, &dialog, Duration::from_secs(20));
    no_panic(&live);
}
