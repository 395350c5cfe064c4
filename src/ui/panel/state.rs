//! A backend's state as the table, the groups and the counts draw it, and durations
//! as text.

use leptos::prelude::*;

use crate::health::catalog::State;

pub(super) fn state_icon(state: State) -> &'static str {
    match state {
        State::Up => "✔ ",
        State::Down => "✖ ",
        State::Unknown => "? ",
    }
}

/// A state as an icon and a word, as in the portal: the one place the table and the
/// groups draw it.
pub(super) fn state_badge(state: State) -> impl IntoView {
    let class = match state {
        State::Up => "state up",
        State::Down => "state down",
        State::Unknown => "state unknown",
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{state_icon(state)}</span>
            {state.label()}
        </span>
    }
}

/// One of the summary's counts: "✔ 3 Up".
pub(super) fn state_count(state: State, n: usize) -> impl IntoView {
    let class = match state {
        State::Up => "count up",
        State::Down => "count down",
        State::Unknown => "count unknown",
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{state_icon(state)}</span>
            <strong>{n}</strong>
            " "
            {state.label()}
        </span>
    }
}

// Whole and tenth seconds by integer arithmetic: float formatting would add ~10 KB of
// wasm for three numbers on screen.
pub(super) fn tenths(ms: f64) -> String {
    let t = (ms.max(0.0) as u64 + 50) / 100;
    format!("{}.{} s", t / 10, t % 10)
}
