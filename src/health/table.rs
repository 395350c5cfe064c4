//! The panel's table as data: sort, filter, group and page the summary rows. Pure, so
//! the behaviour on 5,000 rows is tested on the host and the view only renders a page.

use super::catalog::State;
use super::summary::Row;
use crate::health::order;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// ARM's order.
    #[default]
    Original,
    Instance,
    Ip,
    State,
    Reason,
}

impl SortKey {
    pub fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "instance" => SortKey::Instance,
            "ip" => SortKey::Ip,
            "state" => SortKey::State,
            "reason" => SortKey::Reason,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Original => "",
            SortKey::Instance => "instance",
            SortKey::Ip => "ip",
            SortKey::State => "state",
            SortKey::Reason => "reason",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct View {
    pub sort: SortKey,
    pub descending: bool,
    /// Only rows in this state.
    pub state: Option<State>,
    /// Only rows with this reason code (exact, case-insensitive).
    pub reason: Option<String>,
    /// Case-insensitive substring of instance, IP, code or portal text.
    pub text: String,
}

impl View {
    pub fn is_filtered(&self) -> bool {
        self.state.is_some() || self.reason.is_some() || !self.text.trim().is_empty()
    }

    /// Indices into `rows` of what to show, in order.
    pub fn apply(&self, rows: &[Row]) -> Vec<usize> {
        let text = self.text.trim().to_ascii_lowercase();
        let mut idx: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                let r = &rows[i];
                self.state.is_none_or(|s| r.state == s)
                    && self
                        .reason
                        .as_deref()
                        .is_none_or(|c| r.reason.code.eq_ignore_ascii_case(c))
                    && (text.is_empty()
                        || contains(&r.instance, &text)
                        || contains(&r.ip, &text)
                        || contains(&r.reason.code, &text)
                        || contains(&r.reason.portal_text, &text))
            })
            .collect();
        if self.sort != SortKey::Original {
            // One key type and one unstable sort (index as the tie-break keeps it
            // deterministic): every extra `sort_by_key` instantiation costs wasm size.
            let mut keyed: Vec<(order::Key, usize)> =
                idx.into_iter().map(|i| (self.key(&rows[i]), i)).collect();
            order::sort_keyed(&mut keyed);
            idx = keyed.into_iter().map(|(_, i)| i).collect();
        }
        if self.descending {
            idx.reverse();
        }
        idx
    }
}

impl View {
    fn key(&self, r: &Row) -> (u64, String) {
        match self.sort {
            SortKey::Original => (0, String::new()),
            SortKey::Instance => (0, natural(&r.instance)),
            SortKey::Ip => ip_key(&r.ip),
            SortKey::State => (state_rank(r.state) as u64, String::new()),
            SortKey::Reason => (0, r.reason.portal_text.to_ascii_lowercase()),
        }
    }
}

/// Reason codes with how many rows have each, most common first: the "group by reason"
/// view and the reason filter's choices.
pub fn reason_groups(rows: &[Row]) -> Vec<(String, String, State, usize)> {
    let mut groups: Vec<(String, String, State, usize)> = Vec::new();
    for r in rows {
        match groups
            .iter_mut()
            .find(|g| g.0.eq_ignore_ascii_case(&r.reason.code))
        {
            Some(g) => g.3 += 1,
            None => groups.push((
                r.reason.code.clone(),
                r.reason.portal_text.clone(),
                r.reason.state,
                1,
            )),
        }
    }
    // Most rows first, then by code (codes are distinct). Through the same key type and
    // unstable sort as `View::apply`: a stable `sort_by` here linked a second sort
    // implementation into the wasm.
    order::by_key(groups, |g| (u64::MAX - g.3 as u64, g.0.clone()))
}

/// Down first, so an incident's rows lead when sorting by state.
fn state_rank(s: State) -> u8 {
    match s {
        State::Down => 0,
        State::Unknown => 1,
        State::Up => 2,
    }
}

/// ASCII case-insensitive `contains` without lowering a copy of `hay`: a keystroke in
/// the filter runs this four times per row, 20,000 times on a 5,000-row rule.
fn contains(hay: &str, needle_lower: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle_lower.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// `vm-10` after `vm-9`: digit runs are zero-padded so text order is number order.
fn natural(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if !digits.is_empty() {
            let trimmed = digits.trim_start_matches('0');
            for _ in trimmed.len()..20 {
                out.push('0');
            }
            out.push_str(trimmed);
            digits.clear();
        }
    };
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c.to_ascii_lowercase());
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// IPv4 numerically; anything else (IPv6) after, as text; empty last.
fn ip_key(ip: &str) -> (u64, String) {
    let parts: Vec<u64> = ip
        .split('.')
        .filter_map(|p| p.parse().ok())
        .filter(|n| *n < 256)
        .collect();
    if parts.len() == 4 {
        (parts.iter().fold(0, |acc, p| acc << 8 | p), String::new())
    } else {
        (
            if ip.is_empty() { 2 << 32 } else { 1 << 32 },
            ip.to_ascii_lowercase(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::model::{BackendHealth, HealthResult};
    use crate::health::summary::summarise;

    fn rows(n: usize) -> Vec<Row> {
        let mix = [
            ("Up", "Up_Probe_Success"),
            ("Down", "Down_Probe_TcpProbeTimeout"),
            ("Up", "Up_Admin"),
            ("", ""),
        ];
        let result = HealthResult {
            up: 0,
            down: 0,
            load_balancer_backend_addresses: (0..n)
                .map(|i| BackendHealth {
                    ip_address: if mix[i % 4].0.is_empty() { String::new() } else { format!("10.0.{}.{}", i / 250, i % 250) },
                    network_interface_ip_configuration_id: format!("/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkInterfaces/vm-{i}-nic/ipConfigurations/c"),
                    state: mix[i % 4].0.into(),
                    reason: mix[i % 4].1.into(),
                })
                .collect(),
        };
        summarise(&result, None).rows
    }

    #[test]
    fn contains_folds_ascii_case_only() {
        assert!(contains("VM-Web-10", "web-1"));
        assert!(contains("anything", ""));
        assert!(!contains("vm", "vm-1"));
        assert!(contains("Ünïcode VM", "vm"));
        // Like `to_ascii_lowercase`, non-ASCII letters are compared as they are.
        assert!(!contains("Ü", "ü"));
        assert!(contains("aü", "ü"));
    }

    #[test]
    fn natural_sort_puts_vm_10_after_vm_9() {
        let r = rows(12);
        let v = View {
            sort: SortKey::Instance,
            ..View::default()
        };
        let names: Vec<&str> = v
            .apply(&r)
            .into_iter()
            .map(|i| r[i].instance.as_str())
            .collect();
        assert_eq!(&names[8..11], &["vm-8", "vm-9", "vm-10"]);
    }

    #[test]
    fn sort_by_state_puts_down_first_and_reverses() {
        let r = rows(8);
        let mut v = View {
            sort: SortKey::State,
            ..View::default()
        };
        assert_eq!(r[v.apply(&r)[0]].state, State::Down);
        v.descending = true;
        assert_eq!(r[v.apply(&r)[0]].state, State::Up);
    }

    #[test]
    fn ip_sort_is_numeric() {
        let r = rows(600);
        let v = View {
            sort: SortKey::Ip,
            ..View::default()
        };
        let order = v.apply(&r);
        assert_eq!(r[order[0]].ip, "10.0.0.0");
        assert_eq!(r[order[1]].ip, "10.0.0.1");
        assert!(r[*order.last().unwrap()].ip.is_empty(), "empty IPs last");
    }

    #[test]
    fn filters_combine_on_5000_rows() {
        let r = rows(5000);
        let only_down = View {
            state: Some(State::Down),
            ..View::default()
        };
        assert_eq!(only_down.apply(&r).len(), 1250);
        let by_reason = View {
            reason: Some("up_admin".into()),
            ..View::default()
        };
        assert_eq!(by_reason.apply(&r).len(), 1250);
        let text = View {
            text: "vm-4999".into(),
            ..View::default()
        };
        assert_eq!(text.apply(&r).len(), 1);
        let by_portal_text = View {
            text: "TCP PROBE TIMEOUT".into(),
            state: Some(State::Down),
            ..View::default()
        };
        assert_eq!(by_portal_text.apply(&r).len(), 1250);
        assert!(by_portal_text.is_filtered());
    }

    #[test]
    fn groups_count_reasons_most_common_first() {
        let r = rows(10);
        let g = reason_groups(&r);
        assert_eq!(g.iter().map(|g| g.3).sum::<usize>(), 10);
        assert_eq!(g[0].3, 3);
    }
}
