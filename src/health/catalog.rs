//! The reason-code catalog: what each backend row's `state`/`reason` pair means and what the
//! on-call engineer should do next. Portal texts are verbatim from the Azure doc
//! (`tests/fixtures/load-balancer-manage-health-status.md`, markdown emphasis removed);
//! explanations and next steps are our own. Pure Rust, tested on the host.

use crate::arm::model::ProbeProperties;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    Up,
    Down,
    Unknown,
}

impl State {
    /// Case-insensitive `Up`/`Down` (surrounding whitespace ignored); anything else is `Unknown`.
    pub fn parse(s: &str) -> State {
        let s = s.trim();
        if s.eq_ignore_ascii_case("up") {
            State::Up
        } else if s.eq_ignore_ascii_case("down") {
            State::Down
        } else {
            State::Unknown
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            State::Up => "Up",
            State::Down => "Down",
            State::Unknown => "Unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    UserSuccess,
    UserFailure,
    Platform,
    NotProbed,
    NotRetrievable,
    Unknown,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::UserSuccess => "User-triggered success",
            Category::UserFailure => "User-triggered failure",
            Category::Platform => "Platform-triggered",
            Category::NotProbed => "Not probed yet",
            Category::NotRetrievable => "Not retrievable",
            Category::Unknown => "Unknown code",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The raw code as ARM sent it, trimmed (`""` for the empty row).
    pub code: String,
    pub state: State,
    pub category: Category,
    /// What the portal displays (verbatim from the doc for the documented codes).
    pub portal_text: String,
    pub explanation: String,
    pub next_steps: Vec<String>,
    /// False only for codes this version does not know. `NA` and empty reasons are known situations.
    pub known: bool,
}

impl Reason {
    /// The tooltip's heading: the code as sent, the state and who caused it.
    pub fn heading(&self) -> String {
        let code = if self.code.is_empty() {
            "(empty)"
        } else {
            self.code.as_str()
        };
        format!(
            "{code} · {} · {}",
            self.state.label(),
            self.category.label()
        )
    }

    /// Everything the tooltip says, as one text: what a closed tooltip holds, so the
    /// info button's description is complete before it opens (see ui::tooltip).
    pub fn plain_text(&self) -> String {
        let mut t = format!(
            "{}\n{}\n{}\nWhat to do next:",
            self.heading(),
            self.portal_text,
            self.explanation
        );
        for step in &self.next_steps {
            t.push('\n');
            t.push_str(step);
        }
        t
    }
}

/// The 13 codes of the doc's three tables: 4 user success, 7 user failure, 2 platform.
pub const DOCUMENTED_CODES: &[&str] = &[
    "Up_Probe_Success",
    "Up_Probe_AllDownIsUp",
    "Up_Probe_ApproachingUnhealthyThreshold",
    "Up_Admin",
    "Down_Probe_ApproachingHealthyThreshold",
    "Down_Probe_HttpStatusCodeError",
    "Down_Probe_HttpEndpointUnreachable",
    "Down_Probe_TcpProbeTimeout",
    "Down_Probe_NoHealthyBackend",
    "Down_Admin",
    "Down_Probe_HttpNoResponse",
    "Up_Platform",
    "Down_Platform",
];

use Category::{Platform, UserFailure, UserSuccess};
use State::{Down, Up};

/// (code, state, category, portal text, explanation)
const ENTRIES: &[(&str, State, Category, &str, &str)] = &[
    ("Up_Probe_Success", Up, UserSuccess,
     "The backend instance is responding to health probe successfully.",
     "The instance passed its recent health probes, so the load balancer sends it new connections."),
    ("Up_Probe_AllDownIsUp", Up, UserSuccess,
     "The backend instance is considered healthy due to enablement of NoHealthyBackendsBehavior.",
     "Every instance behind this rule is failing its probe, but the probe's noHealthyBackendsBehavior is AllProbedUp, so the load balancer treats them all as up and keeps sending traffic instead of dropping it. This is an outage hidden by a fail-open setting."),
    ("Up_Probe_ApproachingUnhealthyThreshold", Up, UserSuccess,
     "Health probe is approaching an unhealthy threshold but backend instance remains healthy based on last response.",
     "The latest probe failed, but not enough consecutive probes have failed yet to take the instance out; it still gets traffic for now."),
    ("Up_Admin", Up, UserSuccess,
     "The backend instance is healthy due to Admin State set to Up.",
     "Someone set the admin state of this backend pool address to Up, so the load balancer sends it traffic whatever the probe says; a broken instance would still get requests."),
    ("Down_Probe_ApproachingHealthyThreshold", Down, UserFailure,
     "Health probe is approaching a healthy threshold but backend instance remains unhealthy based on last response.",
     "The latest probe succeeded, but the instance needs more consecutive successes before it is put back in rotation; until then it gets no new connections. Common right after a restart or deployment."),
    ("Down_Probe_HttpStatusCodeError", Down, UserFailure,
     "A non-200 HTTP status code received; meaning there's an issue with the application listening on the port.",
     "The application answered the HTTP(S) probe, but with a status other than 200 (redirects and 5xx included), so the instance is taken out of rotation."),
    ("Down_Probe_HttpEndpointUnreachable", Down, UserFailure,
     "HTTP endpoint unreachable; meaning either an NSG rule blocking port or unhealthy app listening on port.",
     "A TCP connection to the probe port was made, but the HTTP request on it was refused: usually a network rule in the way or a process on that port that is not serving HTTP properly."),
    ("Down_Probe_TcpProbeTimeout", Down, UserFailure,
     "TCP probe timeout; meaning either unhealthy backend instance, blocked health probe port, or unhealthy app listening on port.",
     "The load balancer could not open a TCP connection to the probe port in time: the VM may be down or hung, the port may be blocked, or nothing may be listening on it."),
    ("Down_Probe_NoHealthyBackend", Down, UserFailure,
     "No healthy backend instances behind the regional load balancer.",
     "This backend is a regional load balancer behind a Global (cross-region) load balancer, and none of that regional load balancer's own instances is healthy, so the global one stops sending it traffic."),
    ("Down_Admin", Down, UserFailure,
     "The backend instance is unhealthy due to Admin State set to Down.",
     "Someone set the admin state of this backend pool address to Down (often for maintenance), so it gets no new connections whatever the probe says."),
    ("Down_Probe_HttpNoResponse", Down, UserFailure,
     "Application isn't returning a response.",
     "The HTTP connection to the probe was set up, but the application never sent an answer: it is probably hung, deadlocked or overloaded."),
    ("Up_Platform", Up, Platform,
     "The backend instance is responding to the health probe successfully, but there may be an infrastructure related issue. The Azure service team is alerted and will resolve the issue.",
     "The instance passes its probe and is in rotation, but Azure has flagged a problem in its own infrastructure for it; Microsoft is already alerted."),
    ("Down_Platform", Down, Platform,
     "The backend instance is unhealthy due to an infrastructure related issue. The Azure service team is alerted and will resolve the issue.",
     "The instance is out of rotation because of a problem in Azure's infrastructure, not your configuration. Behind a Global load balancer it also appears, by design, when a regional pool uses an IP-based backend that is not a VM."),
];

const SHOWN_CODE_MAX: usize = 100;

/// The probe target, phrased for next steps; generic wording when the probe is not known.
struct ProbeText {
    port: String,
    http_url: String,
    is_tcp: bool,
    wait: String,
    interval: String,
}

impl ProbeText {
    fn new(p: Option<&ProbeProperties>) -> Self {
        let Some(p) = p else {
            return ProbeText {
                port: "the probe's port".into(),
                http_url: "http://<backend-ip>:<probe-port><probe-path>".into(),
                is_tcp: false,
                wait: "one probe interval times the probe threshold (see the rule's probe)".into(),
                interval: "one probe interval".into(),
            };
        };
        let proto = p.protocol.trim().to_ascii_lowercase();
        let scheme = if proto == "https" { "https" } else { "http" };
        let port = if p.port == 0 {
            "<probe-port>".to_string()
        } else {
            p.port.to_string()
        };
        let path = p
            .request_path
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or("/");
        let slash = if path.starts_with('/') { "" } else { "/" };
        let (interval, threshold) = (
            p.interval_in_seconds,
            p.probe_threshold.or(p.number_of_probes).unwrap_or(1).max(1),
        );
        ProbeText {
            port: format!("port {port}"),
            http_url: format!("{scheme}://<backend-ip>:{port}{slash}{path}"),
            is_tcp: proto == "tcp",
            wait: match interval {
                Some(i) => format!(
                    "{} seconds ({i} s interval x {threshold} probes)",
                    i.max(1).saturating_mul(threshold)
                ),
                None => format!("{threshold} probe intervals"),
            },
            interval: match interval {
                Some(i) => format!("{i} seconds"),
                None => "one probe interval".into(),
            },
        }
    }
    /// How to reproduce the probe by hand from inside the virtual network.
    fn reproduce(&self) -> String {
        if self.is_tcp {
            let n = self.port.trim_start_matches("port ");
            format!("From a VM in the same virtual network check the port answers: `nc -vz <backend-ip> {n}` on Linux, `Test-NetConnection <backend-ip> -Port {n}` on Windows")
        } else {
            format!(
                "From a VM in the same virtual network run `curl -i {}` and check it returns 200",
                self.http_url
            )
        }
    }
}

fn steps(code: &str, p: &ProbeText) -> Vec<String> {
    let (port, wait) = (&p.port, &p.wait);
    let nsg = format!("Check that the NSG on the NIC and on the subnet allows inbound from the AzureLoadBalancer service tag on {port}");
    let admin = |v: &str| {
        format!("To let the probe decide again: `az network lb address-pool address update -g <rg> --lb-name <lb> --pool-name <pool> -n <address-name> --admin-state None` (it is {v} now; portal: Backend pools > address > Admin state)")
    };
    let platform = vec![
        "Nothing to change on your side: this is an Azure infrastructure issue".to_string(),
        "Check Azure Service Health for the region and Resource Health of the VM and the load balancer".to_string(),
        "If it persists for more than an hour or hurts traffic, open an Azure support case with the load balancer, rule and backend IP".to_string(),
    ];
    match code {
        "Up_Probe_Success" => vec![
            "Nothing to do: this instance is healthy".into(),
            format!("If users still see errors, the probe only checks {port}: test the real application path too"),
        ],
        "Up_Probe_AllDownIsUp" => vec![
            "Treat this as an outage: every instance fails its probe and traffic is sent to them anyway (noHealthyBackendsBehavior = AllProbedUp)".into(),
            p.reproduce(),
            nsg,
            "Fix the probe failures; once any instance passes, only the passing ones get traffic again".into(),
        ],
        "Up_Probe_ApproachingUnhealthyThreshold" => vec![
            format!("Refresh in {wait}: if the probes keep failing the instance turns Down"),
            p.reproduce(),
            "Check the instance for load or restarts (CPU, memory, application restarts, recent deployments)".into(),
        ],
        "Up_Admin" => vec![
            "Confirm the Up override is intended: it sends traffic even if the application is broken. Before removing it, check the instance passes its probe:".into(),
            p.reproduce(),
            admin("Up"),
        ],
        "Down_Admin" => vec![
            "Ask whether this is planned maintenance before changing anything".into(),
            admin("Down"),
            format!("After the change, refresh in {wait} and check it turns Up"),
        ],
        "Down_Probe_ApproachingHealthyThreshold" => vec![
            format!("Refresh in {wait}: it should turn Up if the probes keep succeeding"),
            "If it falls back to a failure code, follow that code's steps".into(),
            "If it flaps between up and down, look for intermittent failures (restarts, timeouts under load) in the application logs".into(),
        ],
        "Down_Probe_HttpStatusCodeError" => vec![
            p.reproduce(),
            "Check the application logs for the status it returns on the probe path".into(),
            "A redirect (301/302) also counts as a failure: serve 200 on the probe path itself (no HTTPS redirect, no auth)".into(),
        ],
        "Down_Probe_HttpEndpointUnreachable" => vec![
            p.reproduce(),
            nsg,
            format!("Check that the process on {port} speaks the probe's protocol (HTTP vs HTTPS) and is not rejecting the request"),
            "Check the web server's error log for refused or reset connections".into(),
        ],
        "Down_Probe_TcpProbeTimeout" => vec![
            nsg,
            format!("Check the guest OS firewall (iptables/ufw/firewalld, Windows Firewall) allows {port}"),
            format!("Check a process is listening on {port}: `ss -ltnp` on Linux, `netstat -ano` on Windows"),
            "Check the VM is running and responsive (Boot diagnostics, Resource Health)".into(),
        ],
        "Down_Probe_NoHealthyBackend" => vec![
            "Open the regional load balancer behind this Global load balancer in LB Health and check its rule's backends".into(),
            "Fix those backends using their own reason codes".into(),
            "Meanwhile the Global load balancer sends traffic to the other regions; check they have capacity".into(),
        ],
        "Down_Probe_HttpNoResponse" => vec![
            format!("Reproduce with a timeout: `curl -i --max-time 5 {}`", p.http_url),
            "Check the application for hung requests, exhausted worker or thread pools, and slow dependencies on the probe path".into(),
            "Make the probe path cheap (no database or downstream calls), then restart the application if it is stuck".into(),
        ],
        "Down_Platform" => {
            let mut v = platform;
            v.insert(1, "Behind a Global load balancer with an IP-based regional backend (not a VM), this is expected and not an outage".into());
            v
        }
        _ => platform,
    }
}

/// `code` and `state` are the raw strings of one backend row of the health result; `probe` is the
/// rule's probe from the load balancer description, when known.
pub fn explain(code: &str, state: &str, probe: Option<&ProbeProperties>) -> Reason {
    let code = code.trim();
    let row_state = State::parse(state);
    let p = ProbeText::new(probe);
    let reason =
        |state, category, portal_text: String, explanation: String, next_steps, known| Reason {
            code: code.to_string(),
            state,
            category,
            portal_text,
            explanation,
            next_steps,
            known,
        };
    if let Some(&(name, st, cat, portal, expl)) =
        ENTRIES.iter().find(|e| e.0.eq_ignore_ascii_case(code))
    {
        return reason(st, cat, portal.into(), expl.into(), steps(name, &p), true);
    }
    if code.eq_ignore_ascii_case("NA") {
        return reason(row_state, Category::NotProbed, "Not probed yet.".into(),
            "The health probe has not checked this instance yet, typically because the VM is new or was just added to the backend pool, so there is no result to show.".into(),
            vec![
                format!("Refresh after {}: a reason code should replace NA", p.interval),
                "If it stays NA, check the instance is in the rule's backend pool and the rule has a probe".into(),
            ], true);
    }
    if code.is_empty() && state.trim().is_empty() {
        return reason(State::Unknown, Category::NotRetrievable, "Health status not retrievable".into(),
            "Azure returned no state and no reason for this instance. Per the Azure docs this is what a stopped (deallocated) VM gives: its health cannot be retrieved.".into(),
            vec![
                "Check whether the VM is stopped or deallocated (portal: the VM's Overview, or `az vm get-instance-view -g <rg> -n <vm> --query instanceView.statuses`)".into(),
                "Start it if it should be serving: `az vm start -g <rg> -n <vm>`".into(),
                format!("Refresh after it boots plus {}", p.wait),
            ], true);
    }
    if code.is_empty() {
        return reason(
            row_state,
            Category::Unknown,
            "No reason given".into(),
            format!(
                "Azure reports the instance as {} but gave no reason code.",
                row_state.label()
            ),
            vec![
                format!(
                    "Refresh after {}: a reason code usually appears",
                    p.interval
                ),
                "If it stays empty, check the VM's Resource Health and the rule's probe settings"
                    .into(),
            ],
            true,
        );
    }
    let has_prefix = |pre: &[u8]| {
        code.as_bytes()
            .get(..pre.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(pre))
    };
    let state = match row_state {
        State::Unknown if has_prefix(b"down_") => State::Down,
        State::Unknown if has_prefix(b"up_") => State::Up,
        s => s,
    };
    let mut shown: String = code
        .chars()
        .take(SHOWN_CODE_MAX)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if code.chars().nth(SHOWN_CODE_MAX).is_some() {
        shown.push('…');
    }
    let whose_state = if row_state == State::Unknown {
        "The state shown is read from the code's Up_/Down_ prefix, as Azure gave no usable state."
    } else {
        "The state column is still what Azure reports."
    };
    reason(state, Category::Unknown, format!("Unrecognised reason code \"{shown}\""),
        format!("Azure sent a reason code this version of LB Health does not know, probably one added after this release. {whose_state}"),
        vec![
            "Search the Azure Load Balancer docs (\"Manage health status\") for this code".into(),
            "Report the code to the LB Health maintainers so it can be added to the catalog".into(),
        ], false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = include_str!("../../tests/fixtures/load-balancer-manage-health-status.md");

    /// (code, portal text, description, category of the table it is in)
    fn doc_rows() -> Vec<(String, String, String, Category)> {
        let clean = |s: &str| s.replace('*', "").trim().to_string();
        let mut cat = Category::Unknown;
        let mut rows = Vec::new();
        for line in DOC.lines() {
            if line.starts_with("#### Success") {
                cat = Category::UserSuccess
            }
            if line.starts_with("#### Failure") {
                cat = Category::UserFailure
            }
            if line.starts_with("### Platform") {
                cat = Category::Platform
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() < 4 || !line.trim_start().starts_with('|') {
                continue;
            }
            let first = cells[1];
            let inner = first.trim_matches('*');
            if first.starts_with("**")
                && first.ends_with("**")
                && inner.contains('_')
                && !inner.contains(' ')
            {
                rows.push((inner.to_string(), clean(cells[2]), clean(cells[3]), cat));
            }
        }
        rows
    }

    fn probe() -> ProbeProperties {
        ProbeProperties {
            protocol: "Http".into(),
            port: 8080,
            request_path: Some("/healthz".into()),
            interval_in_seconds: Some(5),
            probe_threshold: Some(2),
            ..Default::default()
        }
    }

    #[test]
    fn catalog_covers_every_code_in_the_reference_tables() {
        let rows = doc_rows();
        let mut from_doc: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let mut ours = DOCUMENTED_CODES.to_vec();
        from_doc.sort();
        ours.sort();
        assert_eq!(from_doc, ours);
        for (code, portal, _, cat) in &rows {
            let r = explain(code, "", None);
            assert_eq!(&r.portal_text, portal, "{code}");
            assert_eq!(r.category, *cat, "{code}");
            assert!(r.known);
            let prefix_state = if code.starts_with("Up_") {
                State::Up
            } else {
                State::Down
            };
            assert_eq!(r.state, prefix_state, "{code}");
            assert!((2..=4).contains(&r.next_steps.len()), "{code}");
        }
        let count = |c| {
            DOCUMENTED_CODES
                .iter()
                .filter(|k| explain(k, "", None).category == c)
                .count()
        };
        assert_eq!(
            (
                count(Category::UserSuccess),
                count(Category::UserFailure),
                count(Category::Platform)
            ),
            (4, 7, 2)
        );
    }

    #[test]
    fn unknown_code_shows_raw_code_and_keeps_reported_state() {
        let r = explain(" Up_Probe_SomeFutureCode ", "Up", None);
        assert!(!r.known);
        assert_eq!(r.code, "Up_Probe_SomeFutureCode");
        assert_eq!(r.category, Category::Unknown);
        assert!(r.portal_text.contains("\"Up_Probe_SomeFutureCode\""));
        assert_eq!(r.state, State::Up);
        assert_eq!(explain("Down_New", "", None).state, State::Down);
        assert_eq!(explain("up_new", "weird", None).state, State::Up);
        assert_eq!(
            explain("Up_New", "Down", None).state,
            State::Down,
            "the row's state wins"
        );
        assert_eq!(explain("Whatever", "", None).state, State::Unknown);
    }

    #[test]
    fn na_takes_state_from_the_row_and_probe_interval() {
        let r = explain("NA", "Down", Some(&probe()));
        assert_eq!(
            (r.state, r.category, r.known),
            (State::Down, Category::NotProbed, true)
        );
        assert!(r.next_steps[0].contains("5 seconds"));
        assert_eq!(explain("na", "up", None).state, State::Up);
    }

    #[test]
    fn empty_row_is_not_retrievable_and_empty_code_with_state_is_not() {
        let r = explain("", "", None);
        assert_eq!(
            (r.state, r.category),
            (State::Unknown, Category::NotRetrievable)
        );
        assert_eq!(r.portal_text, "Health status not retrievable");
        assert!(r.next_steps.iter().any(|s| s.contains("stopped")));
        let r = explain("  ", "Down", None);
        assert_eq!(
            (r.state, r.category, r.portal_text.as_str()),
            (State::Down, Category::Unknown, "No reason given")
        );
    }

    #[test]
    fn code_match_ignores_case_and_whitespace() {
        let r = explain("  down_probe_tcpprobetimeout\n", "", None);
        assert!(r.known);
        assert_eq!(r.code, "down_probe_tcpprobetimeout");
        assert_eq!(r.state, State::Down);
        assert_eq!(
            r.explanation,
            explain("Down_Probe_TcpProbeTimeout", "", None).explanation
        );
    }

    #[test]
    fn next_steps_use_the_probe_port_and_path_when_given() {
        let p = probe();
        let steps = explain("Down_Probe_HttpStatusCodeError", "Down", Some(&p))
            .next_steps
            .join("\n");
        assert!(
            steps.contains("curl -i http://<backend-ip>:8080/healthz"),
            "{steps}"
        );
        let https = ProbeProperties {
            protocol: "Https".into(),
            ..probe()
        };
        assert!(explain("Down_Probe_HttpNoResponse", "", Some(&https))
            .next_steps
            .join("\n")
            .contains("https://<backend-ip>:8080/healthz"));
        let steps = explain("Down_Probe_TcpProbeTimeout", "Down", Some(&p))
            .next_steps
            .join("\n");
        assert!(
            steps.contains("AzureLoadBalancer") && steps.contains("port 8080"),
            "{steps}"
        );
        let steps = explain("Up_Probe_ApproachingUnhealthyThreshold", "Up", Some(&p))
            .next_steps
            .join("\n");
        assert!(steps.contains("10 seconds"), "{steps}");
        let generic = explain("Down_Probe_TcpProbeTimeout", "Down", None)
            .next_steps
            .join("\n");
        assert!(generic.contains("the probe's port"), "{generic}");
    }

    #[test]
    fn explanations_are_not_copied_from_the_doc() {
        for (code, portal, description, _) in doc_rows() {
            let e = explain(&code, "", None).explanation;
            assert_ne!(e, description, "{code}");
            assert_ne!(e, portal, "{code}");
            assert!(!e.contains(&description), "{code}");
        }
    }

    #[test]
    fn explain_never_panics_on_hostile_input() {
        let huge = "é".repeat(1 << 19);
        for (code, state) in [
            (huge.as_str(), huge.as_str()),
            ("<script>", "Up"),
            ("\u{0}", "\u{0}"),
            ("Down_", ""),
            ("é", ""),
            ("Up_\u{7}x", ""),
        ] {
            let r = explain(code, state, Some(&ProbeProperties::default()));
            assert!(r.portal_text.chars().count() < 150);
            assert!(!r.portal_text.chars().any(char::is_control));
            assert!(!r.next_steps.is_empty());
        }
        assert_eq!(explain("Down_", "", None).state, State::Down);
        let zeroed = ProbeProperties {
            interval_in_seconds: Some(u32::MAX),
            probe_threshold: Some(u32::MAX),
            ..probe()
        };
        let _ = explain("Down_Probe_ApproachingHealthyThreshold", "", Some(&zeroed));
    }

    #[test]
    fn plain_text_says_everything_the_open_tooltip_says() {
        for (code, state) in [
            ("Down_Probe_HttpStatusCodeError", "Down"),
            ("", ""),
            ("Some_FutureCode", "Up"),
        ] {
            let r = explain(code, state, Some(&probe()));
            let text = r.plain_text();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], r.heading());
            assert_eq!(lines[1], r.portal_text);
            assert_eq!(lines[2], r.explanation);
            assert_eq!(lines[3], "What to do next:");
            assert_eq!(
                lines[4..],
                r.next_steps.iter().map(String::as_str).collect::<Vec<_>>()[..]
            );
        }
        assert!(explain("", "", None).heading().starts_with("(empty) · "));
        assert_eq!(
            explain("Down_Probe_HttpStatusCodeError", "Down", None).heading(),
            "Down_Probe_HttpStatusCodeError · Down · User-triggered failure"
        );
    }
}
