//! Turns a health result and the load balancer's description into what the panel
//! shows: one row per backend with its reason explained, the counts, and the rule's
//! context (probe, pool, frontend), including why health may not be available at all.

use crate::arm::id::{instance_name, last_segment};
use crate::arm::model::{HealthResult, LoadBalancer, ProbeProperties};

use std::sync::Arc;

use super::catalog::{explain, Reason, State};

/// Distinct (code, state) pairs explained once per result; past this many (a hostile
/// or very odd answer), each further row is explained on its own.
const SHARED_REASONS: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub instance: String,
    pub ip: String,
    pub state: State,
    /// Shared by the rows with the same code: a 5,000-row rule has a handful of
    /// distinct reasons, and the panel and the rules list each hold the rows.
    pub reason: Arc<Reason>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub up: usize,
    pub down: usize,
    pub unknown: usize,
    pub rows: Vec<Row>,
    /// ARM's own `up`/`down` when they disagree with the rows, shown as a note.
    pub reported_mismatch: Option<(u32, u32)>,
    /// Rows that repeat an earlier row's NIC configuration and IP: kept (they are what
    /// Azure said) but flagged, since they inflate the counts.
    pub duplicates: usize,
}

pub fn summarise(result: &HealthResult, probe: Option<&ProbeProperties>) -> Summary {
    let mut shared: Vec<(&str, &str, Arc<Reason>)> = Vec::new();
    let rows: Vec<Row> = result
        .load_balancer_backend_addresses
        .iter()
        .map(|b| {
            let reason = match shared
                .iter()
                .find(|(c, s, _)| *c == b.reason && *s == b.state)
            {
                Some((_, _, r)) => r.clone(),
                None => {
                    let r = Arc::new(explain(&b.reason, &b.state, probe));
                    if shared.len() < SHARED_REASONS {
                        shared.push((&b.reason, &b.state, r.clone()));
                    }
                    r
                }
            };
            let state = match State::parse(&b.state) {
                State::Unknown => reason.state,
                s => s,
            };
            let instance = instance_name(&b.network_interface_ip_configuration_id)
                .or_else(|| {
                    // Global LBs list regional frontends rather than NICs.
                    let id = &b.network_interface_ip_configuration_id;
                    id.to_ascii_lowercase()
                        .contains("/loadbalancers/")
                        .then(|| regional_name(id))
                })
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| {
                    if b.ip_address.is_empty() {
                        "Unknown instance".into()
                    } else {
                        b.ip_address.clone()
                    }
                });
            Row {
                instance,
                ip: b.ip_address.clone(),
                state,
                reason,
            }
        })
        .collect();
    let up = rows.iter().filter(|r| r.state == State::Up).count();
    let down = rows.iter().filter(|r| r.state == State::Down).count();
    let reported = (result.up, result.down);
    let mismatch = (reported != (up as u32, down as u32) && reported != (0, 0)).then_some(reported);
    // Sorted, not scanned pairwise: 60,000 rows must not go quadratic. Through the table's
    // key type and unstable sort rather than a HashSet, whose hashing code cost wasm size.
    // The key `(nic length, nic + ip)` is equal exactly when both parts are.
    let mut keys: Vec<(crate::health::order::Key, usize)> = result
        .load_balancer_backend_addresses
        .iter()
        .filter(|b| {
            !(b.network_interface_ip_configuration_id.is_empty() && b.ip_address.is_empty())
        })
        .map(|b| {
            let nic = &b.network_interface_ip_configuration_id;
            ((nic.len() as u64, format!("{nic}{}", b.ip_address)), 0)
        })
        .collect();
    crate::health::order::sort_keyed(&mut keys);
    let duplicates = keys.windows(2).filter(|w| w[0].0 == w[1].0).count();
    Summary {
        up,
        down,
        unknown: rows.len() - up - down,
        rows,
        reported_mismatch: mismatch,
        duplicates,
    }
}

fn regional_name(id: &str) -> String {
    let segs: Vec<&str> = id.split('/').collect();
    segs.iter()
        .position(|s| s.eq_ignore_ascii_case("loadBalancers"))
        .and_then(|i| segs.get(i + 1))
        .map(|s| (*s).to_owned())
        .unwrap_or_default()
}

/// Why the health operation cannot answer for a rule, decided from the LB's own
/// description before any call (the operation's documented limitations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    GatewayLoadBalancer,
    NoProbe,
}

impl Unavailable {
    pub fn message(self) -> &'static str {
        match self {
            Unavailable::GatewayLoadBalancer => "Health status isn't available for Gateway load balancers. Check the health of the network virtual appliances through their own monitoring, or the load balancer's Health Probe Status metric.",
            Unavailable::NoProbe => "This rule has no health probe, so Azure has no per-backend health to report. Add a health probe to the rule to see backend health here.",
        }
    }
    pub fn short(self) -> &'static str {
        match self {
            Unavailable::GatewayLoadBalancer => "Not supported (Gateway)",
            Unavailable::NoProbe => "No health probe",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RuleContext {
    pub name: String,
    pub protocol: String,
    pub frontend_port: u16,
    pub backend_port: u16,
    pub frontend: String,
    pub backend_pool: String,
    pub probe_name: Option<String>,
    pub probe: Option<ProbeProperties>,
    pub unavailable: Option<Unavailable>,
    /// The load balancer's SKU name: Basic publishes no metrics, so its panel says so
    /// instead of asking Azure Monitor.
    pub sku: String,
}

impl RuleContext {
    pub fn all(lb: &LoadBalancer) -> Vec<RuleContext> {
        let gateway = lb.sku.name.eq_ignore_ascii_case("Gateway");
        lb.properties
            .load_balancing_rules
            .iter()
            .map(|r| {
                let p = &r.properties;
                let probe_id = p
                    .probe
                    .as_ref()
                    .map(|s| s.id.clone())
                    .filter(|s| !s.is_empty());
                let probe = probe_id.as_ref().and_then(|id| {
                    lb.properties
                        .probes
                        .iter()
                        .find(|pr| pr.id.eq_ignore_ascii_case(id))
                        .map(|pr| pr.properties.clone())
                });
                let unavailable = if gateway {
                    Some(Unavailable::GatewayLoadBalancer)
                } else if probe_id.is_none() {
                    Some(Unavailable::NoProbe)
                } else {
                    None
                };
                RuleContext {
                    name: r.name.clone(),
                    protocol: p.protocol.clone(),
                    frontend_port: p.frontend_port,
                    backend_port: p.backend_port,
                    frontend: p
                        .frontend_ip_configuration
                        .as_ref()
                        .map(|s| last_segment(&s.id).to_owned())
                        .unwrap_or_default(),
                    backend_pool: p
                        .backend_address_pool
                        .as_ref()
                        .map(|s| last_segment(&s.id).to_owned())
                        .unwrap_or_default(),
                    probe_name: probe_id.as_deref().map(|id| last_segment(id).to_owned()),
                    probe,
                    unavailable,
                    sku: lb.sku.name.clone(),
                }
            })
            .collect()
    }

    /// "HTTP :80 /healthz every 5 s, threshold 2", or what is known of it.
    pub fn probe_text(&self) -> String {
        let Some(p) = &self.probe else {
            return match &self.probe_name {
                Some(n) => format!("{n} (not found in the load balancer)"),
                None => "None".into(),
            };
        };
        let mut s = format!("{} :{}", p.protocol.to_ascii_uppercase(), p.port);
        if let Some(path) = p.request_path.as_deref().filter(|x| !x.is_empty()) {
            s.push(' ');
            s.push_str(path);
        }
        if let Some(i) = p.interval_in_seconds {
            s.push_str(&format!(", every {i} s"));
        }
        if let Some(t) = p.probe_threshold.or(p.number_of_probes) {
            s.push_str(&format!(", threshold {t}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::catalog::Category;

    fn mixed() -> HealthResult {
        crate::arm::model::parse(include_str!(
            "../../tests/fixtures/health-result-mixed.json"
        ))
        .unwrap()
    }

    #[test]
    fn counts_come_from_the_rows() {
        let s = summarise(&mixed(), None);
        assert_eq!((s.up, s.down, s.unknown), (2, 3, 1));
        assert_eq!(s.reported_mismatch, None);
    }

    #[test]
    fn rows_are_named_from_the_nic() {
        let s = summarise(&mixed(), None);
        assert_eq!(s.rows[0].instance, "vm-web-1");
        assert_eq!(s.rows[4].reason.category, Category::NotRetrievable);
        assert!(!s.rows[5].reason.known);
    }

    #[test]
    fn reported_counts_that_disagree_are_kept() {
        let mut r = mixed();
        r.up = 9;
        assert_eq!(summarise(&r, None).reported_mismatch, Some((9, 3)));
    }

    #[test]
    fn repeated_backends_are_counted() {
        let mut r = mixed();
        let again = r.load_balancer_backend_addresses.clone();
        r.load_balancer_backend_addresses.extend(again);
        assert_eq!(summarise(&r, None).duplicates, 6);
        assert_eq!(summarise(&mixed(), None).duplicates, 0);
    }

    #[test]
    fn sixty_thousand_rows_summarise_quickly() {
        let big = crate::demo::estate::estate().with_large_rule(60_000);
        let h = big.health(big.rules.last().unwrap(), 0);
        let t = std::time::Instant::now();
        let s = summarise(&h, None);
        assert_eq!(s.rows.len(), 60_000);
        assert_eq!(s.duplicates, 0);
        // Generous on purpose (debug build, busy CI); a quadratic pass takes minutes.
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn empty_result_is_empty_not_an_error() {
        let s = summarise(&HealthResult::default(), None);
        assert!(s.rows.is_empty());
        assert_eq!((s.up, s.down), (0, 0));
    }

    #[test]
    fn rule_context_reads_probe_and_limits() {
        let lb: LoadBalancer =
            crate::arm::model::parse(include_str!("../../tests/fixtures/loadbalancer.json"))
                .unwrap();
        let rules = RuleContext::all(&lb);
        assert_eq!(
            rules[0].probe_text(),
            "HTTP :80 /healthz, every 5 s, threshold 1"
        );
        assert_eq!(rules[0].backend_pool, "pool-web");
        assert_eq!(rules[0].frontend, "fe-public");
        assert_eq!(rules[1].unavailable, Some(Unavailable::NoProbe));
        let mut gw = lb.clone();
        gw.sku.name = "Gateway".into();
        assert_eq!(
            RuleContext::all(&gw)[0].unavailable,
            Some(Unavailable::GatewayLoadBalancer)
        );
    }
}
