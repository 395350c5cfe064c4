//! The fault matrix (docs/reliability.md): each fault of the fake Azure server met by the
//! panel's own health operation (aimed at rule-http's check, so the rules list never meets
//! it). For each: a specific message or a new result, no panic, polling bounded and paced
//! as promised (measured on fake-azure's request log), and the user's place kept.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use fake_azure::{Fault, Options};
use support::live::{
    assert_wait, compress_long_timers, fresh_result, health_requests, is_health, long_timers,
    open_lb_web, panel_check, panel_gaps, policy_waits, refresh_with, signed_in, took_secs, Live,
};

fn no_panic(live: &Live) {
    support::assert_no_panic(&live.b);
}

const S: fn(u64) -> Duration = Duration::from_millis;

#[test]
fn token_expiring_during_a_poll_asks_for_a_new_one_in_place() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::ExpireDuringPoll);
    live.b.wait_until("the expiry message", || {
        panel.text().contains("Your sign-in has expired")
    });
    live.azure.set_fault(Fault::None);
    panel
        .by_role("textbox", "Access token for Azure Resource Manager")
        .send_keys(&live.token);
    panel.by_role("button", "Use this token").click();
    fresh_result(&live, &panel, Duration::from_secs(15));
    no_panic(&live);
}

#[test]
fn an_operation_that_never_finishes_keeps_counting_and_close_stops_it() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::NeverFinishes);
    live.b.set_timeout(Duration::from_secs(20));
    live.b.wait_until("several checks", || {
        panel.text().contains("(check 4)") || panel.text().contains("(check 5)")
    });
    live.b.set_timeout(Duration::from_secs(10));
    panel.by_role("button", "Close").click();
    live.b
        .wait_gone("dialog", "Load balancing rule health status");
    // Retry-After is 1 s: three quiet seconds on fake-azure's clock mean it stopped.
    let late = live.azure.watch(Duration::from_secs(3), is_health);
    assert!(late.is_empty(), "health requests after Close: {late:?}");
    no_panic(&live);
}

#[test]
fn odd_retry_after_values_neither_hammer_nor_stall() {
    // With one pending poll the panel polls at once after the POST's 202, as the SDKs
    // do, then waits as the poll's 202 says: "0" and "-5" are floored at 1 s, "soon"
    // falls back to our backoff, and a huge value is capped at 120 s (seen through the
    // page's timers, run 100 times faster, rather than waited for).
    for value in ["0", "-5", "soon", "999999"] {
        // Then 1 s, 1 s, our backoff, 120 s (see docs/reliability.md).
        let waits = policy_waits(Some(value), 1);
        let live = signed_in(Options {
            pending_polls: 1,
            retry_after: Some(value.into()),
            ..Options::default()
        });
        compress_long_timers(&live.b);
        open_lb_web(&live.b);
        let panel = refresh_with(&live, Fault::None);
        live.b.set_timeout(Duration::from_secs(20));
        live.b.wait_until("the panel's two polls", || {
            panel_check(&live.azure).1.len() >= 2
        });
        live.b.set_timeout(Duration::from_secs(10));
        let gaps = panel_gaps(&live.azure);
        assert_eq!(
            gaps.len(),
            2,
            "Retry-After {value}: one pending poll and the result, no more: {gaps:?}; health traffic: {:?}",
            live.azure
                .requests()
                .iter()
                .filter(|r| is_health(r))
                .map(|r| (r.at, &r.method, live.azure.checked_by(&r.path_and_query)))
                .collect::<Vec<_>>()
        );
        let floored = matches!(value, "0" | "-5");
        assert!(
            !floored || waits == [0, 1000],
            "the policy floors Retry-After {value} at 1 s: {waits:?}"
        );
        if value == "999999" {
            assert_eq!(waits, [0, 120_000], "the policy caps Retry-After at 120 s");
            // The list's two checks and the panel's each asked for one capped wait; the
            // panel's is asked once its poll's answer is read, which may come after the
            // poll shows in the server's log.
            live.b.wait_until("three capped waits asked", || {
                long_timers(&live.b).len() >= 3
            });
            let asked = long_timers(&live.b);
            assert_eq!(
                asked, [120_000; 3],
                "Retry-After {value}: the waits asked of the browser"
            );
            for ((gap, want), n) in gaps.iter().zip([0, 1200]).zip(1..) {
                assert_wait(
                    *gap,
                    S(want),
                    &format!("Retry-After {value}, wait {n} (120 s at 100x)"),
                );
            }
        } else {
            assert_eq!(
                long_timers(&live.b),
                Vec::<u64>::new(),
                "Retry-After {value}: no long waits"
            );
            for ((gap, want), n) in gaps.iter().zip(waits).zip(1..) {
                assert_wait(*gap, S(want), &format!("Retry-After {value}, wait {n}"));
            }
        }
        fresh_result(&live, &panel, Duration::from_secs(20));
        no_panic(&live);
    }
}

#[test]
fn hidden_retry_after_falls_back_to_our_backoff() {
    // Retry-After is 1 s, but hidden from the page by CORS: the panel must wait as our
    // policy does when Azure names no wait, not 1 s.
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::HiddenRetryAfter);
    fresh_result(&live, &panel, Duration::from_secs(30));
    let gaps = panel_gaps(&live.azure);
    assert_eq!(gaps.len(), 3, "two pending polls and the result: {gaps:?}");
    let waits = policy_waits(None, 2);
    assert_ne!(
        waits,
        policy_waits(Some("1"), 2),
        "the test tells the two apart"
    );
    for ((gap, want), n) in gaps.iter().zip(waits).zip(1..) {
        assert_wait(*gap, S(want), &format!("wait {n}"));
    }
    no_panic(&live);
}

#[test]
fn an_empty_200_is_named() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::EmptyBody200);
    live.b.wait_until("the message", || {
        panel
            .text()
            .contains("Azure finished the health operation but sent an empty result")
    });
    panel.by_role("button", "Retry");
    no_panic(&live);
}

#[test]
fn duplicate_backends_are_flagged() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::DuplicateBackends);
    live.b.wait_until("the duplicate note", || {
        panel
            .text()
            .contains("Azure listed 9 backend(s) more than once")
    });
    no_panic(&live);
}

#[test]
fn ten_megabytes_of_json_render_a_page_at_a_time() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::HugeResult);
    live.b.set_timeout(Duration::from_secs(60));
    live.b.wait_until("60,000 rows paged", || {
        panel.text().contains("Showing 1–100 of 60000")
    });
    live.b.set_timeout(Duration::from_secs(10));
    no_panic(&live);
}

#[test]
fn a_connection_dropped_mid_body_is_retried_then_named() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::DropMidBody);
    live.b.set_timeout(Duration::from_secs(30));
    live.b.wait_until("the message", || {
        panel.text().contains("Azure could not be reached")
    });
    live.b.set_timeout(Duration::from_secs(10));
    // Two pending polls (the first at once, as the Azure SDKs poll, the second 1 s later
    // as Retry-After says), then the result's poll 1 s later, dropped each time: sent once
    // and retried 3 times (max_transient_retries), the first at once (as the Azure SDKs
    // do), then after our backoff of 2 and 4 s. No fifth try.
    // `panel_gaps` leaves out gaps under 100 ms (a browser may resend on a dropped
    // connection by itself), so the retry at once is counted from the raw log.
    let gaps = panel_gaps(&live.azure);
    assert_eq!(gaps.len(), 2 + 3, "polls of the panel's check: {gaps:?}");
    for ((gap, want), n) in gaps.iter().zip([0, 1000, 1000, 2000, 4000]).zip(1..) {
        assert_wait(*gap, S(want), &format!("wait {n}"));
    }
    let (_, polls) = support::live::panel_check(&live.azure);
    let dropped_and_retried = polls.len() - 2;
    assert!(
        dropped_and_retried >= 4,
        "the dropped poll and three retries, one of them at once: {polls:?}"
    );
    live.azure.set_fault(Fault::None);
    panel.by_role("button", "Retry").click();
    fresh_result(&live, &panel, Duration::from_secs(15));
    no_panic(&live);
}

#[test]
fn unknown_codes_and_empty_values_render_as_rows() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::OddReasons);
    live.b.wait_until("the odd rows", || {
        panel.text().contains("Up_Probe_SomethingNew")
    });
    let text = panel.text();
    // docs/reliability.md promises these words for codes the catalog does not know.
    assert!(
        text.contains("Unrecognised reason code \"Up_Probe_SomethingNew\""),
        "{text}"
    );
    assert!(
        text.contains("Unrecognised reason code \"Degraded_Probe_Wobbly\""),
        "{text}"
    );
    assert!(text.contains("Health status not retrievable"), "{text}");
    no_panic(&live);
}

#[test]
fn a_slow_azure_still_answers() {
    let live = signed_in(Options::default());
    open_lb_web(&live.b);
    let panel = refresh_with(&live, Fault::Slow { ms: 1500 });
    let line = fresh_result(&live, &panel, Duration::from_secs(25));
    // The POST and three polls, each answered 1.5 s late, plus two 1 s waits.
    let took = took_secs(&line);
    assert!(
        took >= 4.0 * 1.5 + 2.0,
        "the check waited for every slow answer: {line}"
    );
    assert_eq!(
        health_requests(&live.azure).0,
        3,
        "the list's two checks and the panel's one"
    );
    no_panic(&live);
}
