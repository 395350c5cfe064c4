use super::*;

#[test]
fn medians_and_spread() {
    assert_eq!(stats(&[3.0, 1.0, 2.0]), Some((2.0, 1.0, 3.0)));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(spread(&[]), "n/a");
    assert_eq!(spread(&[120.0, 100.0, 140.0]), "120 ms (100–140 ms, n=3)");
}

#[test]
fn parses_chunked_and_sized_responses() {
    let r = parse_response(b"HTTP/1.1 202 Accepted\r\nLocation: http://x/op\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
    assert_eq!(
        (r.status, r.header("location"), r.body.as_slice()),
        (202, Some("http://x/op"), &b"abcde"[..])
    );
    let r = parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").unwrap();
    assert_eq!(r.body, b"{}");
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
