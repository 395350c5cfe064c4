//! Watch mode's memory: successive checks of one rule, per backend, so the panel can say
//! what changed since the previous check and draw each backend's recent run. Only state
//! changes are stored (backends rarely change), so a 5,000-backend rule watched for an
//! hour costs a few thousand entries, not a few hundred thousand.

use super::catalog::State;
use super::summary::Row;
use crate::health::order;

/// Checks remembered per rule: an hour at one check a minute.
pub const KEEP: usize = 60;
/// State changes remembered per backend.
const KEEP_CHANGES: usize = 32;

/// One backend's state from a given check on, until its next entry.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    check: u32,
    /// `None`: the backend was absent from that check's result.
    state: Option<State>,
    code: String,
}

#[derive(Debug, Clone, PartialEq)]
struct Backend {
    key: String,
    instance: String,
    entries: Vec<Entry>,
}

/// What one backend did between the previous check and the latest.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// First seen in the latest check (after at least one earlier check).
    Appeared,
    /// In the previous check, not in the latest.
    Gone,
    State {
        from: State,
        to: State,
    },
    /// Same state, another reason code.
    Reason {
        from: String,
        to: String,
    },
}

/// The latest check compared with the previous one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Delta {
    pub went_down: Vec<String>,
    pub went_up: Vec<String>,
    pub other: usize,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.went_down.is_empty() && self.went_up.is_empty() && self.other == 0
    }

    /// One line for a notification or a status message; `None` when nothing changed.
    pub fn sentence(&self) -> Option<String> {
        let names = |v: &[String]| {
            let shown: Vec<&str> = v.iter().take(3).map(String::as_str).collect();
            let more = v.len().saturating_sub(3);
            if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        let plural = |n: usize| if n == 1 { "backend" } else { "backends" };
        let mut parts = Vec::new();
        if !self.went_down.is_empty() {
            parts.push(format!(
                "{} {} went Down ({})",
                self.went_down.len(),
                plural(self.went_down.len()),
                names(&self.went_down)
            ));
        }
        if !self.went_up.is_empty() {
            parts.push(format!(
                "{} {} came Up ({})",
                self.went_up.len(),
                plural(self.went_up.len()),
                names(&self.went_up)
            ));
        }
        if self.other > 0 {
            parts.push(format!("{} other {}", self.other, changes_word(self.other)));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Check number of the first label kept, and the labels (local times) of the checks.
    first: u32,
    labels: Vec<String>,
    /// When each kept check was made, seconds since 1970 UTC, if the caller said
    /// (`record_at`): probe history merges these after Azure Monitor's latest point.
    times: Vec<Option<i64>>,
    /// Sorted by key, for binary search without a hash map in the wasm.
    backends: Vec<Backend>,
}

/// "change" or "changes", for a count of them.
pub fn changes_word(n: usize) -> &'static str {
    if n == 1 {
        "change"
    } else {
        "changes"
    }
}

/// A backend's identity across checks: its instance and IP (the same NIC can list two).
pub fn key(row: &Row) -> String {
    format!("{}\u{1f}{}", row.instance, row.ip)
}

impl History {
    pub fn checks(&self) -> usize {
        self.labels.len()
    }

    fn latest(&self) -> Option<u32> {
        (!self.labels.is_empty()).then(|| self.first + self.labels.len() as u32 - 1)
    }

    /// Adds a check's rows and says what changed since the previous check.
    pub fn record(&mut self, label: &str, rows: &[Row]) -> Delta {
        let check = self.latest().map_or(0, |n| n + 1);
        self.labels.push(label.to_owned());
        self.times.push(None);
        if self.labels.len() > KEEP {
            self.labels.remove(0);
            self.times.remove(0);
            self.first += 1;
        }
        // Known backends are found by binary search; new ones are appended and the list
        // sorted once. Inserting each in place moved half the list per row: quadratic
        // for a 5,000-backend rule whose rows come in no particular order.
        let mut seen = vec![false; self.backends.len()];
        let known = self.backends.len();
        for row in rows {
            let k = key(row);
            match self.backends[..known].binary_search_by(|b| b.key.as_str().cmp(&k)) {
                // A second row for the same backend (Azure listed it twice): the first counts.
                Ok(i) if seen[i] => {}
                Ok(i) => {
                    seen[i] = true;
                    self.backends[i].set(check, Some(row.state), &row.reason.code);
                }
                Err(_) => {
                    let mut b = Backend {
                        key: k,
                        instance: row.instance.clone(),
                        entries: Vec::new(),
                    };
                    b.set(check, Some(row.state), &row.reason.code);
                    self.backends.push(b);
                }
            }
        }
        for (b, seen) in self.backends.iter_mut().zip(seen) {
            if !seen {
                b.set(check, None, "");
            }
        }
        if self.backends.len() > known {
            let all = std::mem::take(&mut self.backends);
            // Equal keys keep their order, so a new backend listed twice keeps its first row.
            self.backends = order::by_key(all, |b| (0, b.key.clone()));
            self.backends
                .dedup_by(|later, earlier| later.key == earlier.key);
        }
        // Forget backends absent for the whole kept window.
        let first = self.first;
        self.backends.retain(|b| {
            b.entries.iter().any(|e| e.state.is_some())
                && b.entries
                    .last()
                    .is_some_and(|e| e.state.is_some() || e.check > first)
        });
        self.delta()
    }

    /// As `record`, for a check made at `at_s` (seconds since 1970 UTC).
    pub fn record_at(&mut self, label: &str, at_s: i64, rows: &[Row]) -> Delta {
        let d = self.record(label, rows);
        if let Some(t) = self.times.last_mut() {
            *t = Some(at_s);
        }
        d
    }

    /// The backend's state in each kept check whose time is known, oldest first.
    pub fn observed(&self, row: &Row) -> Vec<(i64, Option<State>)> {
        self.times
            .iter()
            .zip(self.strip(row))
            .filter_map(|(t, s)| Some(((*t)?, s)))
            .collect()
    }

    /// The latest check against the previous one.
    pub fn delta(&self) -> Delta {
        let mut d = Delta::default();
        for b in &self.backends {
            match self.change_of(b) {
                Some(Change::State {
                    to: State::Down, ..
                }) => d.went_down.push(b.instance.clone()),
                Some(Change::State { to: State::Up, .. }) => d.went_up.push(b.instance.clone()),
                Some(_) => d.other += 1,
                None => {}
            }
        }
        d
    }

    /// What this backend did in the latest check.
    pub fn change(&self, row: &Row) -> Option<Change> {
        let k = key(row);
        let i = self
            .backends
            .binary_search_by(|b| b.key.as_str().cmp(&k))
            .ok()?;
        self.change_of(&self.backends[i])
    }

    fn change_of(&self, b: &Backend) -> Option<Change> {
        let latest = self.latest()?;
        if latest == self.first {
            return None;
        }
        let now = b.at(latest)?;
        let before = b.at(latest - 1);
        match (before.and_then(|e| e.state), now.state) {
            (None, Some(_))
                if before.is_some() || b.entries.first().is_some_and(|e| e.check == latest) =>
            {
                Some(Change::Appeared)
            }
            (Some(_), None) => Some(Change::Gone),
            (Some(from), Some(to)) if from != to => Some(Change::State { from, to }),
            (Some(_), Some(_)) => {
                let from = &before?.code;
                (*from != now.code).then(|| Change::Reason {
                    from: from.clone(),
                    to: now.code.clone(),
                })
            }
            _ => None,
        }
    }

    /// The backend's state in each kept check, oldest first (`None`: absent).
    pub fn strip(&self, row: &Row) -> Vec<Option<State>> {
        let k = key(row);
        let Ok(i) = self.backends.binary_search_by(|b| b.key.as_str().cmp(&k)) else {
            return vec![None; self.checks()];
        };
        let b = &self.backends[i];
        (0..self.labels.len() as u32)
            .map(|n| b.at(self.first + n).and_then(|e| e.state))
            .collect()
    }

    /// Every state or reason of the backend in the window, with the check it began at,
    /// oldest first (`None`: absent from that check).
    pub fn changes(&self, row: &Row) -> Vec<(&str, Option<State>, &str)> {
        let k = key(row);
        let Ok(i) = self.backends.binary_search_by(|b| b.key.as_str().cmp(&k)) else {
            return Vec::new();
        };
        self.backends[i]
            .entries
            .iter()
            .filter(|e| e.check >= self.first)
            .filter_map(|e| {
                Some((
                    self.labels.get((e.check - self.first) as usize)?.as_str(),
                    e.state,
                    e.code.as_str(),
                ))
            })
            .collect()
    }

    /// When the backend's current state began, as a check label, if within the window.
    pub fn since(&self, row: &Row) -> Option<&str> {
        let k = key(row);
        let b = &self.backends[self
            .backends
            .binary_search_by(|b| b.key.as_str().cmp(&k))
            .ok()?];
        let e = b.entries.last()?;
        let n = e.check.checked_sub(self.first)? as usize;
        (e.check > self.first)
            .then(|| self.labels.get(n).map(String::as_str))
            .flatten()
    }
}

impl Backend {
    fn set(&mut self, check: u32, state: Option<State>, code: &str) {
        if self
            .entries
            .last()
            .is_some_and(|e| e.state == state && e.code == code)
        {
            return;
        }
        self.entries.push(Entry {
            check,
            state,
            code: code.to_owned(),
        });
        if self.entries.len() > KEEP_CHANGES {
            self.entries.remove(0);
        }
    }

    /// The entry in force at `check`.
    fn at(&self, check: u32) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.check <= check)
    }
}

/// Watch mode's choices, in seconds (0: off).
pub const WATCH_CHOICES: [(usize, &str); 4] = [
    (0, "Off"),
    (30, "Every 30 s"),
    (60, "Every minute"),
    (300, "Every 5 minutes"),
];

/// Whether watch mode should check again now: on, idle, visible, and the interval has
/// passed since the last answer. A hidden tab waits: nobody is looking, and Azure's
/// throttling budget is shared with the user's other tools.
pub fn watch_due(every_s: usize, busy: bool, hidden: bool, since_last_ms: f64) -> bool {
    every_s > 0 && !busy && !hidden && since_last_ms >= every_s as f64 * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::catalog::explain;

    fn row(instance: &str, code: &str) -> Row {
        let reason = explain(code, "", None);
        Row {
            instance: instance.into(),
            ip: format!("10.0.0.{}", instance.len()),
            state: reason.state,
            reason: reason.into(),
        }
    }

    #[test]
    fn the_first_check_changes_nothing() {
        let mut h = History::default();
        let d = h.record(
            "10:00",
            &[
                row("vm-a", "Up_ProbeSuccess"),
                row("vm-b", "Down_ProbeFailure"),
            ],
        );
        assert!(d.is_empty());
        assert_eq!(d.sentence(), None);
        assert_eq!(h.change(&row("vm-a", "Up_ProbeSuccess")), None);
        assert_eq!(
            h.strip(&row("vm-a", "Up_ProbeSuccess")),
            vec![Some(State::Up)]
        );
    }

    #[test]
    fn state_reason_appearance_and_disappearance_are_told_apart() {
        let mut h = History::default();
        h.record(
            "10:00",
            &[
                row("vm-a", "Up_ProbeSuccess"),
                row("vm-b", "Down_ProbeFailure"),
                row("vm-c", "Down_ProbeFailure"),
            ],
        );
        let d = h.record(
            "10:01",
            &[
                row("vm-a", "Down_ProbeFailure"),
                row("vm-b", "Up_ProbeSuccess"),
                row("vm-c", "Down_ProbeConnectionRefused"),
                row("vm-d", "Up_ProbeSuccess"),
            ],
        );
        assert_eq!(d.went_down, vec!["vm-a".to_owned()]);
        assert_eq!(d.went_up, vec!["vm-b".to_owned()]);
        assert_eq!(d.other, 2, "vm-c's reason and vm-d's arrival");
        assert_eq!(
            h.change(&row("vm-a", "")),
            Some(Change::State {
                from: State::Up,
                to: State::Down
            })
        );
        assert!(matches!(
            h.change(&row("vm-c", "")),
            Some(Change::Reason { .. })
        ));
        assert_eq!(h.change(&row("vm-d", "")), Some(Change::Appeared));
        assert_eq!(
            d.sentence().unwrap(),
            "1 backend went Down (vm-a); 1 backend came Up (vm-b); 2 other changes"
        );
        let d = h.record("10:02", &[row("vm-b", "Up_ProbeSuccess")]);
        assert_eq!(d.other, 3, "vm-a, vm-c and vm-d are gone");
        assert_eq!(h.change(&row("vm-a", "")), Some(Change::Gone));
        assert_eq!(
            h.strip(&row("vm-a", "")),
            vec![Some(State::Up), Some(State::Down), None]
        );
        assert_eq!(h.since(&row("vm-b", "")), Some("10:01"));
        assert_eq!(
            h.changes(&row("vm-a", "")),
            vec![
                ("10:00", Some(State::Up), "Up_ProbeSuccess"),
                ("10:01", Some(State::Down), "Down_ProbeFailure"),
                ("10:02", None, "")
            ]
        );
    }

    #[test]
    fn rows_in_any_order_with_repeats_are_tracked_once_each() {
        let mut h = History::default();
        // Descending and interleaved, with a repeated backend whose first row counts.
        let first: Vec<Row> = (0..300)
            .rev()
            .map(|n| row(&format!("vm-{n:03}"), "Up_ProbeSuccess"))
            .chain([row("vm-150", "Down_ProbeFailure")])
            .collect();
        h.record("10:00", &first);
        assert_eq!(h.backends.len(), 300);
        assert!(
            h.backends.windows(2).all(|w| w[0].key < w[1].key),
            "kept sorted for binary search"
        );
        assert_eq!(h.strip(&row("vm-150", "")), vec![Some(State::Up)]);
        // The next check: some new, in mixed order; one goes Down.
        let mut second: Vec<Row> = (0..300)
            .map(|n| {
                row(
                    &format!("vm-{n:03}"),
                    if n == 7 {
                        "Down_ProbeFailure"
                    } else {
                        "Up_ProbeSuccess"
                    },
                )
            })
            .collect();
        second.insert(10, row("vm-new-b", "Up_ProbeSuccess"));
        second.insert(3, row("vm-new-a", "Up_ProbeSuccess"));
        let d = h.record("10:01", &second);
        assert_eq!(d.went_down, vec!["vm-007".to_owned()]);
        assert_eq!(d.other, 2, "two arrivals");
        assert_eq!(h.change(&row("vm-new-a", "")), Some(Change::Appeared));
        assert_eq!(h.backends.len(), 302);
        assert!(h.backends.windows(2).all(|w| w[0].key < w[1].key));
    }

    #[test]
    fn a_steady_backend_stores_one_entry_and_the_window_is_bounded() {
        let mut h = History::default();
        for n in 0..(KEEP + 15) {
            h.record(&format!("t{n}"), &[row("vm-a", "Up_ProbeSuccess")]);
        }
        assert_eq!(h.checks(), KEEP);
        assert_eq!(h.backends[0].entries.len(), 1);
        assert_eq!(h.strip(&row("vm-a", "")).len(), KEEP);
        assert_eq!(
            h.since(&row("vm-a", "")),
            None,
            "Up for longer than the window"
        );
        // A flapping backend keeps only its latest changes.
        for n in 0..200 {
            h.record(
                &format!("f{n}"),
                &[row(
                    "vm-a",
                    if n % 2 == 0 {
                        "Down_ProbeFailure"
                    } else {
                        "Up_ProbeSuccess"
                    },
                )],
            );
        }
        assert_eq!(h.backends[0].entries.len(), KEEP_CHANGES);
    }

    #[test]
    fn long_gone_backends_are_forgotten_and_duplicates_count_once() {
        let mut h = History::default();
        h.record(
            "0",
            &[
                row("vm-a", "Up_ProbeSuccess"),
                row("vm-a", "Up_ProbeSuccess"),
            ],
        );
        assert_eq!(h.backends.len(), 1);
        for n in 1..=(KEEP + 1) {
            h.record(&n.to_string(), &[row("vm-b", "Up_ProbeSuccess")]);
        }
        assert!(h.backends.iter().all(|b| b.instance != "vm-a"));
    }

    #[test]
    fn watch_waits_for_its_interval_and_pauses_when_hidden_or_busy() {
        assert!(watch_due(30, false, false, 30_000.0));
        assert!(!watch_due(30, false, false, 29_999.0));
        assert!(!watch_due(0, false, false, 1e9), "off");
        assert!(!watch_due(30, true, false, 1e9), "a check is running");
        assert!(!watch_due(30, false, true, 1e9), "the tab is hidden");
    }

    #[test]
    fn many_names_are_shortened_in_the_sentence() {
        let d = Delta {
            went_down: (1..=5).map(|n| format!("vm-{n}")).collect(),
            went_up: vec![],
            other: 1,
        };
        assert_eq!(
            d.sentence().unwrap(),
            "5 backends went Down (vm-1, vm-2, vm-3 and 2 more); 1 other change"
        );
    }
}
