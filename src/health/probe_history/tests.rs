use super::*;
use crate::arm::metrics::{parse_time, Metric, Series};
use crate::health::catalog::explain;
use crate::health::history::History;
use crate::health::summary::Row;

fn t(s: &str) -> i64 {
    parse_time(&format!("2026-12-03T{s}:00Z")).unwrap()
}

/// A series of one backend from `(time, value)`, at one-minute... or any, interval.
fn series(ip: &str, points: &[(i64, Option<f64>)]) -> Series {
    Series {
        dimensions: vec![("backendipaddress".into(), ip.into())],
        points: points
            .iter()
            .map(|&(t, value)| Point { t, value })
            .collect(),
    }
}

fn answer(start: i64, end: i64, interval_s: i64, series: Vec<Series>) -> MetricsAnswer {
    MetricsAnswer {
        start_s: Some(start),
        end_s: Some(end),
        interval_s,
        series,
        truncated: false,
        remaining_reads: None,
    }
}

/// 24 h at 5 min ending 16:15: up until 14:05, down since.
fn went_down() -> SeriesHistory {
    let (start, end) = (t("16:15") - 86_400, t("16:15"));
    let pts: Vec<(i64, Option<f64>)> = (0..288)
        .map(|i| start + i * 300)
        .map(|p| (p, Some(if p < t("14:05") { 100.0 } else { 0.0 })))
        .collect();
    by_backend(
        &answer(start, end, 300, vec![series("10.0.2.6", &pts)]),
        Window::Day,
    )
    .remove(0)
}

#[test]
fn down_since_is_the_first_point_of_the_current_run() {
    let h = went_down();
    assert_eq!(
        h.current(),
        Some(Current {
            level: Level::Down,
            since: Some(t("14:05")),
            percent: 0.0
        })
    );
    assert_eq!(h.status(0).unwrap(), "Down since 14:05 (2 h 10 min)");
    assert_eq!(
        h.status(60).unwrap(),
        "Down since 15:05 (2 h 10 min)",
        "local time"
    );
    assert_eq!(h.changes(), 1);
    assert_eq!(h.describe(0), "100% until 14:05, 0% since");
}

#[test]
fn up_for_days_or_the_whole_window() {
    let end = t("12:00");
    let start = end - 7 * 86_400;
    let pts: Vec<(i64, Option<f64>)> = (0..168)
        .map(|i| start + i * 3600)
        .map(|p| (p, Some(if p < end - 3 * 86_400 { 0.0 } else { 100.0 })))
        .collect();
    let h = by_backend(
        &answer(start, end, 3600, vec![series("10.0.0.4", &pts)]),
        Window::Week,
    )
    .remove(0);
    assert_eq!(h.status(0).unwrap(), "Up for 3 days");
    assert_eq!(
        h.describe(0),
        "0% until 30 Nov 12:00, 100% since",
        "another day shows its date"
    );
    let steady: Vec<(i64, Option<f64>)> = (0..60)
        .map(|i| (end - 3600 + i * 60, Some(100.0)))
        .collect();
    let h = by_backend(
        &answer(end - 3600, end, 60, vec![series("10.0.0.4", &steady)]),
        Window::Hour,
    )
    .remove(0);
    assert_eq!(h.status(0).unwrap(), "Up for at least 1 h");
    assert_eq!(h.changes(), 0);
    assert_eq!(h.describe(0), "100% throughout the last 1 h");
}

#[test]
fn gaps_do_not_break_a_run_and_no_data_is_said() {
    let pts = [
        (t("14:00"), Some(100.0)),
        (t("14:01"), Some(0.0)),
        (t("14:02"), None),
        (t("14:03"), Some(0.0)),
        (t("14:04"), None),
    ];
    let h = by_backend(
        &answer(t("14:00"), t("14:05"), 60, vec![series("a", &pts)]),
        Window::Hour,
    )
    .remove(0);
    assert_eq!(h.current().unwrap().since, Some(t("14:01")));
    assert_eq!(h.changes(), 1);
    assert_eq!(
        h.describe(0),
        "100% until 14:01, 0% until 14:02, no data until 14:03, 0% since",
        "the latest empty minute is lag"
    );
    let empty = by_backend(
        &answer(
            t("13:05"),
            t("14:05"),
            60,
            vec![series("b", &[(t("14:00"), None)])],
        ),
        Window::Hour,
    )
    .remove(0);
    assert_eq!(empty.current(), None);
    assert_eq!(empty.status(0), None);
    assert_eq!(empty.describe(0), "No data in the last 1 h");
}

#[test]
fn a_flapping_backend_counts_its_changes_and_shows_its_latest_runs() {
    let pts: Vec<(i64, Option<f64>)> = (0..12)
        .map(|i| {
            (
                t("14:00") + i * 300,
                Some(if i % 2 == 0 { 100.0 } else { 0.0 }),
            )
        })
        .collect();
    let h = by_backend(
        &answer(t("14:00"), t("15:00"), 300, vec![series("f", &pts)]),
        Window::Hour,
    )
    .remove(0);
    assert_eq!(h.changes(), 11);
    assert_eq!(h.describe(0), "11 changes in the last 1 h; latest: 100% until 14:35, 0% until 14:40, 100% until 14:45, 0% until 14:50, 100% until 14:55, 0% since");
    let partial = by_backend(
        &answer(
            t("14:00"),
            t("14:10"),
            300,
            vec![series(
                "p",
                &[(t("14:00"), Some(100.0)), (t("14:05"), Some(40.0))],
            )],
        ),
        Window::Hour,
    )
    .remove(0);
    assert_eq!(partial.status(0).unwrap(), "Partly up since 14:05 (5 min)");
    assert_eq!(partial.describe(0), "100% until 14:05, 40% since");
}

#[test]
fn series_of_one_ip_are_averaged_and_backends_sorted() {
    let a = answer(
        t("14:00"),
        t("14:02"),
        60,
        vec![
            series("10.0.0.5", &[(t("14:00"), Some(100.0))]),
            series("10.0.0.4", &[(t("14:00"), Some(100.0)), (t("14:01"), None)]),
            series(
                "10.0.0.4",
                &[(t("14:00"), Some(0.0)), (t("14:01"), Some(0.0))],
            ),
        ],
    );
    let b = by_backend(&a, Window::Hour);
    assert_eq!(
        b.iter().map(|b| b.key.as_str()).collect::<Vec<_>>(),
        ["10.0.0.4", "10.0.0.5"]
    );
    assert_eq!(
        b[0].points,
        vec![
            Point {
                t: t("14:00"),
                value: Some(50.0)
            },
            Point {
                t: t("14:01"),
                value: Some(0.0)
            }
        ]
    );
}

fn row(code: &str) -> Row {
    let reason = explain(code, "", None);
    Row {
        instance: "vm-web-3".into(),
        ip: "10.0.2.6".into(),
        state: reason.state,
        reason: reason.into(),
    }
}

#[test]
fn the_sessions_own_checks_extend_the_history() {
    let mut watch = History::default();
    watch.record("15:59", &[row("Down_Probe_HttpStatusCodeError")]);
    watch.record_at(
        "16:20",
        t("16:20"),
        &[row("Down_Probe_HttpStatusCodeError")],
    );
    watch.record_at("16:25", t("16:25"), &[row("Up_Probe_Success")]);
    let seen = watch.observed(&row(""));
    assert_eq!(
        seen,
        vec![
            (t("16:20"), Some(State::Down)),
            (t("16:25"), Some(State::Up))
        ],
        "checks without a time are left out"
    );
    let mut h = went_down();
    h.merge_watch(&seen);
    assert_eq!(h.status(0).unwrap(), "Up for under a minute");
    assert_eq!(h.changes(), 2);
    assert_eq!(
        h.describe(0),
        "100% until 14:05, 0% until 16:25, 100% since"
    );
    // Checks before Azure's latest point add nothing.
    let mut h = went_down();
    h.merge_watch(&[
        (t("14:00"), Some(State::Up)),
        (t("16:30"), Some(State::Unknown)),
    ]);
    assert_eq!(h, went_down());
}

#[test]
fn spans_and_clocks_read_as_words() {
    let cases = [
        (30, "under a minute"),
        (45 * 60, "45 min"),
        (7200, "2 h"),
        (7800, "2 h 10 min"),
        (86_400 + 4 * 3600, "28 h"),
        (86_400, "24 h"),
        (11 * 3600 + 60, "11 h"),
        (3 * 86_400 + 7200, "3 days"),
    ];
    for (s, want) in cases {
        assert_eq!(span(s), want, "{s}");
    }
    assert_eq!(
        clock(t("23:30"), t("23:45"), 60),
        "00:30",
        "local midnight passed for both"
    );
    assert_eq!(clock(t("23:30"), t("23:45"), -60), "22:30");
    assert_eq!(clock(t("00:10") - 86_400, t("01:00"), 0), "2 Dec 00:10");
}

#[test]
fn every_absence_has_words_and_a_next_step() {
    let forbidden = ArmError {
        kind: ErrorKind::Forbidden { action: None },
        ..ArmError::new(ErrorKind::Rejected, "no")
    };
    let throttled = ArmError {
        retry_after_s: Some(30),
        ..ArmError::new(ErrorKind::Throttled, "slow")
    };
    assert_eq!(Absent::from_error(&forbidden), Absent::Forbidden);
    assert_eq!(
        Absent::from_error(&throttled),
        Absent::Throttled {
            retry_after_s: Some(30)
        }
    );
    assert!(matches!(
        Absent::from_error(&ArmError::new(ErrorKind::Server, "boom")),
        Absent::Failed { .. }
    ));
    assert_eq!(Absent::for_sku("Basic"), Some(Absent::BasicSku));
    assert_eq!(Absent::for_sku(" gateway "), Some(Absent::GatewaySku));
    assert_eq!(Absent::for_sku("Standard"), None);
    let probe = |a: &Absent| a.message(Metric::HealthProbe);
    assert!(
        probe(&Absent::Forbidden)
            .1
            .contains("Microsoft.Insights/metrics/read")
            && probe(&Absent::Forbidden).1.contains("Monitoring Reader")
    );
    assert!(probe(&Absent::Throttled {
        retry_after_s: Some(30)
    })
    .1
    .contains("30 s"));
    assert!(probe(&Absent::TooManySeries).0.contains("1000 backends"));
    let all = [
        Absent::BasicSku,
        Absent::GatewaySku,
        Absent::Forbidden,
        Absent::NoData,
        Absent::Throttled {
            retry_after_s: None,
        },
        Absent::Failed { detail: "x".into() },
        Absent::TooManySeries,
        Absent::Cancelled,
    ];
    for metric in [Metric::HealthProbe, Metric::DataPath] {
        let heads: std::collections::BTreeSet<String> =
            all.iter().map(|a| a.message(metric).0).collect();
        assert_eq!(heads.len(), all.len(), "each case reads differently");
        assert!(all.iter().all(|a| !a.message(metric).1.is_empty()));
    }
    // Each names what is missing: the data path's never says "probe".
    assert!(all.iter().all(|a| !a
        .message(Metric::DataPath)
        .0
        .to_lowercase()
        .contains("probe")));
    assert_eq!(
        Absent::BasicSku.message(Metric::DataPath).0,
        "No data path availability: Basic load balancers publish no metrics"
    );
}

#[test]
fn frontends_are_keyed_by_address_and_port() {
    let fe = |ip: &str, port: &str, v: f64| Series {
        dimensions: vec![
            ("frontendipaddress".into(), ip.into()),
            ("frontendport".into(), port.into()),
        ],
        points: vec![Point {
            t: 0,
            value: Some(v),
        }],
    };
    let a = answer(
        0,
        300,
        60,
        vec![
            fe("20.40.1.10", "80", 100.0),
            fe("2001:db8::1", "443", 0.0),
            fe("20.40.1.10", "443", 100.0),
        ],
    );
    let keys: Vec<String> = by_frontend(&a, Window::Day)
        .into_iter()
        .map(|h| h.key)
        .collect();
    assert_eq!(
        keys,
        ["20.40.1.10:443", "20.40.1.10:80", "[2001:db8::1]:443"]
    );
}

fn recent(values: &[Option<f64>]) -> MetricsAnswer {
    let s: Vec<Series> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            series(
                &format!("10.0.0.{i}"),
                &[(t("14:00"), Some(100.0)), (t("14:01"), *v)],
            )
        })
        .collect();
    answer(t("13:47"), t("14:02"), 60, s)
}

#[test]
fn verdicts_come_from_each_backends_latest_value() {
    assert_eq!(
        Verdict::from_answer(&recent(&[Some(100.0), Some(100.0)])),
        Verdict::Healthy
    );
    assert_eq!(
        Verdict::from_answer(&recent(&[Some(100.0), Some(50.0), Some(0.0)])),
        Verdict::Degraded { below: 2, of: 3 }
    );
    assert_eq!(
        Verdict::from_answer(&recent(&[Some(0.0), Some(0.0)])),
        Verdict::Down
    );
    assert_eq!(
        Verdict::from_answer(&recent(&[Some(0.0), None])),
        Verdict::Degraded { below: 1, of: 2 },
        "a gap keeps the last known value"
    );
    assert_eq!(
        Verdict::from_answer(&answer(0, 900, 60, vec![])),
        Verdict::NoData
    );
    assert_eq!(
        Verdict::from_answer(&answer(0, 900, 60, vec![series("a", &[(60, None)])])),
        Verdict::NoData
    );
    assert_eq!(Verdict::for_sku("Basic"), Some(Verdict::NotAvailable));
    assert_eq!(
        Verdict::Degraded { below: 1, of: 1 }.label(),
        "Degraded: 1 of 1 backend below 100%"
    );
}

fn lb(name: &str, sub: &str, rg: &str, tags: &[(&str, &str)]) -> EstateLoadBalancer {
    EstateLoadBalancer {
        name: name.into(),
        subscription_id: sub.into(),
        resource_group: rg.into(),
        location: "eastus".into(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..EstateLoadBalancer::default()
    }
}

#[test]
fn the_overview_orders_worst_first_and_filters() {
    let rows = vec![
        EstateRow {
            lb: lb("lb-ok", "s1", "rg-a", &[("team", "web")]),
            verdict: Verdict::Healthy,
        },
        EstateRow {
            lb: lb("lb-basic", "s1", "rg-a", &[]),
            verdict: Verdict::NotAvailable,
        },
        EstateRow {
            lb: lb("lb-some", "s2", "rg-b", &[("team", "data")]),
            verdict: Verdict::Degraded { below: 1, of: 4 },
        },
        EstateRow {
            lb: lb("lb-down", "s2", "rg-b", &[("env", "prod")]),
            verdict: Verdict::Down,
        },
        EstateRow {
            lb: lb("lb-many", "s1", "rg-b", &[]),
            verdict: Verdict::Degraded { below: 3, of: 4 },
        },
        EstateRow {
            lb: lb("lb-new", "s1", "rg-a", &[]),
            verdict: Verdict::NoData,
        },
        EstateRow {
            lb: lb("lb-403", "s1", "rg-a", &[]),
            verdict: Verdict::Unknown { why: "x".into() },
        },
        EstateRow {
            lb: lb("lb-wait", "s1", "rg-a", &[]),
            verdict: Verdict::Pending,
        },
    ];
    let names = |f: &EstateFilter| {
        worst_first(&rows, f)
            .into_iter()
            .map(|i| rows[i].lb.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&EstateFilter::default()),
        ["lb-down", "lb-many", "lb-some", "lb-403", "lb-new", "lb-basic", "lb-ok", "lb-wait"]
    );
    assert_eq!(
        names(&EstateFilter {
            subscription: "S2".into(),
            ..EstateFilter::default()
        }),
        ["lb-down", "lb-some"]
    );
    assert_eq!(
        names(&EstateFilter {
            resource_group: "rg-b".into(),
            subscription: "s1".into(),
            ..EstateFilter::default()
        }),
        ["lb-many"]
    );
    assert_eq!(
        names(&EstateFilter {
            tag: "team".into(),
            ..EstateFilter::default()
        }),
        ["lb-some", "lb-ok"]
    );
    assert_eq!(
        names(&EstateFilter {
            tag: "team = WEB".into(),
            ..EstateFilter::default()
        }),
        ["lb-ok"]
    );
    assert_eq!(
        names(&EstateFilter {
            text: "PROD".into(),
            ..EstateFilter::default()
        }),
        ["lb-down"],
        "tag values are searched"
    );
    assert_eq!(
        names(&EstateFilter {
            text: "basic".into(),
            ..EstateFilter::default()
        }),
        ["lb-basic"]
    );
}
