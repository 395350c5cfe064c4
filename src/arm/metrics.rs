//! Azure Monitor metrics of a load balancer: Health Probe Status (`DipAvailability`,
//! per backend) and Data Path Availability (`VipAvailability`, per frontend).
//!
//! `GET {lb}/providers/Microsoft.Insights/metrics?api-version=2023-10-01&metricnames=..
//! &timespan=..&interval=..&aggregation=Average&top=..&$filter=..` answers
//! `{ timespan, interval, value: [ { name, errorCode, errorMessage, timeseries: [
//! { metadatavalues: [ { name: { value }, value } ], data: [ { timeStamp, average } ] } ] } ] }`
//! (azure-rest-api-specs, monitor, `metrics_API.json` and `commonMonitoringTypes.json`).
//!
//! Limits from that spec: `top` (time series per resource) "defaults to 10" and is valid
//! only with a `$filter`; the API returns the first `top` series and says nothing of the
//! rest. So every query names `top`, one more than [`SERIES_LIMIT`], and an answer with
//! more than the limit is reported as cut ([`MetricsAnswer::truncated`]).

use serde::Deserialize;

use super::client::{ArmClient, Cancel, Progress};
use super::error::{ArmError, ErrorKind};
use super::id::LoadBalancerId;
use super::lenient;
use crate::http::Request;

pub const METRICS_API: &str = "2023-10-01";
/// What reading metrics needs; Reader and Monitoring Reader include it.
pub const METRICS_READ: &str = "Microsoft.Insights/metrics/read";
/// Time series shown per query: a rule with more backends gets the first this many and
/// a note. At 24 h / 5 min this is about 300,000 points, a few MB of JSON.
pub const SERIES_LIMIT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Health Probe Status, percent, per backend IP and port.
    HealthProbe,
    /// Data Path Availability, percent, per frontend IP and port.
    DataPath,
}

impl Metric {
    pub fn api_name(self) -> &'static str {
        match self {
            Metric::HealthProbe => "DipAvailability",
            Metric::DataPath => "VipAvailability",
        }
    }
}

/// The span a chart covers, each with an interval that gives a few hundred points at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    Hour,
    #[default]
    Day,
    Week,
    /// The estate overview's verdict: the last 15 minutes, per minute.
    Recent,
}

impl Window {
    pub const CHOICES: [Window; 3] = [Window::Hour, Window::Day, Window::Week];

    pub fn seconds(self) -> i64 {
        match self {
            Window::Hour => 3_600,
            Window::Day => 86_400,
            Window::Week => 7 * 86_400,
            Window::Recent => 900,
        }
    }
    /// 60, 288, 168 and 15 points.
    pub fn interval_seconds(self) -> i64 {
        match self {
            Window::Hour | Window::Recent => 60,
            Window::Day => 300,
            Window::Week => 3_600,
        }
    }
    pub fn duration(self) -> &'static str {
        match self {
            Window::Hour => "PT1H",
            Window::Day => "PT24H",
            Window::Week => "P7D",
            Window::Recent => "PT15M",
        }
    }
    pub fn interval(self) -> &'static str {
        match self {
            Window::Hour | Window::Recent => "PT1M",
            Window::Day => "PT5M",
            Window::Week => "PT1H",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Window::Hour => "1 h",
            Window::Day => "24 h",
            Window::Week => "7 d",
            Window::Recent => "15 min",
        }
    }
}

/// One metrics request. Built from typed values only: the filter's quoted values are
/// ports and IP addresses, so nothing a user typed reaches the OData filter.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsQuery {
    pub metric: Metric,
    pub window: Window,
    /// The window's end, seconds since 1970 UTC; `None` lets Azure end it now (the
    /// answer's `timespan` then says when that was).
    pub end_s: Option<i64>,
    pub backend_port: Option<u16>,
    frontend_ip: Option<String>,
    pub frontend_port: Option<u16>,
}

impl MetricsQuery {
    /// Every backend of one rule: its backend port, its frontend port and, when known,
    /// its frontend's IP address (a public IP's address needs another call; without it the
    /// series are averaged over the load balancer's frontends).
    pub fn rule(
        backend_port: u16,
        frontend_port: u16,
        frontend_ip: Option<&str>,
        window: Window,
        end_s: Option<i64>,
    ) -> Self {
        MetricsQuery {
            metric: Metric::HealthProbe,
            window,
            end_s,
            backend_port: Some(backend_port),
            frontend_ip: frontend_ip.filter(|ip| is_ip(ip)).map(str::to_owned),
            frontend_port: Some(frontend_port),
        }
    }

    /// Every backend of the load balancer over the last 15 minutes, for its verdict.
    pub fn estate(end_s: Option<i64>) -> Self {
        MetricsQuery {
            metric: Metric::HealthProbe,
            window: Window::Recent,
            end_s,
            backend_port: None,
            frontend_ip: None,
            frontend_port: None,
        }
    }

    /// Every frontend IP and port of the load balancer.
    pub fn data_path(window: Window, end_s: Option<i64>) -> Self {
        MetricsQuery {
            metric: Metric::DataPath,
            window,
            end_s,
            backend_port: None,
            frontend_ip: None,
            frontend_port: None,
        }
    }

    pub fn frontend_ip(&self) -> Option<&str> {
        self.frontend_ip.as_deref()
    }

    /// The OData filter: one series per backend (or frontend) through `eq '*'`.
    pub fn filter(&self) -> String {
        let mut parts = Vec::new();
        match self.metric {
            Metric::HealthProbe => {
                parts.push("BackendIPAddress eq '*'".to_owned());
                if let Some(p) = self.backend_port {
                    parts.push(format!("BackendPort eq '{p}'"));
                }
                if let Some(ip) = &self.frontend_ip {
                    parts.push(format!("FrontendIPAddress eq '{ip}'"));
                }
                if let Some(p) = self.frontend_port {
                    parts.push(format!("FrontendPort eq '{p}'"));
                }
            }
            Metric::DataPath => {
                parts.push("FrontendIPAddress eq '*'".to_owned());
                parts.push("FrontendPort eq '*'".to_owned());
            }
        }
        parts.join(" and ")
    }

    /// `start/end` when the end is known, else the window's ISO duration.
    pub fn timespan(&self) -> String {
        match self.end_s {
            Some(end) => format!(
                "{}/{}",
                format_time(end - self.window.seconds()),
                format_time(end)
            ),
            None => self.window.duration().to_owned(),
        }
    }

    pub fn path_and_query(&self, lb: &LoadBalancerId) -> String {
        format!(
            "{}/providers/Microsoft.Insights/metrics?api-version={METRICS_API}&metricnames={}&timespan={}&interval={}&aggregation=Average&top={}&$filter={}",
            lb.path(),
            self.metric.api_name(),
            encode(&self.timespan()),
            self.window.interval(),
            SERIES_LIMIT + 1,
            encode(&self.filter())
        )
    }
}

/// IPv4 or IPv6 text: hex digits, dots and colons only, so it cannot end a quoted value.
fn is_ip(s: &str) -> bool {
    (2..=45).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
        && s.bytes().any(|b| b == b'.' || b == b':')
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ------------------------------------------------------------------ the answer

/// One data point: its start, seconds since 1970 UTC, and the average percent (`None`:
/// Azure had no sample in that interval).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub t: i64,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    /// Dimension name and value pairs, e.g. `("BackendIPAddress", "10.0.2.4")`.
    pub dimensions: Vec<(String, String)>,
    /// Oldest first; points whose time could not be read are left out.
    pub points: Vec<Point>,
}

impl Series {
    /// A dimension's value; Azure spells the names in varying case.
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsAnswer {
    /// The window Azure answered for (it may align it to the interval).
    pub start_s: Option<i64>,
    pub end_s: Option<i64>,
    pub interval_s: i64,
    pub series: Vec<Series>,
    /// Azure had more series than [`SERIES_LIMIT`]: the rest are not in `series`.
    pub truncated: bool,
    /// ARM's `x-ms-ratelimit-remaining-subscription-reads`, when CORS lets it be read: the
    /// overview slows down before ARM has to say 429.
    pub remaining_reads: Option<u32>,
}

#[derive(Deserialize, Default)]
struct Wire {
    #[serde(default, deserialize_with = "lenient::string")]
    timespan: String,
    #[serde(default, deserialize_with = "lenient::string")]
    interval: String,
    #[serde(default, deserialize_with = "lenient::list")]
    value: Vec<WireMetric>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireMetric {
    #[serde(default, deserialize_with = "lenient::null_default")]
    name: WireName,
    #[serde(default, deserialize_with = "lenient::string")]
    error_code: String,
    #[serde(default, deserialize_with = "lenient::string")]
    error_message: String,
    #[serde(default, deserialize_with = "lenient::list")]
    timeseries: Vec<WireSeries>,
}

#[derive(Deserialize, Default)]
struct WireName {
    #[serde(default, deserialize_with = "lenient::string")]
    value: String,
}

#[derive(Deserialize, Default)]
struct WireSeries {
    #[serde(default, deserialize_with = "lenient::list")]
    metadatavalues: Vec<WireMetadata>,
    #[serde(default, deserialize_with = "lenient::list")]
    data: Vec<WirePoint>,
}

#[derive(Deserialize, Default)]
struct WireMetadata {
    #[serde(default, deserialize_with = "lenient::null_default")]
    name: WireName,
    #[serde(default, deserialize_with = "lenient::string")]
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WirePoint {
    #[serde(default, deserialize_with = "lenient::string")]
    time_stamp: String,
    #[serde(default, deserialize_with = "lenient::number")]
    average: Option<f64>,
}

/// Why an answer of 200 could not be used.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerError {
    /// Not JSON, or not an object.
    Unreadable(String),
    /// The metric itself failed: Azure's per-metric `errorCode` and `errorMessage`.
    Metric { code: String, message: String },
}

impl MetricsAnswer {
    /// Reads a 200's body: lenient about every field, strict only about it being JSON.
    pub fn parse(body: &str, metric: Metric) -> Result<MetricsAnswer, AnswerError> {
        // `null` reads as an empty answer, as a missing field would.
        let wire: Wire = serde_json::from_str::<Option<Wire>>(body)
            .map_err(|e| AnswerError::Unreadable(e.to_string()))?
            .unwrap_or_default();
        let (start_s, end_s) = match wire.timespan.split_once('/') {
            Some((a, b)) => (parse_time(a), parse_time(b)),
            None => (None, None),
        };
        let interval_s = parse_duration(&wire.interval).unwrap_or(60);
        // The metric asked for; an answer naming none is taken as that one.
        let found = wire.value.into_iter().find(|m| {
            m.name.value.is_empty() || m.name.value.eq_ignore_ascii_case(metric.api_name())
        });
        let Some(m) = found else {
            return Ok(MetricsAnswer {
                start_s,
                end_s,
                interval_s,
                ..MetricsAnswer::default()
            });
        };
        if !m.error_code.is_empty() && !m.error_code.eq_ignore_ascii_case("Success") {
            return Err(AnswerError::Metric {
                code: m.error_code,
                message: m.error_message,
            });
        }
        let truncated = m.timeseries.len() > SERIES_LIMIT;
        let series = m
            .timeseries
            .into_iter()
            .take(SERIES_LIMIT)
            .map(|s| {
                let mut points: Vec<Point> = s
                    .data
                    .iter()
                    .filter_map(|p| {
                        Some(Point {
                            t: parse_time(&p.time_stamp)?,
                            value: p.average,
                        })
                    })
                    .collect();
                points.sort_by_key(|p| p.t);
                points.dedup_by_key(|p| p.t);
                Series {
                    dimensions: s
                        .metadatavalues
                        .into_iter()
                        .map(|d| (d.name.value, d.value))
                        .collect(),
                    points,
                }
            })
            .collect();
        Ok(MetricsAnswer {
            start_s,
            end_s,
            interval_s,
            series,
            truncated,
            remaining_reads: None,
        })
    }
}

/// Reads one load balancer's metric through the client (token, host guard, throttling
/// and retries as for every other call).
pub async fn fetch(
    client: &ArmClient,
    lb: &LoadBalancerId,
    query: &MetricsQuery,
    cancel: &Cancel,
    progress: &dyn Fn(Progress),
) -> Result<MetricsAnswer, ArmError> {
    let url = client.base().url(&query.path_and_query(lb));
    let resp = client
        .drive(Request::get(url), cancel, progress)
        .await
        .map_err(forbidden_names_the_role)?;
    let remaining_reads = resp
        .header("x-ms-ratelimit-remaining-subscription-reads")
        .and_then(|v| v.parse().ok());
    let answer = MetricsAnswer::parse(&resp.body, query.metric).map_err(|e| match e {
        AnswerError::Unreadable(why) => ArmError::malformed(
            &resp,
            &format!("Azure Monitor's answer is not of the expected shape ({why})"),
        ),
        AnswerError::Metric { code, message } => ArmError {
            code: Some(code.clone()),
            ..ArmError::malformed(
                &resp,
                &format!(
                    "Azure Monitor could not read the metric: {}",
                    if message.is_empty() { &code } else { &message }
                ),
            )
        },
    })?;
    Ok(MetricsAnswer {
        remaining_reads,
        ..answer
    })
}

/// A 403 on metrics is about `Microsoft.Insights/metrics/read`, whatever ARM's message
/// names; say which roles carry it.
fn forbidden_names_the_role(mut e: ArmError) -> ArmError {
    if let ErrorKind::Forbidden { action } = &mut e.kind {
        *action = Some(METRICS_READ.to_owned());
        e.message = format!(
            "Reading probe history needs the permission {METRICS_READ}, which the Reader and Monitoring Reader roles include. Azure said: {}",
            e.message
        );
    }
    e
}

// ------------------------------------------------------------------ time

/// `2026-12-03T14:05:00Z`, with optional fractional seconds and a `Z` or `±hh:mm`
/// offset; seconds since 1970 UTC.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, rest) = s.split_once(['T', 't', ' '])?;
    let mut d = date.splitn(3, '-');
    let (y, mo, da): (i64, i64, i64) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let (clock, offset_s) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (c, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (h, m) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
        (
            c,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    } else {
        (rest, 0)
    };
    let mut c = clock.splitn(3, ':');
    let (h, mi): (i64, i64) = (c.next()?.parse().ok()?, c.next()?.parse().ok()?);
    let sec: f64 = c.next().map_or(Some(0.0), |x| x.parse().ok())?;
    let ok = (1..=12).contains(&mo)
        && (1..=31).contains(&da)
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0.0..61.0).contains(&sec);
    ok.then(|| days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + sec as i64 - offset_s)
}

/// `2026-12-03T14:05:00Z`.
pub fn format_time(t: i64) -> String {
    let (y, mo, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// `PT5M`, `PT1H`, `P1D`, `PT30S`, `P7D`, `PT1H30M` as seconds; `None` for anything else
/// (`FULL` included).
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim().strip_prefix(['P', 'p'])?;
    let (days, time) = s.split_once(['T', 't']).unwrap_or((s, ""));
    let mut total = 0i64;
    let mut read = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut n = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                n.push(c);
            } else {
                let unit = units.iter().find(|(u, _)| u.eq_ignore_ascii_case(&c))?.1;
                total += n.parse::<i64>().ok()? * unit;
                n.clear();
            }
        }
        n.is_empty().then_some(())
    };
    read(days, &[('D', 86_400), ('W', 7 * 86_400)])?;
    read(time, &[('H', 3600), ('M', 60), ('S', 1)])?;
    (total > 0).then_some(total)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests;
