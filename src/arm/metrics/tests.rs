use std::rc::Rc;

use super::*;
use crate::http::testing::Scripted;
use crate::http::{Response, TransportError};

const LB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

fn lb() -> LoadBalancerId {
    LoadBalancerId::parse(LB).unwrap()
}

fn client(answers: Vec<Result<Response, TransportError>>) -> (ArmClient, Rc<Scripted>) {
    crate::arm::testing::scripted_client(answers)
}

#[allow(clippy::result_large_err)] // ArmError is the app's one error type
fn read(c: &ArmClient, q: &MetricsQuery) -> Result<MetricsAnswer, ArmError> {
    pollster::block_on(fetch(c, &lb(), q, &Cancel::default(), &|_| {}))
}

fn query_of(url: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
        .into_owned()
        .collect()
}

fn param(url: &str, name: &str) -> Option<String> {
    query_of(url)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

#[test]
fn a_rule_query_names_every_backend_its_ports_and_frontend() {
    let q = MetricsQuery::rule(
        8080,
        80,
        Some("10.3.0.100"),
        Window::Day,
        Some(parse_time("2026-12-03T15:00:00Z").unwrap()),
    );
    let url = q.path_and_query(&lb());
    assert!(
        url.starts_with(&format!(
            "{LB}/providers/Microsoft.Insights/metrics?api-version=2023-10-01&"
        )),
        "{url}"
    );
    assert_eq!(
        param(&url, "metricnames").as_deref(),
        Some("DipAvailability")
    );
    assert_eq!(param(&url, "aggregation").as_deref(), Some("Average"));
    assert_eq!(param(&url, "interval").as_deref(), Some("PT5M"));
    assert_eq!(
        param(&url, "timespan").as_deref(),
        Some("2026-12-02T15:00:00Z/2026-12-03T15:00:00Z")
    );
    assert_eq!(
        param(&url, "$filter").as_deref(),
        Some("BackendIPAddress eq '*' and BackendPort eq '8080' and FrontendIPAddress eq '10.3.0.100' and FrontendPort eq '80'")
    );
    // Azure's default is 10 series: without `top` a rule of 11 backends loses one.
    assert_eq!(param(&url, "top").as_deref(), Some("1001"));
    assert!(!url.contains(' ') && !url.contains('\''), "encoded: {url}");
}

#[test]
fn windows_have_sensible_intervals_and_a_duration_without_an_end() {
    let points: Vec<i64> = Window::CHOICES
        .iter()
        .map(|w| w.seconds() / w.interval_seconds())
        .collect();
    assert_eq!(points, [60, 288, 168]);
    for w in Window::CHOICES.into_iter().chain([Window::Recent]) {
        assert_eq!(parse_duration(w.duration()), Some(w.seconds()), "{w:?}");
        assert_eq!(
            parse_duration(w.interval()),
            Some(w.interval_seconds()),
            "{w:?}"
        );
    }
    let q = MetricsQuery::estate(None);
    assert_eq!(q.timespan(), "PT15M");
    assert_eq!(q.filter(), "BackendIPAddress eq '*'");
    assert_eq!(
        MetricsQuery::data_path(Window::Day, None).filter(),
        "FrontendIPAddress eq '*' and FrontendPort eq '*'"
    );
    assert_eq!(
        param(
            &MetricsQuery::data_path(Window::Day, None).path_and_query(&lb()),
            "metricnames"
        )
        .as_deref(),
        Some("VipAvailability")
    );
}

#[test]
fn a_frontend_that_is_not_an_ip_is_left_out_of_the_filter() {
    for bad in ["x' or '1' eq '1", "fe-public", "", "1.2.3.4 '"] {
        let q = MetricsQuery::rule(80, 80, Some(bad), Window::Hour, None);
        assert_eq!(q.frontend_ip(), None, "{bad:?}");
        assert_eq!(
            q.filter(),
            "BackendIPAddress eq '*' and BackendPort eq '80' and FrontendPort eq '80'"
        );
    }
    assert_eq!(
        MetricsQuery::rule(80, 80, Some("fd00::1"), Window::Hour, None).frontend_ip(),
        Some("fd00::1")
    );
}

const ANSWER: &str = r#"{
  "cost": 0, "timespan": "2026-12-03T14:00:00Z/2026-12-03T15:00:00Z", "interval": "PT1M",
  "value": [{
    "id": "x", "type": "Microsoft.Insights/metrics",
    "name": {"value": "DipAvailability", "localizedValue": "Health Probe Status"},
    "unit": "Percent", "errorCode": "Success",
    "timeseries": [
      {"metadatavalues": [{"name": {"value": "backendipaddress", "localizedValue": "BackendIPAddress"}, "value": "10.0.2.4"}],
       "data": [{"timeStamp": "2026-12-03T14:01:00Z", "average": 0}, {"timeStamp": "2026-12-03T14:00:00Z", "average": 100.0}, {"timeStamp": "bad"}]},
      {"metadatavalues": null, "data": [{"timeStamp": "2026-12-03T14:00:00.0000000Z", "average": null}, {"timeStamp": "2026-12-03T14:01:00+01:00", "average": "50"}]},
      {"data": null},
      "not a series"
    ]
  }],
  "namespace": "Microsoft.Network/loadBalancers", "resourceregion": "eastus"
}"#;

#[test]
fn the_answer_reads_leniently() {
    let a = MetricsAnswer::parse(ANSWER, Metric::HealthProbe).unwrap();
    assert_eq!(a.start_s, parse_time("2026-12-03T14:00:00Z"));
    assert_eq!(a.end_s, parse_time("2026-12-03T15:00:00Z"));
    assert_eq!(a.interval_s, 60);
    assert_eq!(
        a.series.len(),
        3,
        "the string item is dropped, the empty series kept"
    );
    assert!(!a.truncated);
    let s = &a.series[0];
    assert_eq!(s.dimension("BackendIPAddress"), Some("10.0.2.4"));
    let t0 = parse_time("2026-12-03T14:00:00Z").unwrap();
    assert_eq!(
        s.points,
        vec![
            Point {
                t: t0,
                value: Some(100.0)
            },
            Point {
                t: t0 + 60,
                value: Some(0.0)
            }
        ],
        "sorted, unreadable time dropped"
    );
    assert_eq!(
        a.series[1].points,
        vec![
            Point {
                t: t0 - 3540,
                value: Some(50.0)
            },
            Point { t: t0, value: None }
        ]
    );
    assert!(a.series[2].points.is_empty());
    for odd in [
        "{}",
        "null",
        r#"{"value":null}"#,
        r#"{"value":[{"name":null,"timeseries":null}]}"#,
        r#"{"value":[{"name":{"value":"Other"}}]}"#,
    ] {
        let a = MetricsAnswer::parse(odd, Metric::HealthProbe).unwrap();
        assert!(a.series.is_empty(), "{odd}");
    }
    assert!(matches!(
        MetricsAnswer::parse("<html>", Metric::HealthProbe),
        Err(AnswerError::Unreadable(_))
    ));
}

#[test]
fn more_series_than_the_limit_are_cut_and_said() {
    let series: Vec<String> = (0..=SERIES_LIMIT)
        .map(|i| format!(r#"{{"metadatavalues":[{{"name":{{"value":"BackendIPAddress"}},"value":"10.{}.{}.4"}}],"data":[]}}"#, i / 250, i % 250))
        .collect();
    let body = format!(
        r#"{{"timespan":"PT1H","value":[{{"name":{{"value":"DipAvailability"}},"timeseries":[{}]}}]}}"#,
        series.join(",")
    );
    let a = MetricsAnswer::parse(&body, Metric::HealthProbe).unwrap();
    assert!(a.truncated);
    assert_eq!(a.series.len(), SERIES_LIMIT);
    let exact = format!(
        r#"{{"value":[{{"timeseries":[{}]}}]}}"#,
        series[..SERIES_LIMIT].join(",")
    );
    assert!(
        !MetricsAnswer::parse(&exact, Metric::HealthProbe)
            .unwrap()
            .truncated
    );
}

#[test]
fn a_failed_metric_inside_a_200_is_an_error() {
    let body = r#"{"value":[{"name":{"value":"DipAvailability"},"timeseries":[],"errorCode":"InvalidSamplingType","errorMessage":"Sampling type is not found."}]}"#;
    let (c, _) = client(vec![Ok(Response::new(200, body))]);
    let e = read(&c, &MetricsQuery::estate(None)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Malformed);
    assert_eq!(e.code.as_deref(), Some("InvalidSamplingType"));
    assert!(
        e.message.contains("Sampling type is not found."),
        "{}",
        e.message
    );
}

#[test]
fn fetch_sends_the_token_to_arm_and_reads_the_series() {
    let (c, t) = client(vec![Ok(Response::new(200, ANSWER)
        .with_header("x-ms-ratelimit-remaining-subscription-reads", "11999"))]);
    let a = read(&c, &MetricsQuery::rule(80, 80, None, Window::Hour, None)).unwrap();
    assert_eq!(a.series.len(), 3);
    assert_eq!(a.remaining_reads, Some(11_999));
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 1);
    assert!(sent[0]
        .url
        .starts_with("https://management.azure.com/subscriptions/"));
    assert_eq!(sent[0].header("Authorization"), Some("Bearer secret-token"));
}

#[test]
fn forbidden_names_the_metrics_permission_and_a_role() {
    let body = r#"{"error":{"code":"AuthorizationFailed","message":"The client 'u' does not have authorization to perform action 'Microsoft.Insights/metrics/read' over scope 'x'."}}"#;
    let bare = r#"{"error":{"code":"AuthorizationFailed","message":"Forbidden."}}"#;
    for b in [body, bare] {
        let (c, _) = client(vec![Ok(Response::new(403, b))]);
        let e = read(&c, &MetricsQuery::estate(None)).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Forbidden {
                action: Some(METRICS_READ.into())
            }
        );
        assert!(
            e.message.contains("Microsoft.Insights/metrics/read")
                && e.message.contains("Monitoring Reader"),
            "{}",
            e.message
        );
        assert_eq!(e.code.as_deref(), Some("AuthorizationFailed"));
    }
}

#[test]
fn throttling_waits_then_reads() {
    let (c, t) = client(vec![
        Ok(Response::new(
            429,
            r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
        )
        .with_header("Retry-After", "3")),
        Ok(Response::new(200, ANSWER)),
    ]);
    let waits = std::cell::RefCell::new(Vec::new());
    let a = pollster::block_on(fetch(
        &c,
        &lb(),
        &MetricsQuery::estate(None),
        &Cancel::default(),
        &|p| {
            if let Progress::Waiting { ms, .. } = p {
                waits.borrow_mut().push(ms)
            }
        },
    ))
    .unwrap();
    assert_eq!(a.series.len(), 3);
    assert_eq!(*waits.borrow(), vec![3000]);
    assert_eq!(t.sent.borrow().len(), 2);
}

#[test]
fn times_and_durations_read_and_write_back() {
    for s in [
        "1970-01-01T00:00:00Z",
        "2026-12-03T14:05:00Z",
        "2000-02-29T23:59:59Z",
        "2100-03-01T00:00:00Z",
    ] {
        assert_eq!(format_time(parse_time(s).unwrap()), s);
    }
    assert_eq!(parse_time("2026-12-03T14:05:00Z"), Some(1_796_306_700));
    assert_eq!(
        parse_time("2026-12-03T16:05:00+02:00"),
        parse_time("2026-12-03T14:05:00Z")
    );
    assert_eq!(
        parse_time("2026-12-03T14:05:30.9999Z"),
        parse_time("2026-12-03T14:05:30Z")
    );
    for bad in [
        "",
        "2026-13-01T00:00:00Z",
        "2026-12-03",
        "x-y-zT1:2:3Z",
        "2026-12-03T25:00:00Z",
    ] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
    assert_eq!(parse_duration("PT1H30M"), Some(5400));
    assert_eq!(parse_duration("P1DT1S"), Some(86_401));
    for bad in ["FULL", "", "P", "PT", "5M", "PT5X"] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}
