//! A small hand-drawn SVG chart of a percent series (probe status, data path
//! availability): a step line, since each point is an interval's average, broken where
//! Azure has no data. No chart crate: the path is a few lines of arithmetic. The chart is
//! an image with its text alternative as its accessible name, so a screen reader hears
//! "100% until 14:05, 0% since" rather than nothing.

use leptos::prelude::*;

use crate::arm::metrics::{Metric, Point};
use crate::health::probe_history::{Absent, SeriesHistory};

/// Minutes east of UTC, as the history's sentences want them.
pub fn tz_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// The path's `d`: x spans `[start, end)` over `width`, y spans 100%..0% over `height`
/// (1 px of margin so a flat line at 100% or 0% is not clipped). Each point covers its
/// interval; a point without a value, or a gap between points, lifts the pen.
pub fn step_path(
    points: &[Point],
    start: i64,
    end: i64,
    interval_s: i64,
    width: f64,
    height: f64,
) -> String {
    let span = (end - start).max(1) as f64;
    let x = |t: i64| ((t - start) as f64 / span * width).clamp(0.0, width);
    let y = |v: f64| 1.0 + (100.0 - v.clamp(0.0, 100.0)) / 100.0 * (height - 2.0);
    let mut d = String::new();
    let mut pen: Option<i64> = None;
    for p in points {
        let Some(v) = p.value else {
            pen = None;
            continue;
        };
        if p.t + interval_s <= start || p.t >= end {
            pen = None;
            continue;
        }
        let (x0, x1, y0) = (x(p.t), x(p.t + interval_s), y(v));
        if pen == Some(p.t) {
            d.push_str(&format!("V{y0:.1}H{x1:.1}"));
        } else {
            d.push_str(&format!("M{x0:.1} {y0:.1}H{x1:.1}"));
        }
        pen = Some(p.t + interval_s);
    }
    d
}

/// The chart. `description` is its text alternative, read as the image's name.
#[component]
pub fn Sparkline(
    points: Vec<Point>,
    start: i64,
    end: i64,
    interval_s: i64,
    #[prop(into)] description: String,
    #[prop(default = 120)] width: u32,
    #[prop(default = 24)] height: u32,
) -> impl IntoView {
    let d = step_path(
        &points,
        start,
        end,
        interval_s,
        f64::from(width),
        f64::from(height),
    );
    view! {
        <svg
            class="sparkline"
            role="img"
            aria-label=description
            viewBox={format!("0 0 {width} {height}")}
            width=width
            height=height
            focusable="false"
        >
            <line class="sparkline-base" x1="0" x2={width} y1={height - 1} y2={height - 1} />
            <path d=d fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
        </svg>
    }
}

/// One backend's or frontend's history as a chart, named by its runs in words.
#[component]
pub fn HistoryChart(history: SeriesHistory, tz_offset_min: i32) -> impl IntoView {
    let description = history.describe(tz_offset_min);
    view! {
        <Sparkline
            points=history.points
            start=history.end_s - history.window_s
            end=history.end_s
            interval_s=history.interval_s
            description=description
        />
    }
}

/// Why a metric's chart is not there, in words, with a way to ask again where asking
/// again can help (never a blank).
#[component]
pub fn MetricAbsent(absent: Absent, metric: Metric, retry: Callback<()>) -> impl IntoView {
    let (head, next) = absent.message(metric);
    let label = match metric {
        Metric::HealthProbe => "Retry probe history",
        Metric::DataPath => "Retry data path availability",
    };
    let retry = matches!(absent, Absent::Throttled { .. } | Absent::Failed { .. }).then(|| {
        view! {
            " "
            <button type="button" on:click=move |_| retry.run(())>{label}</button>
        }
    });
    view! { <p class="probe-absent" role="note"><strong>{head}</strong>" " {next}{retry}</p> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: i64, v: Option<f64>) -> Point {
        Point { t, value: v }
    }

    #[test]
    fn a_step_line_drops_where_the_value_drops_and_breaks_at_gaps() {
        let pts = [
            p(0, Some(100.0)),
            p(60, Some(100.0)),
            p(120, Some(0.0)),
            p(180, None),
            p(240, Some(50.0)),
        ];
        assert_eq!(
            step_path(&pts, 0, 300, 60, 100.0, 22.0),
            "M0.0 1.0H20.0V1.0H40.0V21.0H60.0M80.0 11.0H100.0"
        );
        assert_eq!(step_path(&[], 0, 300, 60, 100.0, 22.0), "");
        assert_eq!(
            step_path(&[p(0, None)], 0, 300, 60, 100.0, 22.0),
            "",
            "no data draws nothing"
        );
    }

    #[test]
    fn points_outside_the_window_and_odd_values_stay_in_the_box() {
        let pts = [
            p(-120, Some(100.0)),
            p(0, Some(150.0)),
            p(60, Some(-5.0)),
            p(600, Some(100.0)),
        ];
        assert_eq!(
            step_path(&[p(-30, Some(100.0))], 0, 120, 60, 100.0, 22.0),
            "M0.0 1.0H25.0",
            "a point that began before the window is cut at its edge"
        );
        assert_eq!(
            step_path(&pts, 0, 120, 60, 100.0, 22.0),
            "M0.0 1.0H50.0V21.0H100.0"
        );
        assert_eq!(
            step_path(&[p(0, Some(100.0))], 0, 0, 60, 100.0, 22.0),
            "",
            "an empty window draws nothing, without dividing by zero"
        );
    }
}
