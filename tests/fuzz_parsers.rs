//! Property tests of every parser that reads something an attacker or a broken proxy can
//! shape: resource ids (deep links, ARM payloads), the health result, ARM error bodies,
//! pasted tokens, config.json, and `ArmBase::owns`, the guard that decides where the token
//! may go. Each property runs 2,000 generated cases (env `LBH_FUZZ_CASES` changes that);
//! the seed is random per run and printed with any failure (rerun with
//! `PROPTEST_RNG_SEED=<seed>`). Each property prints its case count, and the running
//! total, straight to stderr so it shows without `--nocapture`.
//!
//! Properties marked `#[ignore]` fail today and name the bug; un-ignore them with the fix.
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Debug;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use lb_health::arm::error::{ArmError, ErrorKind};
use lb_health::arm::id::{LoadBalancerId, RuleId};
use lb_health::arm::model::{HealthResult, LoadBalancer, ProbeProperties};
use lb_health::auth::paste::{self, PasteError, Warning};
use lb_health::config::{Config, ConfigError};
use lb_health::health::summary::{summarise, RuleContext};
use lb_health::http::cloud::{ArmBase, Cloud};
use lb_health::http::Response;
use proptest::prelude::*;
use proptest::test_runner::{Config as PtConfig, RngSeed, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};

// ------------------------------------------------------------------ runner

const DEFAULT_CASES: u32 = 2_000;
const ARM_AUDIENCES: &[&str] = &[
    "https://management.azure.com/",
    "https://management.core.windows.net/",
];

static TOTAL_CASES: AtomicU64 = AtomicU64::new(0);
static PROPERTIES: Mutex<u32> = Mutex::new(0);

fn cases() -> u32 {
    std::env::var("LBH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn seed() -> u64 {
    if let Some(s) = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return s;
    }
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    (t as u64) ^ ((std::process::id() as u64) << 32)
}

/// Runs one property for `cases()` cases and reports the count. A failure panics with the
/// minimal input proptest shrank to, and the seed that reproduces it.
fn check<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let seed = seed();
    let config = PtConfig {
        cases: cases(),
        // Nothing written next to the sources: the seed is the reproduction.
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        max_shrink_iters: 2_000,
        ..PtConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let ran = AtomicU64::new(0);
    let outcome = runner.run(&strategy, |v| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(v)
    });
    if let Err(e) = outcome {
        panic!("property {name} failed (rerun with PROPTEST_RNG_SEED={seed}):\n{e}");
    }
    let n = ran.load(Ordering::Relaxed);
    let total = TOTAL_CASES.fetch_add(n, Ordering::SeqCst) + n;
    let props = {
        let mut p = PROPERTIES.lock().unwrap();
        *p += 1;
        *p
    };
    // Straight to the process's stderr: libtest captures only print!/eprint!.
    let _ = writeln!(
        std::io::stderr(),
        "fuzz_parsers: {name}: {n} cases passed (so far {props} properties, {total} cases)"
    );
}

// ------------------------------------------------------------------ shared strategies

fn guid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// Names Azure accepts for resource groups, load balancers and rules (letters, digits,
/// `_-().`), without a `.` at either end or two in a row, so never a dot segment.
fn azure_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_()-]([.]?[A-Za-z0-9_()-]){0,39}"
}

/// The fixed words of an id in any letter case (ARM ids are case-insensitive).
fn any_case(word: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), word.len()).prop_map(move |upper| {
        word.chars()
            .zip(upper)
            .map(|(c, u)| {
                if u {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect()
    })
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
        any::<String>().prop_map(Value::String),
        "(Up|Down|NA|Up_Probe_Success|Down_Probe_HttpStatusCodeError|<img src=x onerror=alert(1)>|)".prop_map(Value::String),
    ]
}

/// Any JSON value, nested a few levels, with object keys that are sometimes the ones the
/// parsers look for.
fn json_value(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let keys = if keys.is_empty() { &["key"][..] } else { keys };
    json_leaf().prop_recursive(3, 16, 4, move |inner| {
        let key = prop_oneof![
            prop::sample::select(keys).prop_map(str::to_owned),
            any::<String>()
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON text: a value as written, cut off somewhere, or with bytes spliced in.
fn json_text(value: impl Strategy<Value = Value>) -> impl Strategy<Value = String> {
    (value, 0..3u8, any::<prop::sample::Index>(), any::<String>()).prop_map(|(v, how, at, junk)| {
        let text = v.to_string();
        let cut = at.index(text.len() + 1);
        let cut = (0..=cut)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        match how {
            0 => text,
            1 => text[..cut].to_owned(),
            _ => format!("{}{junk}{}", &text[..cut], &text[cut..]),
        }
    })
}

// ------------------------------------------------------------------ 1. resource ids

const ID_WORDS: &[&str] = &[
    "",
    "subscriptions",
    "resourceGroups",
    "providers",
    "Microsoft.Network",
    "Microsoft.Compute",
    "loadBalancers",
    "loadBalancingRules",
    "probes",
    "00000000-0000-0000-0000-000000000000",
    "rg",
    "lb",
    "rule",
    "..",
    ".",
    "%2e%2e",
    "a?b",
    "a#b",
    "a%20b",
    "a b",
    "<script>",
    "health",
    "\u{0}",
    "é",
    "\u{202e}",
];

/// Strings shaped like ids: slash-separated words, some right, some hostile.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        (
            prop::collection::vec(prop::sample::select(ID_WORDS), 0..14),
            any::<bool>()
        )
            .prop_map(|(words, lead)| format!(
                "{}{}",
                if lead { "/" } else { "" },
                words.join("/")
            )),
    ]
}

#[test]
fn ids_never_panic_and_what_parses_is_a_clean_path() {
    check(
        "ids_never_panic_and_what_parses_is_a_clean_path",
        id_like(),
        |s| {
            let clean = |n: &str| {
                n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-()".contains(c))
            };
            if let Ok(lb) = LoadBalancerId::parse(&s) {
                prop_assert!(clean(&lb.resource_group) && clean(&lb.name), "{lb:?}");
                prop_assert_eq!(LoadBalancerId::parse(&lb.path()), Ok(lb.clone()));
            }
            if let Ok(rule) = RuleId::parse(&s) {
                prop_assert!(clean(&rule.name), "{rule:?}");
                prop_assert_eq!(RuleId::parse(&rule.path()), Ok(rule.clone()));
            }
            Ok(())
        },
    );
}

#[derive(Debug, Clone)]
struct IdParts {
    sub: String,
    rg: String,
    lb: String,
    rule: String,
    words: Vec<String>,
    trailing_slash: bool,
    padding: String,
}

impl IdParts {
    fn lb_id(&self) -> String {
        let w = &self.words;
        format!(
            "/{}/{}/{}/{}/{}/{}/{}/{}",
            w[0], self.sub, w[1], self.rg, w[2], w[3], w[4], self.lb
        )
    }
    fn rule_id(&self) -> String {
        format!("{}/{}/{}", self.lb_id(), self.words[5], self.rule)
    }
    fn dressed(&self, id: String) -> String {
        format!(
            "{p}{id}{}{p}",
            if self.trailing_slash { "/" } else { "" },
            p = self.padding
        )
    }
}

fn id_parts() -> impl Strategy<Value = IdParts> {
    (
        (guid(), azure_name(), azure_name(), azure_name()),
        (
            any_case("subscriptions"),
            any_case("resourceGroups"),
            any_case("providers"),
            any_case("Microsoft.Network"),
            any_case("loadBalancers"),
            any_case("loadBalancingRules"),
        ),
        any::<bool>(),
        "[ \t\n]{0,2}",
    )
        .prop_map(
            |((sub, rg, lb, rule), (a, b, c, d, e, f), trailing_slash, padding)| IdParts {
                sub,
                rg,
                lb,
                rule,
                words: vec![a, b, c, d, e, f],
                trailing_slash,
                padding,
            },
        )
}

#[test]
fn valid_ids_round_trip_through_path() {
    check("valid_ids_round_trip_through_path", id_parts(), |p| {
        let canonical_lb = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/loadBalancers/{}",
            p.sub.to_ascii_lowercase(),
            p.rg,
            p.lb
        );
        let lb = LoadBalancerId::parse(&p.dressed(p.lb_id()))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(lb.path(), canonical_lb.clone());
        prop_assert_eq!(&lb.name, &p.lb);
        prop_assert_eq!(&lb.resource_group, &p.rg);
        prop_assert_eq!(LoadBalancerId::parse(&lb.path()), Ok(lb.clone()));

        let rule = RuleId::parse(&p.dressed(p.rule_id()))
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(
            rule.path(),
            format!("{canonical_lb}/loadBalancingRules/{}", p.rule)
        );
        prop_assert_eq!(&rule.load_balancer, &lb);
        prop_assert_eq!(RuleId::parse(&rule.path()), Ok(rule.clone()));
        prop_assert_eq!(lb.rule(&p.rule), Ok(rule));
        Ok(())
    });
}

/// Characters that would change what a URL path means, or that no Azure name has.
const HOSTILE: &[&str] = &[
    "?",
    "#",
    "%",
    " ",
    "%2F",
    "%2e",
    "<",
    ">",
    "\"",
    "'",
    "\\",
    "&",
    "=",
    "+",
    ";",
    ":",
    "@",
    "*",
    "!",
    "$",
    ",",
    "~",
    "\t",
    "\n",
    "\r",
    "\u{0}",
    "\u{7f}",
    "é",
    "\u{202e}",
    "\u{ff0f}",
    "<script>alert(1)</script>",
];

fn hostile_name() -> impl Strategy<Value = String> {
    (azure_name(), prop::sample::select(HOSTILE), azure_name())
        .prop_map(|(a, bad, b)| format!("{a}{bad}{b}"))
}

/// Which name of the id carries the hostile text: resource group, load balancer or rule.
fn check_rejected(p: &IdParts, which: u8, bad: &str) -> Result<(), TestCaseError> {
    let mut q = p.clone();
    match which {
        0 => q.rg = bad.to_owned(),
        1 => q.lb = bad.to_owned(),
        _ => q.rule = bad.to_owned(),
    }
    if which < 2 {
        let lb = LoadBalancerId::parse(&q.lb_id());
        prop_assert!(lb.is_err(), "accepted {:?} as {:?}", q.lb_id(), lb);
    }
    let rule = RuleId::parse(&q.rule_id());
    prop_assert!(rule.is_err(), "accepted {:?} as {:?}", q.rule_id(), rule);
    if which == 2 {
        let lb =
            LoadBalancerId::parse(&p.lb_id()).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(
            lb.rule(bad).is_err(),
            "LoadBalancerId::rule accepted {bad:?}"
        );
    }
    Ok(())
}

#[test]
fn names_with_url_metacharacters_are_rejected() {
    check(
        "names_with_url_metacharacters_are_rejected",
        (id_parts(), 0..3u8, hostile_name()),
        |(p, which, bad)| check_rejected(&p, which, &bad),
    );
}

/// BUG (src/arm/id.rs, `check_name`): `.` and `..` are letters of a valid name there, so
/// `..` as a whole segment parses, and the browser's URL parser then removes it together
/// with the segment before: a deep link to `.../loadBalancingRules/..` makes the health POST
/// go to `.../loadBalancers/{lb}/health`. Azure names never end with `.`; rejecting names
/// that end with `.` or contain `..` fixes it. Un-ignore with that fix.
#[test]
fn names_with_dot_dot_are_rejected() {
    let dotted = prop_oneof![
        Just("..".to_owned()),
        Just(".".to_owned()),
        (azure_name(), azure_name()).prop_map(|(a, b)| format!("{a}..{b}")),
        azure_name().prop_map(|a| format!("{a}..")),
        azure_name().prop_map(|a| format!("..{a}")),
    ];
    check(
        "names_with_dot_dot_are_rejected",
        (id_parts(), 0..3u8, dotted),
        |(p, which, bad)| check_rejected(&p, which, &bad),
    );
}

/// Deep links (`?lb=...&rule=...`) are the other way an id reaches the app: the parser
/// never panics, keeps only validated ids, and what it writes back reads the same.
#[test]
fn deep_links_never_panic_and_round_trip() {
    const KEYS: &[&str] = &[
        "sub",
        "lb",
        "rule",
        "state",
        "reason",
        "q",
        "sort",
        "desc",
        "embed",
        "armEndpoint",
        "token",
        "cloud",
        "",
        "lb%00",
    ];
    let value = prop_oneof![
        id_parts().prop_map(|p| p.lb_id()),
        id_parts().prop_map(|p| p.lb_id().replace('/', "%2F")),
        id_parts().prop_map(|p| p.rule.clone()),
        guid(),
        any::<String>(),
        "(%[0-9A-Fa-f]{0,2}|[a-z<>\\/?#&=+ ]){0,12}",
    ];
    let query = (
        any::<bool>(),
        prop::collection::vec((prop::sample::select(KEYS), value), 0..8),
    )
        .prop_map(|(mark, pairs)| {
            let body = pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace('&', "%26")))
                .collect::<Vec<_>>()
                .join("&");
            format!("{}{body}", if mark { "?" } else { "" })
        });
    check("deep_links_never_panic_and_round_trip", query, |q| {
        let (link, _notices) = lb_health::ui::link::parse(&q);
        if let Some(rule) = &link.rule {
            let lb = link
                .lb
                .as_ref()
                .ok_or_else(|| TestCaseError::fail("a rule without its load balancer"))?;
            prop_assert!(lb.rule(rule).is_ok(), "{rule:?}");
        }
        prop_assert!(link.view.text.chars().count() <= 200);
        let written = lb_health::ui::link::to_query(&link);
        let (again, notices) = lb_health::ui::link::parse(&written);
        prop_assert!(notices.is_empty(), "{written} -> {notices:?}");
        prop_assert_eq!(&again.lb, &link.lb);
        prop_assert_eq!(&again.rule, &link.rule);
        prop_assert_eq!(lb_health::ui::link::to_query(&again), written);
        Ok(())
    });
}

// ------------------------------------------------------------------ 2. the health result

const HEALTH_KEYS: &[&str] = &[
    "up",
    "down",
    "loadBalancerBackendAddresses",
    "ipAddress",
    "networkInterfaceIPConfigurationId",
    "state",
    "reason",
    "id",
];

/// A backend row whose fields are right, missing, or any JSON at all.
fn health_row() -> impl Strategy<Value = Value> {
    let field = |good: BoxedStrategy<Value>| prop_oneof![3 => good, 1 => json_value(HEALTH_KEYS), 1 => Just(Value::Null)];
    let nic = prop_oneof![
        "/subscriptions/[0-9a-f-]{36}/resourceGroups/[a-z]{1,8}/providers/Microsoft.Network/networkInterfaces/[a-z0-9<>-]{1,12}/ipConfigurations/ipconfig1",
        "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachineScaleSets/[a-z]{1,6}/virtualMachines/[0-9]{1,3}/networkInterfaces/n/ipConfigurations/c",
        "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/loadBalancers/[a-z<>]{0,8}/frontendIPConfigurations/f",
        any::<String>(),
    ];
    (
        field(
            "10\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}"
                .prop_map(Value::String)
                .boxed(),
        ),
        field(nic.clone().prop_map(Value::String).boxed()),
        field(nic.prop_map(|id| json!({ "id": id })).boxed()),
        field(
            "(Up|Down|up|DOWN| Up |NA|Degraded|)"
                .prop_map(Value::String)
                .boxed(),
        ),
        field(
            prop_oneof![
                prop::sample::select(lb_health::health::catalog::DOCUMENTED_CODES)
                    .prop_map(str::to_owned),
                "(NA|Up_Probe_SomethingNew|<img src=x onerror=alert\\(1\\)>|)",
                any::<String>(),
            ]
            .prop_map(Value::String)
            .boxed(),
        ),
        prop::collection::vec(any::<bool>(), 5),
        any::<bool>(),
    )
        .prop_map(|(ip, nic, nic_obj, state, reason, keep, object_nic)| {
            let mut row = Map::new();
            let nic = if object_nic { nic_obj } else { nic };
            for (k, (name, v)) in keep.iter().zip([
                ("ipAddress", ip),
                ("networkInterfaceIPConfigurationId", nic),
                ("state", state),
                ("reason", reason),
                ("unexpected", Value::Bool(true)),
            ]) {
                if *k {
                    row.insert(name.to_owned(), v);
                }
            }
            Value::Object(row)
        })
}

fn health_body() -> impl Strategy<Value = Value> {
    let count = prop_oneof![
        3 => (0u32..50).prop_map(Value::from),
        1 => json_leaf(),
        1 => "[0-9]{1,4}".prop_map(Value::String),
    ];
    prop_oneof![
        // The right shape, with lenient fields.
        4 => (count.clone(), count, prop::collection::vec(health_row(), 0..8), any::<bool>()).prop_map(|(up, down, rows, null_rows)| {
            json!({ "up": up, "down": down, "loadBalancerBackendAddresses": if null_rows { Value::Null } else { Value::Array(rows) } })
        }),
        // Any JSON at all, keys sometimes the right ones.
        1 => json_value(HEALTH_KEYS),
        // Right keys, wrong shapes.
        1 => (json_value(HEALTH_KEYS), json_value(HEALTH_KEYS), json_value(HEALTH_KEYS))
            .prop_map(|(u, d, l)| json!({ "up": u, "down": d, "loadBalancerBackendAddresses": l })),
    ]
}

fn probe() -> impl Strategy<Value = Option<ProbeProperties>> {
    prop::option::of(
        (
            "(Http|Https|Tcp|[a-z<>]{0,6})",
            any::<u16>(),
            prop::option::of(any::<String>()),
            prop::option::of(0u32..400),
        )
            .prop_map(|(protocol, port, request_path, interval_in_seconds)| {
                ProbeProperties {
                    protocol,
                    port,
                    request_path,
                    interval_in_seconds,
                    ..ProbeProperties::default()
                }
            }),
    )
}

#[test]
fn health_results_parse_leniently_and_counts_equal_rows() {
    check(
        "health_results_parse_leniently_and_counts_equal_rows",
        (json_text(health_body()), probe()),
        |(text, probe)| {
            let Ok(result) = lb_health::arm::model::parse::<HealthResult>(&text) else {
                return Ok(());
            };
            let s = summarise(&result, probe.as_ref());
            prop_assert_eq!(s.rows.len(), result.load_balancer_backend_addresses.len());
            prop_assert_eq!(s.up + s.down + s.unknown, s.rows.len());
            for (row, raw) in s.rows.iter().zip(&result.load_balancer_backend_addresses) {
                prop_assert!(
                    !row.instance.is_empty(),
                    "every row names an instance: {raw:?}"
                );
                prop_assert_eq!(&row.reason.code, raw.reason.trim());
                prop_assert!(
                    !row.reason.portal_text.is_empty() && !row.reason.next_steps.is_empty(),
                    "{:?}",
                    row.reason
                );
            }
            Ok(())
        },
    );
}

/// Rows of the right shape always parse, whatever strings they carry: one odd row must
/// never fail the whole panel.
#[test]
fn well_shaped_health_results_always_parse() {
    let row = (any::<String>(), any::<String>(), any::<String>(), any::<String>(), any::<bool>()).prop_map(|(ip, nic, state, reason, obj)| {
        json!({ "ipAddress": ip, "networkInterfaceIPConfigurationId": if obj { json!({ "id": nic }) } else { json!(nic) }, "state": state, "reason": reason })
    });
    let body = (any::<u32>(), any::<i64>(), prop::collection::vec(row, 0..8)).prop_map(
        |(up, down, rows)| {
            json!({ "up": up, "down": down, "loadBalancerBackendAddresses": rows }).to_string()
        },
    );
    check("well_shaped_health_results_always_parse", body, |text| {
        let parsed = lb_health::arm::model::parse::<HealthResult>(&text);
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        Ok(())
    });
}

const LB_KEYS: &[&str] = &[
    "id",
    "name",
    "sku",
    "tier",
    "properties",
    "loadBalancingRules",
    "probes",
    "probe",
    "backendAddressPool",
    "frontendIPConfiguration",
    "protocol",
    "port",
    "requestPath",
    "frontendPort",
    "backendPort",
];

/// The load balancer description feeds the rules list and each rule's probe text.
#[test]
fn load_balancer_descriptions_never_panic() {
    check(
        "load_balancer_descriptions_never_panic",
        json_text(json_value(LB_KEYS)),
        |text| {
            if let Ok(lb) = lb_health::arm::model::parse::<LoadBalancer>(&text) {
                for rule in RuleContext::all(&lb) {
                    let _ = rule.probe_text();
                }
            }
            Ok(())
        },
    );
}

/// A value of the wrong type in a load balancer description fails, and the error names
/// the field by its path (`properties.probes[1].properties.port: invalid type ...`).
#[test]
fn load_balancer_type_errors_name_the_field() {
    const FIELDS: &[(&str, &str, bool)] = &[
        ("probes", "port", true),
        ("probes", "protocol", false),
        ("probes", "requestPath", false),
        ("probes", "intervalInSeconds", true),
        ("loadBalancingRules", "frontendPort", true),
        ("loadBalancingRules", "backendPort", true),
        ("loadBalancingRules", "protocol", false),
    ];
    let not_a_port = prop_oneof![
        Just(json!(true)),
        "[0-9]{1,4}".prop_map(Value::String),
        Just(json!([80])),
        Just(json!({ "port": 80 })),
        (i64::MIN..0).prop_map(Value::from),
        (65_536u64..u64::MAX).prop_map(Value::from),
        Just(json!(1.5)),
    ];
    let not_a_string = prop_oneof![
        Just(json!(true)),
        any::<i64>().prop_map(Value::from),
        Just(json!(["Tcp"])),
        Just(json!({ "id": "x" }))
    ];
    let case = (
        prop::sample::select(FIELDS),
        1..4usize,
        any::<prop::sample::Index>(),
        not_a_port,
        not_a_string,
    );
    check(
        "load_balancer_type_errors_name_the_field",
        case,
        |((list, field, numeric), n, at, bad_number, bad_string)| {
            let at = at.index(n);
            let items: Vec<Value> = (0..n)
            .map(|i| {
                let mut p = json!({ "protocol": "Tcp", "port": 80, "frontendPort": 80, "backendPort": 8080, "requestPath": "/", "intervalInSeconds": 5 });
                if i == at {
                    // A port field is a u16 on the wire, and so is the interval's u32 here.
                    p[field] = if numeric { bad_number.clone() } else { bad_string.clone() };
                }
                json!({ "name": format!("x{i}"), "id": format!("/x/{i}"), "properties": p })
            })
            .collect();
            let text = json!({ "name": "lb", "properties": { list: items } }).to_string();
            let want = format!("properties.{list}[{at}].properties.{field}");
            match lb_health::arm::model::parse::<LoadBalancer>(&text) {
                // Only the interval may take a number a port cannot (up to u32::MAX).
                Ok(_) => prop_assert!(field == "intervalInSeconds", "{text} parsed"),
                Err(e) => {
                    prop_assert_eq!(e.path_text(), want.clone());
                    prop_assert!(e.to_string().starts_with(&format!("{want}: ")), "{e}");
                }
            }
            Ok(())
        },
    );
}

// ------------------------------------------------------------------ 3. ARM error bodies

fn arm_error_body() -> impl Strategy<Value = String> {
    let shaped = (prop::option::of(any::<String>()), prop::option::of(any::<String>()), "[A-Za-z./]{1,120}", any::<bool>())
        .prop_map(|(code, message, action, name_action)| {
            let message = if name_action {
                Some(format!("The client 'x' does not have authorization to perform action '{action}' over scope '/subscriptions/s'."))
            } else {
                message
            };
            json!({ "error": { "code": code, "message": message, "details": [] } }).to_string()
        });
    prop_oneof![
        2 => shaped,
        1 => json_text(json_value(&["error", "code", "message", "details", "target"])),
        1 => prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => "[ \n]{0,3}<(!DOCTYPE html|html|HTML|head|body)>.{0,40}",
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("x-ms-request-id".to_owned()),
        Just("X-MS-CORRELATION-REQUEST-ID".to_owned()),
        Just("Retry-After".to_owned()),
        Just("WWW-Authenticate".to_owned()),
        any::<String>(),
    ];
    let value = prop_oneof![
        any::<String>(),
        "[0-9 ]{0,6}",
        Just("Bearer error=\"invalid_token\", error_description=\"token expired\"".to_owned())
    ];
    prop::collection::vec((name, value), 0..5)
}

#[test]
fn arm_errors_never_panic_and_kind_follows_status() {
    let status = prop_oneof![
        any::<u16>(),
        prop::sample::select(&[400u16, 401, 403, 404, 409, 429, 500, 502, 503, 504][..])
    ];
    check(
        "arm_errors_never_panic_and_kind_follows_status",
        (status, arm_error_body(), headers()),
        |(status, body, headers)| {
            let mut r = Response::new(status, body);
            r.headers = headers;
            let e = ArmError::from_response(&r);
            prop_assert_eq!(e.status, Some(status));
            prop_assert!(!e.message.is_empty());
            let ok = match status {
                401 => matches!(e.kind, ErrorKind::Unauthorized { .. }),
                403 => matches!(e.kind, ErrorKind::Forbidden { .. }),
                404 => e.kind == ErrorKind::NotFound,
                409 => e.kind == ErrorKind::Conflict,
                429 => e.kind == ErrorKind::Throttled,
                500..=599 => matches!(e.kind, ErrorKind::Server | ErrorKind::HtmlPage),
                _ => matches!(e.kind, ErrorKind::Rejected | ErrorKind::HtmlPage),
            };
            prop_assert!(ok, "status {status} gave {:?}", e.kind);
            prop_assert_eq!(
                e.is_transient(),
                matches!(e.kind, ErrorKind::Server | ErrorKind::Throttled)
            );
            prop_assert_eq!(e.request_id.as_deref(), r.header("x-ms-request-id"));
            if let ErrorKind::Forbidden { action: Some(a) } = &e.kind {
                prop_assert!(!a.is_empty() && a.len() < 200 && !a.contains('\''), "{a:?}");
            }
            let _ = e.to_string();
            Ok(())
        },
    );
}

// ------------------------------------------------------------------ 4. pasted tokens

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn pasted_text_never_panics() {
    let text = prop_oneof![
        any::<String>(),
        json_text(json_value(&[
            "accessToken",
            "Token",
            "token",
            "tenant",
            "TenantId",
            "expiresOn"
        ])),
        (any::<String>(), any::<String>()).prop_map(|(a, b)| format!("eyJ{a}.{b}.sig")),
        any::<String>().prop_map(|s| format!("Token : {s}\nTenantId : t")),
    ];
    check(
        "pasted_text_never_panics",
        (text, any::<i64>()),
        |(text, now)| {
            match paste::parse(&text, now, ARM_AUDIENCES) {
                Ok(p) => prop_assert_eq!(format!("{:?}", p.token), "Token(***)"),
                Err(PasteError::Empty) => prop_assert!(text.trim().is_empty()),
                Err(_) => {}
            }
            Ok(())
        },
    );
}

const CLAIM_NAMES: &[&str] = &[
    "name",
    "upn",
    "preferred_username",
    "unique_name",
    "tid",
    "aud",
    "exp",
];

#[derive(Debug, Clone)]
struct Jwt {
    upn: String,
    tid: String,
    exp: i64,
    aud: Option<String>,
    extra: Vec<(String, Value)>,
    wrapper: u8,
}

#[test]
fn any_jwt_decodes_its_upn_tenant_and_expiry() {
    let extra = prop::collection::vec(
        (
            any::<String>()
                .prop_filter("not a typed claim", |k| !CLAIM_NAMES.contains(&k.as_str())),
            json_value(&[]),
        ),
        0..6,
    );
    let aud = prop::option::of(prop_oneof![
        prop::sample::select(ARM_AUDIENCES).prop_map(str::to_owned),
        any::<String>()
    ]);
    let jwt = (
        any::<String>(),
        any::<String>(),
        any::<i64>(),
        aud,
        extra,
        0..4u8,
    )
        .prop_map(|(upn, tid, exp, aud, extra, wrapper)| Jwt {
            upn,
            tid,
            exp,
            aud,
            extra,
            wrapper,
        });
    check(
        "any_jwt_decodes_its_upn_tenant_and_expiry",
        (jwt, any::<i64>()),
        |(j, now)| {
            let mut claims: Map<String, Value> = j.extra.iter().cloned().collect();
            claims.insert("upn".into(), json!(j.upn));
            claims.insert("tid".into(), json!(j.tid));
            claims.insert("exp".into(), json!(j.exp));
            if let Some(a) = &j.aud {
                claims.insert("aud".into(), json!(a));
            }
            let token = format!(
                "{}.{}.{}",
                b64url(br#"{"alg":"RS256","typ":"JWT","kid":"k"}"#),
                b64url(Value::Object(claims).to_string().as_bytes()),
                b64url(b"signature")
            );
            let pasted = match j.wrapper {
            0 => token.clone(),
            1 => format!("Bearer {token}\n"),
            2 => json!({ "accessToken": token, "expiresOn": "2030-01-01 00:00:00.000000", "tokenType": "Bearer" }).to_string(),
            _ => format!("\nToken     : {token}\nExpiresOn : 1/1/2030\nType      : Bearer\n"),
        };
            let p = paste::parse(&pasted, now, ARM_AUDIENCES)
                .map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(p.claims.user.as_deref(), Some(j.upn.as_str()));
            prop_assert_eq!(p.claims.tenant.as_deref(), Some(j.tid.as_str()));
            prop_assert_eq!(p.claims.expires_at, Some(j.exp));
            prop_assert_eq!(p.warnings.contains(&Warning::Expired), j.exp <= now);
            prop_assert!(!p.warnings.contains(&Warning::Opaque));
            let foreign = j.aud.as_ref().is_some_and(|a| {
                !ARM_AUDIENCES.iter().any(|x| {
                    x.trim_end_matches('/')
                        .eq_ignore_ascii_case(a.trim_end_matches('/'))
                })
            });
            prop_assert_eq!(
                p.warnings
                    .iter()
                    .any(|w| matches!(w, Warning::NotForArm(_))),
                foreign
            );
            prop_assert_eq!(format!("{:?}", p.token), "Token(***)");
            Ok(())
        },
    );
}

// ------------------------------------------------------------------ 5. config.json

const CONFIG_FIELDS: &[&str] = &[
    "\"cloud\"",
    "\"armEndpoint\"",
    "\"clientId\"",
    "\"tenant\"",
    "\"demo\"",
];

fn config_string(field: &str) -> BoxedStrategy<String> {
    let good: BoxedStrategy<String> = match field {
        "cloud" => {
            "(public|china|usgov|AzureCloud|AzureChinaCloud|AzureUSGovernment| Public |)".boxed()
        }
        "armEndpoint" => prop_oneof![
            Just("https://management.azure.com".to_owned()),
            "/[a-z]{1,6}/?",
            "http://127\\.0\\.0\\.1:[0-9]{2,5}",
            "https://[a-z]{1,8}\\.example(/[a-z]{1,4})?/?",
        ]
        .boxed(),
        "clientId" => guid().boxed(),
        _ => "(organizations|common|contoso\\.onmicrosoft\\.com|[0-9a-f-]{36})".boxed(),
    };
    let bad = prop_oneof![
        any::<String>(),
        "(http://evil\\.example|ftp://x|https://a\\.example/\\?x|https://u@a\\.example|//evil\\.example|javascript:alert\\(1\\)|https://a\\.example#x|https://a b)",
        "[a-z/\\\\<>@ ]{1,12}",
    ];
    prop_oneof![2 => good, 1 => bad].boxed()
}

/// config.json objects whose fields are all strings (right or wrong) and a well-typed `demo`.
fn config_with_string_fields() -> impl Strategy<Value = String> {
    let f = |name: &'static str| prop::option::of(config_string(name));
    let demo = prop::option::of((any::<bool>(), prop::option::of(any::<u32>())));
    (
        f("cloud"),
        f("armEndpoint"),
        f("clientId"),
        f("tenant"),
        demo,
        prop::collection::vec((any::<String>(), json_value(&[])), 0..3),
    )
        .prop_map(|(cloud, arm, client, tenant, demo, extra)| {
            let mut m: Map<String, Value> = extra
                .into_iter()
                .filter(|(k, _)| {
                    !["cloud", "armEndpoint", "clientId", "tenant", "demo"].contains(&k.as_str())
                })
                .collect();
            for (k, v) in [
                ("cloud", cloud),
                ("armEndpoint", arm),
                ("clientId", client),
                ("tenant", tenant),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), json!(v));
                }
            }
            if let Some((instant, large)) = demo {
                m.insert(
                    "demo".into(),
                    json!({ "instant": instant, "largeRule": large }),
                );
            }
            Value::Object(m).to_string()
        })
}

fn config_invariants(c: &Config, origin: &str) -> Result<(), TestCaseError> {
    let base = c.arm.as_str();
    prop_assert!(!base.contains(['?', '#', '@', '\\', ' ']), "{base:?}");
    prop_assert!(
        base.starts_with("https://")
            || base.starts_with("http://127.0.0.1")
            || base.starts_with("http://localhost")
            || base.starts_with("http://[::1]"),
        "{base:?}"
    );
    prop_assert!(
        c.arm.owns(&c.arm.url("/subscriptions")),
        "the base owns its own URLs: {base}"
    );
    prop_assert!(c.demo.large_rule.is_none_or(|n| n <= 50_000));
    let _ = origin;
    Ok(())
}

#[test]
fn config_rejections_name_the_field() {
    let origin = prop_oneof![
        Just("https://app.example"),
        Just("http://127.0.0.1:8080"),
        Just("https://wiki.example/")
    ];
    check(
        "config_rejections_name_the_field",
        (config_with_string_fields(), origin),
        |(json, origin)| match Config::parse(&json, origin) {
            Ok(c) => config_invariants(&c, origin),
            Err(e) => {
                prop_assert!(
                    !matches!(e, ConfigError::NotJson(_)),
                    "valid JSON rejected as not JSON: {e}"
                );
                let text = e.to_string();
                prop_assert!(CONFIG_FIELDS.iter().any(|f| text.contains(f)), "{text}");
                Ok(())
            }
        },
    );
}

#[test]
fn config_never_panics() {
    let text = prop_oneof![
        any::<String>(),
        json_text(json_value(&[
            "cloud",
            "armEndpoint",
            "clientId",
            "tenant",
            "demo",
            "instant",
            "largeRule"
        ])),
        config_with_string_fields()
            .prop_flat_map(|j| json_text(Just(serde_json::from_str::<Value>(&j).unwrap()))),
    ];
    check("config_never_panics", text, |json| {
        match Config::parse(&json, "https://app.example") {
            Ok(c) => config_invariants(&c, "https://app.example"),
            Err(e) => {
                let _ = e.to_string();
                Ok(())
            }
        }
    });
}

/// A field of the wrong JSON type (`{"cloud": 5}`, `{"demo": {"largeRule": -1}}`) is
/// reported with the field's name, not only a line and column.
#[test]
fn config_type_errors_name_the_field() {
    let keys: &'static [&str] = &["cloud", "armEndpoint", "clientId", "tenant", "demo"];
    let wrong = (
        prop::sample::select(keys),
        json_value(&["instant", "largeRule"]),
    )
        .prop_filter("a wrong type", |(k, v)| {
            !(v.is_string() || v.is_null() || (*k == "demo" && v.is_object()))
        });
    check(
        "config_type_errors_name_the_field",
        wrong,
        |(key, value)| {
            let json = json!({ key: value }).to_string();
            if let Err(e) = Config::parse(&json, "https://app.example") {
                let text = e.to_string();
                prop_assert!(text.contains(&format!("\"{key}\"")), "{json} -> {text}");
            }
            Ok(())
        },
    );
}

// ------------------------------------------------------------------ 6. ArmBase::owns, the token guard

const BASES: &[&str] = &[
    "https://management.azure.com",
    "https://management.chinacloudapi.cn",
    "https://management.usgovcloudapi.net",
    "http://127.0.0.1:9000",
    "https://wiki.example/arm",
    "https://wiki.example/api/arm",
];

#[derive(Debug, Clone)]
struct UrlParts {
    scheme: String,
    userinfo: String,
    host: String,
    path: Vec<String>,
    tail: String,
}

impl UrlParts {
    fn url(&self) -> String {
        format!(
            "{}{}{}{}{}",
            self.scheme,
            self.userinfo,
            self.host,
            self.path.concat(),
            self.tail
        )
    }
}

/// URLs assembled from parts close to the base: its scheme and host in other cases, with
/// userinfo, ports, look-alike hosts, backslashes, dot segments and encoded separators.
fn url_near(base: &'static str) -> impl Strategy<Value = UrlParts> {
    let (scheme, rest) = base.split_once("://").unwrap();
    let host = rest.split('/').next().unwrap();
    let base_path = &rest[host.len()..];
    let schemes = vec![
        format!("{scheme}://"),
        format!("{}://", scheme.to_ascii_uppercase()),
        "https://".into(),
        "http://".into(),
        "ftp://".into(),
        "//".into(),
        "https:\\\\".into(),
        "https:/".into(),
        "".into(),
        " https://".into(),
        "\u{1}https://".into(),
    ];
    let userinfos = vec![
        "".into(),
        "user@".into(),
        "user:pw@".into(),
        format!("{host}@"),
        "evil.example@".into(),
        "@".into(),
        format!("{host}\\@"),
    ];
    let hosts = vec![
        host.to_owned(),
        host.to_ascii_uppercase(),
        format!("{host}.evil.example"),
        format!("{host}.",),
        format!("evil.example"),
        format!("{host}:443"),
        format!("{host}@evil.example"),
        format!("{host}%2F@evil.example"),
        format!("{host}\\evil.example"),
        format!("{host}\t"),
        "127.0.0.1:9001".into(),
        "wiki.example".into(),
        "".into(),
    ];
    let mut segments: Vec<String> = vec![
        "/".into(),
        "/subscriptions".into(),
        "/x".into(),
        "/..".into(),
        "/.".into(),
        "/%2e%2e".into(),
        "/%2E.".into(),
        "/.%2e".into(),
        "/%2e".into(),
        "//evil.example".into(),
        "/@evil.example".into(),
        "\\".into(),
        "/a\\b".into(),
        "/armory".into(),
        "/arm".into(),
        "/api".into(),
        "/ ".into(),
        "/%2F..".into(),
    ];
    for s in base_path.split('/').filter(|s| !s.is_empty()) {
        segments.push(format!("/{s}"));
        segments.push(format!("/{}", s.to_ascii_uppercase()));
    }
    let tails = vec![
        "".to_owned(),
        "?api-version=1".into(),
        "#frag".into(),
        "?next=https://evil.example/".into(),
        "?a=\\@evil".into(),
    ];
    // Mostly the base's own scheme, host and path prefix, so the cases that reach the path
    // check are common; the rest explore the look-alikes.
    let own = |v: String, others: Vec<String>| prop_oneof![3 => Just(v), 2 => prop::sample::select(others)];
    let prefix: Vec<String> = base_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{s}"))
        .collect();
    let path = (
        any::<bool>(),
        prop::collection::vec(prop::sample::select(segments), 0..6),
    )
        .prop_map(move |(keep, rest)| {
            if keep {
                prefix.iter().cloned().chain(rest).collect()
            } else {
                rest
            }
        });
    (
        own(format!("{scheme}://"), schemes),
        own(String::new(), userinfos),
        own(host.to_owned(), hosts),
        path,
        prop::sample::select(tails),
    )
        .prop_map(|(scheme, userinfo, host, path, tail)| UrlParts {
            scheme,
            userinfo,
            host,
            path,
            tail,
        })
}

/// The path a browser requests for `url` (WHATWG URL: `.`/`..` segments, also as `%2e`,
/// are removed), when `url` is `scheme://authority/path...`; None otherwise.
fn effective_path(url: &str) -> Option<(String, String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(end);
    let path = &after[..after.find(['?', '#']).unwrap_or(after.len())];
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    for (i, seg) in segs.iter().enumerate() {
        let lower = seg.to_ascii_lowercase();
        let last = i + 1 == segs.len();
        match lower.as_str() {
            "." | "%2e" => {
                if last {
                    out.push("");
                }
            }
            ".." | ".%2e" | "%2e." | "%2e%2e" => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            _ => out.push(seg),
        }
    }
    let path = if path.is_empty() {
        String::new()
    } else {
        format!("/{}", out.join("/"))
    };
    Some((
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase(),
        path,
    ))
}

/// What `owns` must guarantee: the browser would send the request to the base's scheme
/// and host (no userinfo, no other port), at a path under the base's path.
fn really_under(base: &ArmBase, url: &str) -> Result<(), String> {
    let (bs, bhost, bpath) = effective_path(&format!("{}/", base.as_str())).unwrap();
    let bpath = bpath.trim_end_matches('/').to_owned();
    let Some((s, host, path)) = effective_path(url) else {
        return Err("not scheme://authority".into());
    };
    if s != bs {
        return Err(format!("scheme {s} is not {bs}"));
    }
    if host != bhost {
        return Err(format!("authority {host:?} is not {bhost:?}"));
    }
    if !(bpath.is_empty() || path == bpath || path.starts_with(&format!("{bpath}/"))) {
        return Err(format!("path {path:?} is not under {bpath:?}"));
    }
    Ok(())
}

fn owns_strategy(dot_segments: bool) -> impl Strategy<Value = (&'static str, String)> {
    prop::sample::select(BASES).prop_flat_map(move |base| {
        let near = url_near(base).prop_filter_map("dot segments", move |p| {
            let dotted = p.path.iter().any(|s| {
                let l = s.to_ascii_lowercase();
                l.starts_with("/.") || l.starts_with("/%2e") || l.starts_with("/%2f..")
            });
            (dot_segments == dotted).then(|| p.url())
        });
        let any_url = prop_oneof![3 => near, 1 => any::<String>().prop_filter("no dot segments", move |s| dot_segments || !s.contains("/.") && !s.to_ascii_lowercase().contains("%2e"))];
        (Just(base), any_url)
    })
}

#[test]
fn owns_is_true_only_for_the_base_scheme_host_and_path() {
    check(
        "owns_is_true_only_for_the_base_scheme_host_and_path",
        owns_strategy(false),
        |(base, url)| {
            let b = ArmBase::parse(base).unwrap();
            prop_assert!(b.owns(&b.url("/subscriptions?api-version=1")));
            if b.owns(&url) {
                if let Err(why) = really_under(&b, &url) {
                    return Err(TestCaseError::fail(format!(
                        "owns({url:?}) under {base} but {why}"
                    )));
                }
            }
            Ok(())
        },
    );
}

/// BUG (src/arm/cloud.rs, `owns`): the path check is on the raw text, but the browser
/// removes dot segments first, so with a reverse-proxy base such as
/// `https://wiki.example/arm`, a `nextLink`/`Location` of
/// `https://wiki.example/arm/../anything` passes the guard and the token goes to
/// `https://wiki.example/anything` (same host, outside the proxy). Fix: refuse URLs whose
/// path has a `.`/`..` segment, literal or `%2e`-encoded. Un-ignore with the fix.
#[test]
fn owns_refuses_dot_segments_that_leave_the_base_path() {
    check(
        "owns_refuses_dot_segments_that_leave_the_base_path",
        owns_strategy(true),
        |(base, url)| {
            let b = ArmBase::parse(base).unwrap();
            if b.owns(&url) {
                if let Err(why) = really_under(&b, &url) {
                    return Err(TestCaseError::fail(format!(
                        "owns({url:?}) under {base} but {why}"
                    )));
                }
            }
            Ok(())
        },
    );
}

#[test]
fn arm_bases_never_panic_and_are_clean() {
    let text = prop_oneof![
        any::<String>(),
        (
            prop::sample::select(&["https://", "http://", "HTTPS://", "ftp://", "", "//"][..]),
            "[a-z0-9.:@?#\\\\ /%-]{0,30}"
        )
            .prop_map(|(s, r)| format!("{s}{r}")),
    ];
    check("arm_bases_never_panic_and_are_clean", text, |s| {
        if let Ok(b) = ArmBase::parse(&s) {
            let base = b.as_str();
            prop_assert!(
                !base.ends_with('/') && !base.contains(['?', '#', '@', '\\', ' ']),
                "{base:?}"
            );
            let (scheme, rest) = base.split_once("://").unwrap();
            let host = rest.split('/').next().unwrap();
            prop_assert!(
                scheme == "https"
                    || (scheme == "http"
                        && ["127.0.0.1", "localhost", "[::1]"]
                            .contains(&host.rsplit_once(':').map_or(host, |(h, _)| h))),
                "{base:?}"
            );
            prop_assert!(b.owns(&b.url("/subscriptions")));
            prop_assert_eq!(
                b.adopt("https://management.azure.com/x", Cloud::Public)
                    .is_empty(),
                false
            );
        }
        Ok(())
    });
}
