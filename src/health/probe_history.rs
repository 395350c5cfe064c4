//! What Azure Monitor's Health Probe Status says about each backend over a window:
//! since when it is in its state ("Down since 14:05 (2 h 10 min)", "Up for 3 days"),
//! how often it changed, and the same in words for a screen reader ("100% until 14:05,
//! 0% since"); merged with what this session's watch mode saw after Azure's latest point.
//! Also why history is absent (each with a next step), and the estate overview's verdict
//! per load balancer from its last 15 minutes. Pure: times come in as seconds since 1970
//! UTC plus the viewer's offset from UTC, so everything tests on the host.

use std::collections::HashMap;

use super::catalog::State;
use super::history::changes_word;
use crate::arm::error::{ArmError, ErrorKind};
use crate::arm::graph::EstateLoadBalancer;
use crate::arm::metrics::{
    civil_from_days, Metric, MetricsAnswer, Point, Series, Window, METRICS_READ, SERIES_LIMIT,
};
use crate::health::order;

/// A point's meaning. Probe status is 100 while the probe succeeds and 0 while it fails;
/// an interval in between saw both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Up,
    Partial,
    Down,
}

impl Level {
    pub fn of(percent: f64) -> Level {
        if percent >= 99.5 {
            Level::Up
        } else if percent <= 0.5 {
            Level::Down
        } else {
            Level::Partial
        }
    }
    fn word(self) -> &'static str {
        match self {
            Level::Up => "Up",
            Level::Partial => "Partly up",
            Level::Down => "Down",
        }
    }
}

/// One backend's probe status (or one frontend's data path availability) over the
/// window, oldest point first.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesHistory {
    /// The backend's IP address, or the frontend's `address:port`.
    pub key: String,
    pub points: Vec<Point>,
    pub interval_s: i64,
    /// The window's end ("now" for the sentences): the answer's own, so a slow answer or
    /// a skewed local clock does not stretch "Down for".
    pub end_s: i64,
    pub window_s: i64,
}

/// The current run: the level of the latest known point and when that run began
/// (`None`: all window long).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Current {
    pub level: Level,
    pub since: Option<i64>,
    pub percent: f64,
}

/// Every backend's history from one answer, by `BackendIPAddress` (series of one IP, as
/// when a frontend is not filtered, are averaged point by point), sorted by IP text.
pub fn by_backend(answer: &MetricsAnswer, window: Window) -> Vec<SeriesHistory> {
    by_key(answer, window, |s| {
        s.dimension("BackendIPAddress").unwrap_or("").to_owned()
    })
}

/// Every frontend's data path availability from one answer, by address and port
/// ("20.40.1.10:80", "[2001:db8::1]:443"), sorted by that text.
pub fn by_frontend(answer: &MetricsAnswer, window: Window) -> Vec<SeriesHistory> {
    by_key(answer, window, |s| {
        let ip = s.dimension("FrontendIPAddress").unwrap_or("");
        let ip = if ip.contains(':') {
            format!("[{ip}]")
        } else {
            ip.to_owned()
        };
        match s.dimension("FrontendPort") {
            Some(port) => format!("{ip}:{port}"),
            None => ip,
        }
    })
}

fn by_key(
    answer: &MetricsAnswer,
    window: Window,
    key: impl Fn(&Series) -> String,
) -> Vec<SeriesHistory> {
    let interval_s = answer.interval_s.max(1);
    let last = answer
        .series
        .iter()
        .flat_map(|s| s.points.last())
        .map(|p| p.t + interval_s)
        .max();
    let end_s = answer.end_s.or(last).unwrap_or(0);
    let window_s = answer
        .start_s
        .map_or(window.seconds(), |s| (end_s - s).max(interval_s));
    let mut out: Vec<SeriesHistory> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for s in &answer.series {
        let k = key(s);
        match at.get(&k) {
            Some(&i) => out[i].points = average(&out[i].points, &s.points),
            None => {
                at.insert(k.clone(), out.len());
                out.push(SeriesHistory {
                    key: k,
                    points: s.points.clone(),
                    interval_s,
                    end_s,
                    window_s,
                });
            }
        }
    }
    order::by_key(out, |b| (0, b.key.clone()))
}

/// Two series on one time axis; where both have a value, their mean.
fn average(a: &[Point], b: &[Point]) -> Vec<Point> {
    let mut out: Vec<Point> = a.to_vec();
    for p in b {
        match out.iter_mut().find(|q| q.t == p.t) {
            Some(q) => {
                q.value = match (q.value, p.value) {
                    (Some(x), Some(y)) => Some((x + y) / 2.0),
                    (x, y) => x.or(y),
                }
            }
            None => out.push(*p),
        }
    }
    out.sort_by_key(|p| p.t);
    out
}

impl SeriesHistory {
    fn known(&self) -> impl DoubleEndedIterator<Item = (i64, f64)> + '_ {
        self.points.iter().filter_map(|p| Some((p.t, p.value?)))
    }

    pub fn current(&self) -> Option<Current> {
        let (_, percent) = self.known().next_back()?;
        let level = Level::of(percent);
        let mut since = None;
        let mut later: Option<i64> = None;
        for (t, v) in self.known().rev() {
            if Level::of(v) != level {
                since = later;
                break;
            }
            later = Some(t);
        }
        // A run that reaches back to the first known point began before the window.
        Some(Current {
            level,
            since,
            percent,
        })
    }

    /// Changes of level between successive known points in the window.
    pub fn changes(&self) -> usize {
        let levels: Vec<Level> = self.known().map(|(_, v)| Level::of(v)).collect();
        levels.windows(2).filter(|w| w[0] != w[1]).count()
    }

    /// "Down since 14:05 (2 h 10 min)", "Up for 3 days", "Up for at least 24 h";
    /// `None` when the window has no data at all.
    pub fn status(&self, tz_offset_min: i32) -> Option<String> {
        let c = self.current()?;
        Some(match (c.level, c.since) {
            (level, None) => format!("{} for at least {}", level.word(), span(self.window_s)),
            (Level::Down | Level::Partial, Some(t)) => format!(
                "{} since {} ({})",
                c.level.word(),
                clock(t, self.end_s, tz_offset_min),
                span(self.end_s - t)
            ),
            (Level::Up, Some(t)) => format!("Up for {}", span(self.end_s - t)),
        })
    }

    /// `status`, or that the window has no data: a row never shows a chart without words.
    pub fn status_text(&self, tz_offset_min: i32) -> String {
        self.status(tz_offset_min)
            .unwrap_or_else(|| "No data in this window".to_owned())
    }

    /// The chart's text alternative: each run of one level with when it ended, e.g.
    /// "100% until 14:05, 0% since"; a flapping backend's latest runs only.
    pub fn describe(&self, tz_offset_min: i32) -> String {
        const SHOWN: usize = 6;
        let runs = self.runs();
        if runs.iter().all(|r| r.level.is_none()) {
            return format!("No data in the last {}", span(self.window_s));
        }
        let at = |t: i64| clock(t, self.end_s, tz_offset_min);
        let start = runs.len().saturating_sub(SHOWN);
        let parts: Vec<String> = runs[start..]
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let what = r.words();
                match runs.get(start + i + 1) {
                    Some(next) => format!("{what} until {}", at(next.start)),
                    None if runs.len() == 1 => {
                        format!("{what} throughout the last {}", span(self.window_s))
                    }
                    None => format!("{what} since"),
                }
            })
            .collect();
        let text = parts.join(", ");
        if start > 0 {
            let n = self.changes();
            format!(
                "{n} {} in the last {}; latest: {text}",
                changes_word(n),
                span(self.window_s)
            )
        } else {
            text
        }
    }

    fn runs(&self) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        for p in &self.points {
            let level = p.value.map(Level::of);
            match runs.last_mut() {
                Some(r) if r.level == level => {
                    if let Some(v) = p.value {
                        r.min = r.min.min(v);
                        r.max = r.max.max(v);
                    }
                }
                _ => runs.push(Run {
                    level,
                    start: p.t,
                    min: p.value.unwrap_or(0.0),
                    max: p.value.unwrap_or(0.0),
                }),
            }
        }
        // Azure's latest interval or two are often still empty: lag, not news.
        if runs.len() > 1
            && runs
                .last()
                .is_some_and(|r| r.level.is_none() && self.end_s - r.start <= 2 * self.interval_s)
        {
            runs.pop();
        }
        runs
    }

    /// Adds what this session's own checks saw after Azure's latest point (metrics lag a
    /// few minutes behind the health operation): Up as 100%, Down as 0%.
    pub fn merge_watch(&mut self, seen: &[(i64, Option<State>)]) {
        let after = self.points.last().map_or(i64::MIN, |p| p.t);
        for &(t, state) in seen {
            let value = match state {
                Some(State::Up) => 100.0,
                Some(State::Down) => 0.0,
                _ => continue,
            };
            if t > after && self.points.last().is_none_or(|p| t > p.t) {
                self.points.push(Point {
                    t,
                    value: Some(value),
                });
                self.end_s = self.end_s.max(t);
            }
        }
    }
}

struct Run {
    level: Option<Level>,
    start: i64,
    min: f64,
    max: f64,
}

impl Run {
    fn words(&self) -> String {
        match self.level {
            None => "no data".into(),
            Some(Level::Up) => "100%".into(),
            Some(Level::Down) => "0%".into(),
            Some(Level::Partial) if self.max - self.min < 1.0 => format!("{:.0}%", self.min),
            Some(Level::Partial) => format!("between {:.0}% and {:.0}%", self.min, self.max),
        }
    }
}

/// "45 min", "2 h 10 min", "28 h", "3 days": hours up to two days, then days.
pub fn span(secs: i64) -> String {
    let m = secs.max(0) / 60;
    let (h, min) = (m / 60, m % 60);
    match (h, min) {
        (0, 0) => "under a minute".into(),
        (0, m) => format!("{m} min"),
        (h, 0) if h < 48 => format!("{h} h"),
        (h, m) if h < 10 => format!("{h} h {m} min"),
        (h, _) if h < 48 => format!("{h} h"),
        (h, _) => format!("{} days", h / 24),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "14:05" on the same local day as `now`, else "2 Dec 14:05".
pub fn clock(t: i64, now: i64, tz_offset_min: i32) -> String {
    let off = i64::from(tz_offset_min) * 60;
    let (local, today) = (t + off, now + off);
    let s = local.rem_euclid(86_400);
    let hm = format!("{:02}:{:02}", s / 3600, s % 3600 / 60);
    if local.div_euclid(86_400) == today.div_euclid(86_400) {
        hm
    } else {
        let (_, m, d) = civil_from_days(local.div_euclid(86_400));
        format!("{d} {} {hm}", MONTHS[(m - 1) as usize])
    }
}

// ------------------------------------------------------------------ when there is none

/// Why a panel or a row has no probe history; each says what to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Absent {
    /// Basic load balancers publish no metrics.
    BasicSku,
    /// Gateway load balancers: no per-rule health, so no per-rule history either.
    GatewaySku,
    /// 403 on `Microsoft.Insights/metrics/read`.
    Forbidden,
    /// Azure answered, with no point in the window: a new load balancer, or one whose
    /// backends were never probed.
    NoData,
    /// 429 past the retries; the health check does not depend on it.
    Throttled {
        retry_after_s: Option<u64>,
    },
    /// Anything else went wrong reading the metric; the health check does not depend on it.
    Failed {
        detail: String,
    },
    /// More backends than one query returns; the first [`SERIES_LIMIT`] are shown.
    TooManySeries,
    Cancelled,
}

impl Absent {
    /// Known from the load balancer's description, before any call.
    pub fn for_sku(sku_name: &str) -> Option<Absent> {
        match sku_name.trim().to_ascii_lowercase().as_str() {
            "basic" => Some(Absent::BasicSku),
            "gateway" => Some(Absent::GatewaySku),
            _ => None,
        }
    }

    pub fn from_error(e: &ArmError) -> Absent {
        match &e.kind {
            ErrorKind::Forbidden { .. } => Absent::Forbidden,
            ErrorKind::Throttled => Absent::Throttled {
                retry_after_s: e.retry_after_s,
            },
            ErrorKind::Cancelled => Absent::Cancelled,
            _ => Absent::Failed {
                detail: e.to_string(),
            },
        }
    }

    /// A headline and the next step, in words, for the metric that is missing.
    pub fn message(&self, metric: Metric) -> (String, String) {
        // (what is missing, at a sentence's start; Azure Monitor's name for the metric;
        // what has no points yet; what the series are of)
        let (what, name, data, of) = match metric {
            Metric::HealthProbe => (
                "Probe history",
                "Health Probe Status",
                "probe data",
                "backends",
            ),
            Metric::DataPath => (
                "Data path availability",
                "Data Path Availability",
                "data path availability",
                "frontends",
            ),
        };
        let lower = what.to_lowercase();
        match self {
            Absent::BasicSku => (
                format!("No {lower}: Basic load balancers publish no metrics"),
                format!("Upgrade the load balancer to the Standard SKU to get {name} in Azure Monitor; the health check still works."),
            ),
            Absent::GatewaySku => (
                format!("No {lower} for a Gateway load balancer"),
                "Gateway load balancers have no per-rule health; see the chained Standard load balancer's rules instead.".to_owned(),
            ),
            Absent::Forbidden => (
                format!("No permission to read {lower}"),
                format!("Ask for a role that includes {METRICS_READ}, such as Monitoring Reader or Reader, on this load balancer or its resource group."),
            ),
            Absent::NoData => (
                format!("Azure Monitor has no {data} for this window yet"),
                match metric {
                    Metric::HealthProbe => "A new load balancer or rule shows data after a few minutes; a rule whose backends were never probed shows none. Try a longer window or check again later.",
                    Metric::DataPath => "A new load balancer shows data after a few minutes; a frontend that no rule uses shows none. Check again later.",
                }
                .to_owned(),
            ),
            Absent::Throttled { retry_after_s } => (
                format!("{what} is paused: Azure is throttling requests"),
                match retry_after_s {
                    Some(s) => format!("Azure asked to wait {s} s; try again then. The health check does not depend on it."),
                    None => "Try again in a minute. The health check does not depend on it.".to_owned(),
                },
            ),
            Absent::Failed { detail } => (
                format!("{what} could not be read"),
                format!("Azure Monitor answered: {detail}. Try again; the health check does not depend on it."),
            ),
            Absent::TooManySeries => (
                format!("{what} shows the first {SERIES_LIMIT} {of} only"),
                "Azure Monitor returns a limited number of time series per request; use the Azure portal's metrics blade with a filter for the others.".to_owned(),
            ),
            Absent::Cancelled => (format!("{what} was stopped"), "Check again to load it.".to_owned()),
        }
    }
}

// ------------------------------------------------------------------ the estate's verdicts

/// One load balancer's state over the last 15 minutes, declared worst first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every backend is at 0%.
    Down,
    /// `below` of `of` backends are under 100%.
    Degraded {
        below: usize,
        of: usize,
    },
    /// The metric could not be read (the row says why).
    Unknown {
        why: String,
    },
    NoData,
    /// Basic or Gateway: no probe metric.
    NotAvailable,
    Healthy,
    /// Not read yet.
    Pending,
}

impl Verdict {
    /// From each backend's latest value in the window.
    pub fn from_answer(answer: &MetricsAnswer) -> Verdict {
        let latest: Vec<f64> = by_backend(answer, Window::Recent)
            .iter()
            .filter_map(|b| b.known().next_back().map(|(_, v)| v))
            .collect();
        if latest.is_empty() {
            return Verdict::NoData;
        }
        let below = latest.iter().filter(|v| **v < 99.5).count();
        if latest.iter().all(|v| Level::of(*v) == Level::Down) {
            Verdict::Down
        } else if below > 0 {
            Verdict::Degraded {
                below,
                of: latest.len(),
            }
        } else {
            Verdict::Healthy
        }
    }

    pub fn for_sku(sku_name: &str) -> Option<Verdict> {
        Absent::for_sku(sku_name).map(|_| Verdict::NotAvailable)
    }

    pub fn from_error(e: &ArmError) -> Verdict {
        Verdict::Unknown {
            why: Absent::from_error(e).message(Metric::HealthProbe).0,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Verdict::Down => "Down".into(),
            Verdict::Degraded { below, of } => format!(
                "Degraded: {below} of {of} {} below 100%",
                if *of == 1 { "backend" } else { "backends" }
            ),
            Verdict::Unknown { why } => format!("Unknown: {why}"),
            Verdict::NoData => "No data".into(),
            Verdict::NotAvailable => "Not available for this SKU".into(),
            Verdict::Healthy => "Healthy".into(),
            Verdict::Pending => "Not checked yet".into(),
        }
    }

    /// Worst first: the classes in declaration order, and more backends below 100% first.
    fn rank(&self) -> u64 {
        let (class, within) = match self {
            Verdict::Down => (0, 0),
            Verdict::Degraded { below, .. } => {
                (1, u32::MAX - (*below).min(u32::MAX as usize) as u32)
            }
            Verdict::Unknown { .. } => (2, 0),
            Verdict::NoData => (3, 0),
            Verdict::NotAvailable => (4, 0),
            Verdict::Healthy => (5, 0),
            Verdict::Pending => (6, 0),
        };
        (class << 32) | u64::from(within)
    }
}

/// A row of the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct EstateRow {
    pub lb: EstateLoadBalancer,
    pub verdict: Verdict,
}

/// The overview's filters; empty fields match everything. Text matches name, resource
/// group, location and tag values, case-insensitively.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EstateFilter {
    pub subscription: String,
    pub resource_group: String,
    /// `key` or `key=value`.
    pub tag: String,
    pub text: String,
}

impl EstateFilter {
    pub fn matches(&self, lb: &EstateLoadBalancer) -> bool {
        let eq = |want: &str, have: &str| {
            want.trim().is_empty() || want.trim().eq_ignore_ascii_case(have)
        };
        let tag_ok = match self.tag.trim().split_once('=') {
            _ if self.tag.trim().is_empty() => true,
            Some((k, v)) => lb.tags.iter().any(|(tk, tv)| {
                tk.eq_ignore_ascii_case(k.trim()) && tv.eq_ignore_ascii_case(v.trim())
            }),
            None => lb
                .tags
                .keys()
                .any(|k| k.eq_ignore_ascii_case(self.tag.trim())),
        };
        let text = self.text.trim().to_lowercase();
        let text_ok = text.is_empty()
            || [&lb.name, &lb.resource_group, &lb.location]
                .iter()
                .any(|f| f.to_lowercase().contains(&text))
            || lb.tags.values().any(|v| v.to_lowercase().contains(&text));
        eq(&self.subscription, &lb.subscription_id)
            && eq(&self.resource_group, &lb.resource_group)
            && tag_ok
            && text_ok
    }
}

/// Where in `rows` the rows that pass the filter are, worst first, then by name. Places,
/// not rows: the overview keys its table by them, so a new verdict redraws one cell, not
/// the row.
pub fn worst_first(rows: &[EstateRow], filter: &EstateFilter) -> Vec<usize> {
    let kept: Vec<usize> = (0..rows.len())
        .filter(|&i| filter.matches(&rows[i].lb))
        .collect();
    order::by_key(kept, |&i| {
        (rows[i].verdict.rank(), rows[i].lb.name.to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests;
