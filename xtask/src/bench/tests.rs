use super::*;
use std::time::Duration;

#[test]
fn medians_and_spread() {
    assert_eq!(stats(&[3.0, 1.0, 2.0]), Some((2.0, 1.0, 3.0)));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(spread(&[]), "n/a");
    assert_eq!(spread(&[120.0, 100.0, 140.0]), "120 ms (100–140 ms, n=3)");
}

#[test]
fn reads_status_headers_and_body_and_serves_the_baseline() {
    let dir = testkit::wire::TempDir::new("lbh-bench-test").unwrap();
    let (app, baseline) = (dir.path().join("app"), dir.path().join("baseline"));
    std::fs::create_dir_all(&app).unwrap();
    std::fs::create_dir_all(&baseline).unwrap();
    std::fs::write(app.join("index.html"), "<p>app</p>").unwrap();
    std::fs::write(baseline.join("index.html"), "<p>baseline</p>").unwrap();
    let www = Www::start(&app, &baseline).unwrap();
    www.set_config(serde_json::json!({ "demo": {} }));
    let get = |path: &str| {
        let url = format!("{}{path}", www.url());
        http("GET", &url, &[], None, Duration::from_secs(10)).unwrap()
    };
    let r = get("config.json");
    assert_eq!(
        (r.status, r.header("content-type"), r.body.as_slice()),
        (200, Some("application/json"), &br#"{"demo":{}}"#[..])
    );
    assert_eq!(get("baseline/?n=5").body, b"<p>baseline</p>");
    // As shipped: no test hook in the page.
    assert_eq!(get("").body, b"<p>app</p>");
    assert_eq!(get("missing.js").status, 404);
    assert_eq!(get("").header("cache-control"), Some("no-store"));

    // As GitHub Pages serves: gzip when asked, cacheable, config.json excepted.
    www.set_pages_like(true);
    let gz = [("Accept-Encoding", "gzip".to_string())];
    let get_gz = |path: &str| {
        let url = format!("{}{path}", www.url());
        http("GET", &url, &gz, None, Duration::from_secs(10)).unwrap()
    };
    let r = get_gz("");
    assert_eq!(
        (r.header("content-encoding"), r.header("cache-control")),
        (Some("gzip"), Some("max-age=600"))
    );
    let mut page = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&r.body[..]), &mut page)
        .unwrap();
    assert_eq!(page, "<p>app</p>");
    let r = get_gz("config.json");
    assert_eq!(
        (r.header("content-encoding"), r.header("cache-control")),
        (None, Some("no-store"))
    );
    assert_eq!(get("").body, b"<p>app</p>");
}

#[test]
fn counts_requests_by_kind() {
    let l = |m: &str, p: &str| LogLine {
        method: m.into(),
        path: p.into(),
    };
    let c = count(&[
            l("OPTIONS", "/x/health"),
            l("POST", "/subscriptions/s/.../loadBalancingRules/r/health?api-version=1"),
            l("GET", "/subscriptions/s/providers/Microsoft.Network/locations/l/operationResults/o?api-version=1"),
            l("GET", "/subscriptions?api-version=1"),
        ]);
    assert_eq!(
        (c.preflights, c.posts, c.polls, c.gets, c.other),
        (1, 1, 1, 1, 0)
    );
}

#[test]
fn table_is_aligned_markdown() {
    let mut r = Report::default();
    r.row("Bundle", "a|b", "1 KB").target = "≤150 KB".into();
    let t = r.table();
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[2].contains("a\\|b"), "{t}");
    let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    assert!(widths.iter().all(|w| *w == widths[0]), "{t}");
}

#[test]
fn thousands_separators() {
    assert_eq!(thousands(5000), "5,000");
    assert_eq!(thousands(20000), "20,000");
    assert_eq!(thousands(999), "999");
}

#[test]
fn soak_growth_is_relative_to_the_early_reading() {
    assert_eq!(growth(100.0, 110.0), 0.1);
    assert_eq!(percent(growth(100.0, 110.0)), "+10.0%");
    assert_eq!(percent(growth(200.0, 190.0)), "-5.0%");
    // No early figure: no ratio, not a division by zero passed off as growth.
    assert!(growth(0.0, 5.0).is_nan());
    assert_eq!(percent(f64::NAN), "n/a");
}

#[test]
fn the_panels_own_time_is_read_from_its_checked_line() {
    assert_eq!(
        took("Checked at 4:03:09 AM · took 2.0 s · 3 status checks"),
        Some(2.0)
    );
    assert_eq!(
        took("Checked at 4:03:09 AM · took 12.4 s · 1 status check"),
        Some(12.4)
    );
    assert_eq!(took("Checked at 4:03:09 AM"), None);
}

#[test]
fn sdk_scenarios_are_the_four_the_issue_names_and_one_timed_as_arm() {
    let all = scenarios();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].opts.retry_after, None);
    assert_eq!(all[1].opts.retry_after.as_deref(), Some("1"));
    // The POST's 202 plus two pending polls: three answers with Retry-After: 1.
    assert_eq!(all[1].opts.pending_polls, 2);
    // Ends after a time, not a number of polls.
    assert_eq!(all[2].opts.pending_polls, 0);
    assert_eq!(
        all[2].opts.pending_for,
        Some(std::time::Duration::from_secs(2))
    );
    assert_eq!(all[2].opts.retry_after.as_deref(), Some("1"));
    assert!(all[2].fault.is_none());
    assert!(matches!(
        all[3].fault,
        Some(fake_azure::Fault::Throttle {
            times: 1,
            retry_after: 2
        })
    ));
    assert!(matches!(
        all[4].fault,
        Some(fake_azure::Fault::ServerError {
            times: 1,
            status: 503
        })
    ));
}

#[test]
fn reads_the_estate_status_line() {
    let running = "Checked 120 of 2006 load balancers (8 requests in flight)";
    assert_eq!(in_flight(running), Some(8));
    assert_eq!(
        in_flight("Checked 0 of 2006 load balancers (1 request in flight)"),
        Some(1)
    );
    assert_eq!(in_flight(running).and(all_checked(running)), None);
    assert_eq!(
        in_flight("Checked 5 of 9; Azure asked to slow down, waiting 3 s"),
        None
    );
    assert_eq!(all_checked("Checked all 2006 load balancers"), Some(2006));
    assert_eq!(all_checked("Checked all 2,006 load balancers"), Some(2006));
    assert_eq!(in_flight("Checked all 2006 load balancers"), None);
    assert_eq!(all_checked("Stopped: 5 of 9 load balancers checked"), None);
}

#[test]
fn longest_event_within_a_window_and_request_kinds() {
    let ev = [(100.0, 80.0), (500.0, 40.0), (900.0, 60.0), (1500.0, 200.0)];
    assert_eq!(longest_within(&ev, 400.0, 1000.0), Some(60.0));
    assert_eq!(longest_within(&ev, 1600.0, 2000.0), None);
    let reqs = [
        ("POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"),
        ("OPTIONS", "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"),
        ("GET", "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/loadBalancers/a/providers/microsoft.insights/metrics?x"),
        ("GET", "/subscriptions?api-version=2022-12-01"),
    ];
    assert_eq!(kinds(reqs), (1, 1, 2));
}
