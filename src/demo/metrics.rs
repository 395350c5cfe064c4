//! Azure Monitor as the demo estate would report it: each backend's Health Probe Status
//! follows from its own health-check cycle (one definition, also served by fake-azure),
//! so the panel's history and its health check tell the same story. Up backends are at
//! 100%; a Down backend went down at a fixed time before "now" (its own, from its id);
//! a flapping backend (a cycle of several states) moves on every [`FLAP_S`]; `NA` never
//! reported; a stopped VM (empty state) stopped [`STOPPED_S`] ago.

use serde::Serialize;

use super::estate::{DemoBackend, Estate};
use crate::arm::metrics::{format_time, parse_duration, parse_time};
use crate::arm::model::LoadBalancer;

/// How long each state of a flapping backend's cycle lasts.
pub const FLAP_S: i64 = 20 * 60;
pub const STOPPED_S: i64 = 3 * 3600;
/// "Now" when the request names only a duration and the caller has no clock.
pub const DEMO_NOW: i64 = 1_796_313_600; // 2026-12-03T16:00:00Z

/// When a Down backend went down: 40 min to about 5 h before now, on a 5-minute mark.
pub fn down_for_s(b: &DemoBackend) -> i64 {
    let h = b.nic.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
        (h ^ u64::from(c)).wrapping_mul(0x100_0000_01b3)
    });
    40 * 60 + (h % 54) as i64 * 300
}

/// The backend's probe status at second `t`, given the current time.
pub fn probe_percent(b: &DemoBackend, t: i64, now: i64) -> Option<f64> {
    let pct = |state: &str| match state {
        "Up" => Some(100.0),
        "Down" => Some(0.0),
        _ => None,
    };
    match b.cycle.as_slice() {
        [] => None,
        [(_, "NA")] => None,
        [("", _)] => (t < now - STOPPED_S).then_some(100.0),
        [("Down", _)] => Some(if t < now - down_for_s(b) { 100.0 } else { 0.0 }),
        [(state, _)] => pct(state),
        cycle => pct(cycle[(t.div_euclid(FLAP_S)).rem_euclid(cycle.len() as i64) as usize].0),
    }
}

/// The mean of the per-minute samples in `[t, t + interval)` up to now; `None` if none.
fn mean(sample: impl Fn(i64) -> Option<f64>, t: i64, interval: i64, now: i64) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0u32);
    let mut m = t;
    while m < (t + interval).min(now) {
        if let Some(v) = sample(m) {
            sum += v;
            n += 1;
        }
        m += 60;
    }
    (n > 0).then(|| sum / f64::from(n))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    cost: u32,
    timespan: String,
    interval: String,
    value: Vec<MetricOut>,
    namespace: &'static str,
    resourceregion: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MetricOut {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    name: Name,
    unit: &'static str,
    timeseries: Vec<SeriesOut>,
    error_code: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Name {
    value: String,
    localized_value: String,
}

#[derive(Serialize)]
struct SeriesOut {
    metadatavalues: Vec<Meta>,
    data: Vec<PointOut>,
}

#[derive(Serialize)]
struct Meta {
    name: Name,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PointOut {
    time_stamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    average: Option<f64>,
}

/// An answer: status, ARM error code (for errors), body.
pub struct Served {
    pub status: u16,
    pub body: String,
}

fn served_error(status: u16, code: &str, message: &str) -> Served {
    Served {
        status,
        body: serde_json::json!({ "error": { "code": code, "message": message } }).to_string(),
    }
}

/// `GET {lb}/providers/Microsoft.Insights/metrics?...`: `lb_path` is the load balancer's
/// id (as requested), `query` the raw query string; `now` is used when the timespan is a
/// duration.
pub fn answer(estate: &Estate, lb_path: &str, raw_query: &str, now: i64) -> Served {
    let Some(lb) = estate.load_balancer(lb_path) else {
        return served_error(
            404,
            "ResourceNotFound",
            &format!("The Resource '{lb_path}' was not found."),
        );
    };
    let params: Vec<(String, String)> =
        form_urlencoded::parse(raw_query.trim_start_matches('?').as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    };
    let metric = get("metricnames").unwrap_or("");
    if !metric.eq_ignore_ascii_case("DipAvailability")
        && !metric.eq_ignore_ascii_case("VipAvailability")
    {
        return served_error(
            400,
            "BadRequest",
            &format!("Failed to find metric configuration for provider: Microsoft.Network, resource Type: loadBalancers, metric: {metric}, Valid metrics: VipAvailability,DipAvailability,ByteCount,PacketCount,SYNCount"),
        );
    }
    let interval = get("interval")
        .and_then(parse_duration)
        .unwrap_or(60)
        .max(60);
    let (start, end) = match get("timespan").map(|s| {
        s.split_once('/')
            .map(|(a, b)| (parse_time(a), parse_time(b)))
    }) {
        Some(Some((Some(a), Some(b)))) if a < b => (a, b),
        Some(None) | None => {
            let dur = get("timespan").and_then(parse_duration).unwrap_or(3600);
            (now - dur, now)
        }
        _ => return served_error(400, "BadRequest", "Invalid timespan."),
    };
    if (end - start) / interval > 50_000 {
        return served_error(
            400,
            "BadRequest",
            "The query would return too many data points; use a longer interval.",
        );
    }
    let filter = Filter::parse(get("$filter").unwrap_or(""));
    let top: usize = get("top").and_then(|v| v.parse().ok()).unwrap_or(10);
    let now = end;
    let first = start.div_euclid(interval) * interval;
    let times: Vec<i64> = (0..)
        .map(|i| first + i * interval)
        .take_while(|t| *t < end)
        .collect();
    let series = if lb.sku.name.eq_ignore_ascii_case("Basic") {
        Vec::new()
    } else if metric.eq_ignore_ascii_case("DipAvailability") {
        dip(estate, lb, &filter, &times, interval, now)
    } else {
        vip(estate, lb, &times, interval, now)
    };
    let metric_name = if metric.eq_ignore_ascii_case("DipAvailability") {
        "DipAvailability"
    } else {
        "VipAvailability"
    };
    let body = Answer {
        cost: times.len() as u32,
        timespan: format!("{}/{}", format_time(start), format_time(end)),
        interval: iso(interval),
        value: vec![MetricOut {
            id: format!(
                "{}/providers/Microsoft.Insights/metrics/{metric_name}",
                lb.id
            ),
            kind: "Microsoft.Insights/metrics",
            name: Name {
                value: metric_name.into(),
                localized_value: if metric_name == "DipAvailability" {
                    "Health Probe Status".into()
                } else {
                    "Data Path Availability".into()
                },
            },
            unit: "Percent",
            timeseries: series.into_iter().take(top).collect(),
            error_code: "Success",
        }],
        namespace: "Microsoft.Network/loadBalancers",
        resourceregion: lb.location.clone(),
    };
    Served {
        status: 200,
        body: serde_json::to_string(&body).unwrap_or_default(),
    }
}

fn iso(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("P{}D", s / 86_400),
        s if s % 3600 == 0 => format!("PT{}H", s / 3600),
        s => format!("PT{}M", s / 60),
    }
}

/// The dimensions a request filtered on: `Some(None)` is `eq '*'`.
#[derive(Default)]
struct Filter {
    backend_ip: Option<Option<String>>,
    backend_port: Option<u16>,
    frontend_port: Option<u16>,
}

impl Filter {
    fn parse(f: &str) -> Filter {
        let mut out = Filter::default();
        for clause in f.split(" and ") {
            let Some((name, value)) = clause.split_once(" eq ") else {
                continue;
            };
            let value = value.trim().trim_matches('\'');
            let any = value == "*";
            match name.trim().to_ascii_lowercase().as_str() {
                "backendipaddress" => out.backend_ip = Some((!any).then(|| value.to_owned())),
                "backendport" => out.backend_port = value.parse().ok(),
                "frontendport" => out.frontend_port = value.parse().ok(),
                _ => {}
            }
        }
        out
    }
}

fn meta(name: &str, value: &str) -> Meta {
    Meta {
        name: Name {
            value: name.to_ascii_lowercase(),
            localized_value: name.into(),
        },
        value: value.into(),
    }
}

/// The backends of the rules the filter selects, each once.
fn backends<'a>(estate: &'a Estate, lb: &LoadBalancer, f: &Filter) -> Vec<&'a DemoBackend> {
    let mut out: Vec<&DemoBackend> = Vec::new();
    for rule in &lb.properties.load_balancing_rules {
        let p = &rule.properties;
        if f.backend_port.is_some_and(|port| port != p.backend_port)
            || f.frontend_port.is_some_and(|port| port != p.frontend_port)
        {
            continue;
        }
        for b in estate
            .rule(&rule.id)
            .map(|r| r.backends.as_slice())
            .unwrap_or_default()
        {
            if !out.iter().any(|o| o.ip == b.ip) {
                out.push(b);
            }
        }
    }
    out.sort_by(|a, b| a.ip.cmp(&b.ip));
    out
}

fn dip(
    estate: &Estate,
    lb: &LoadBalancer,
    f: &Filter,
    times: &[i64],
    interval: i64,
    now: i64,
) -> Vec<SeriesOut> {
    let all = backends(estate, lb, f);
    let points = |sample: &dyn Fn(i64) -> Option<f64>| -> Vec<PointOut> {
        times
            .iter()
            .map(|&t| PointOut {
                time_stamp: format_time(t),
                average: mean(sample, t, interval, now),
            })
            .collect()
    };
    match &f.backend_ip {
        Some(None) => all
            .iter()
            .map(|b| SeriesOut {
                metadatavalues: vec![meta("BackendIPAddress", &b.ip)],
                data: points(&|m| probe_percent(b, m, now)),
            })
            .collect(),
        Some(Some(ip)) => all
            .iter()
            .filter(|b| b.ip == *ip)
            .map(|b| SeriesOut {
                metadatavalues: vec![meta("BackendIPAddress", &b.ip)],
                data: points(&|m| probe_percent(b, m, now)),
            })
            .collect(),
        // Not split by backend: Azure averages over them.
        None if all.is_empty() => Vec::new(),
        None => vec![SeriesOut {
            metadatavalues: Vec::new(),
            data: points(&|m| {
                let v: Vec<f64> = all
                    .iter()
                    .filter_map(|b| probe_percent(b, m, now))
                    .collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            }),
        }],
    }
}

/// Data path availability per frontend port: 100% while any backend of the rule is up.
fn vip(
    estate: &Estate,
    lb: &LoadBalancer,
    times: &[i64],
    interval: i64,
    now: i64,
) -> Vec<SeriesOut> {
    let frontend = |id: &str| {
        let n = lb
            .properties
            .frontend_ip_configurations
            .iter()
            .position(|f| f.id.eq_ignore_ascii_case(id))
            .unwrap_or(0);
        let h = lb
            .id
            .bytes()
            .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)));
        format!("20.{}.{}.{}", 40 + h % 50, h / 50 % 250, 10 + n)
    };
    lb.properties
        .load_balancing_rules
        .iter()
        .filter_map(|rule| {
            let backends = &estate.rule(&rule.id)?.backends;
            let fe = frontend(
                rule.properties
                    .frontend_ip_configuration
                    .as_ref()
                    .map_or("", |s| s.id.as_str()),
            );
            let any_up = |m: i64| -> Option<f64> {
                let v: Vec<f64> = backends
                    .iter()
                    .filter_map(|b| probe_percent(b, m, now))
                    .collect();
                (!v.is_empty()).then(|| {
                    if v.iter().any(|x| *x > 0.5) {
                        100.0
                    } else {
                        0.0
                    }
                })
            };
            Some(SeriesOut {
                metadatavalues: vec![
                    meta("FrontendIPAddress", &fe),
                    meta("FrontendPort", &rule.properties.frontend_port.to_string()),
                ],
                data: times
                    .iter()
                    .map(|&t| PointOut {
                        time_stamp: format_time(t),
                        average: mean(any_up, t, interval, now),
                    })
                    .collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::id::LoadBalancerId;
    use crate::arm::metrics::{Metric, MetricsAnswer, MetricsQuery, Window};
    use crate::demo::estate::{estate, PROD};
    use crate::health::probe_history::{by_backend, Verdict};

    fn lb_web() -> LoadBalancerId {
        LoadBalancerId::parse(&format!("/subscriptions/{PROD}/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web")).unwrap()
    }

    fn served(q: &MetricsQuery) -> MetricsAnswer {
        let url = q.path_and_query(&lb_web());
        let (path, query) = url.split_once('?').unwrap();
        let s = answer(
            &estate(),
            path.trim_end_matches("/providers/Microsoft.Insights/metrics"),
            query,
            DEMO_NOW,
        );
        assert_eq!(s.status, 200, "{}", s.body);
        MetricsAnswer::parse(&s.body, q.metric).unwrap()
    }

    #[test]
    fn the_flapping_backend_shows_its_flaps_and_the_down_one_its_start() {
        let q = MetricsQuery::rule(80, 80, None, Window::Day, Some(DEMO_NOW));
        let a = served(&q);
        let h = by_backend(&a, Window::Day);
        assert_eq!(h.len(), 9, "every backend of rule-http, one series each");
        assert_eq!(a.end_s, Some(DEMO_NOW));
        let flapping = h.iter().find(|b| b.key == "10.0.2.9").unwrap();
        // Four states of 20 min each, two Up and two Down: a change every 40 min.
        assert!(flapping.changes() >= 30, "{} changes", flapping.changes());
        let down = h.iter().find(|b| b.key == "10.0.2.6").unwrap();
        let est = estate();
        let b = est
            .rule(&format!("{}/loadBalancingRules/rule-http", lb_web().path()))
            .unwrap()
            .backends
            .iter()
            .find(|b| b.ip == "10.0.2.6")
            .unwrap();
        assert_eq!(
            down.current().unwrap().since,
            Some(DEMO_NOW - down_for_s(b))
        );
        assert!(
            down.status(0).unwrap().starts_with("Down since "),
            "{:?}",
            down.status(0)
        );
        let na = h.iter().find(|b| b.key == "10.0.2.10").unwrap();
        assert_eq!(na.current(), None, "NA: never probed, no data");
        assert_eq!(na.status_text(0), "No data in this window", "said in words");
        assert_eq!(
            h.iter()
                .find(|b| b.key == "10.0.2.4")
                .unwrap()
                .status(0)
                .unwrap(),
            "Up for at least 24 h"
        );
    }

    #[test]
    fn the_filter_and_top_are_honoured() {
        // rule-https only (backend port 443): three backends.
        let a = served(&MetricsQuery::rule(
            443,
            443,
            None,
            Window::Hour,
            Some(DEMO_NOW),
        ));
        assert_eq!(a.series.len(), 3);
        assert_eq!(a.series[0].points.len(), 60);
        let series = |e: &Estate, lb: &str, query: &str| {
            MetricsAnswer::parse(&answer(e, lb, query, DEMO_NOW).body, Metric::HealthProbe)
                .unwrap()
                .series
                .len()
        };
        const ALL: &str =
            "metricnames=DipAvailability&timespan=PT1H&$filter=BackendIPAddress%20eq%20%27*%27";
        assert_eq!(
            series(&estate(), &lb_web().path(), &format!("{ALL}&top=2")),
            2,
            "Azure's top cuts the list"
        );
        let scale = LoadBalancerId::parse(&format!("/subscriptions/{PROD}/resourceGroups/rg-scale/providers/Microsoft.Network/loadBalancers/lb-scale")).unwrap();
        let big = estate().with_large_rule(30);
        assert_eq!(
            series(&big, &scale.path(), ALL),
            10,
            "Azure's default is 10"
        );
        assert_eq!(series(&big, &scale.path(), &format!("{ALL}&top=1001")), 30);
    }

    #[test]
    fn the_estate_verdicts_follow_the_backends() {
        let a = served(&MetricsQuery::estate(Some(DEMO_NOW)));
        assert!(
            matches!(Verdict::from_answer(&a), Verdict::Degraded { .. }),
            "{:?}",
            Verdict::from_answer(&a)
        );
        let v = served(&MetricsQuery::data_path(Window::Day, Some(DEMO_NOW)));
        assert_eq!(v.series.len(), 2, "one per probed rule's frontend port");
        assert!(v
            .series
            .iter()
            .all(|s| s.dimension("FrontendPort").is_some()));
    }

    #[test]
    fn unknown_metrics_and_load_balancers_are_errors() {
        assert_eq!(
            answer(
                &estate(),
                "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/loadBalancers/none",
                "metricnames=DipAvailability",
                DEMO_NOW
            )
            .status,
            404
        );
        let s = answer(
            &estate(),
            &lb_web().path(),
            "metricnames=Other&timespan=PT1H",
            DEMO_NOW,
        );
        assert_eq!(s.status, 400);
        assert!(s.body.contains("Failed to find metric configuration"));
        let s = answer(
            &estate(),
            &lb_web().path(),
            "metricnames=DipAvailability&timespan=PT1H&$filter=BackendIPAddress%20eq%20%27*%27",
            DEMO_NOW,
        );
        let a = MetricsAnswer::parse(&s.body, Metric::HealthProbe).unwrap();
        assert_eq!(
            a.end_s,
            Some(DEMO_NOW),
            "a duration ends at the caller's now"
        );
        assert_eq!(a.series.len(), 9, "each backend IP once");
    }
}
