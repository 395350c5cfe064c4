//! The demo estate: two subscriptions and a handful of load balancers whose backends,
//! between them, show every reason code, `NA`, the empty row of a stopped VM and one
//! code the catalog does not know. Pure data, so the fake Azure server can serve the
//! same estate over real HTTP.

use crate::arm::model::*;

pub const PROD: &str = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
pub const STAGING: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
pub const TENANT: &str = "3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f";

/// One backend of a rule: its NIC IP configuration (or an IP, for IP-based pools) and
/// the `(state, reason)` it reports on successive health checks, cycling.
#[derive(Debug, Clone)]
pub struct DemoBackend {
    pub nic: String,
    pub ip: String,
    pub cycle: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone)]
pub struct DemoRule {
    /// Lower-cased rule id, for lookups from request paths.
    pub key: String,
    pub backends: Vec<DemoBackend>,
}

#[derive(Debug, Clone)]
pub struct Estate {
    pub subscriptions: Vec<Subscription>,
    pub load_balancers: Vec<LoadBalancer>,
    pub rules: Vec<DemoRule>,
}

impl Estate {
    pub fn rule(&self, rule_id: &str) -> Option<&DemoRule> {
        let key = rule_id.to_ascii_lowercase();
        self.rules.iter().find(|r| r.key == key)
    }

    pub fn load_balancer(&self, id: &str) -> Option<&LoadBalancer> {
        self.load_balancers
            .iter()
            .find(|lb| lb.id.eq_ignore_ascii_case(id))
    }

    /// The health result of a rule on its `generation`-th check.
    pub fn health(&self, rule: &DemoRule, generation: usize) -> HealthResult {
        let rows: Vec<BackendHealth> = rule
            .backends
            .iter()
            .map(|b| {
                let (state, reason) = b.cycle[generation % b.cycle.len()];
                BackendHealth {
                    ip_address: if state.is_empty() {
                        String::new()
                    } else {
                        b.ip.clone()
                    },
                    network_interface_ip_configuration_id: b.nic.clone(),
                    state: state.into(),
                    reason: reason.into(),
                }
            })
            .collect();
        HealthResult {
            up: rows.iter().filter(|r| r.state == "Up").count() as u32,
            down: rows.iter().filter(|r| r.state == "Down").count() as u32,
            load_balancer_backend_addresses: rows,
        }
    }

    /// A load balancer with one rule and `n` backends, for benchmarks and scale tests.
    pub fn with_large_rule(mut self, n: usize) -> Self {
        const MIX: [(&str, &str); 6] = [
            ("Up", "Up_Probe_Success"),
            ("Up", "Up_Probe_Success"),
            ("Down", "Down_Probe_TcpProbeTimeout"),
            ("Up", "Up_Admin"),
            ("Down", "Down_Probe_HttpStatusCodeError"),
            ("Up", "Up_Probe_ApproachingUnhealthyThreshold"),
        ];
        let backends = (0..n)
            .map(|i| {
                backend(
                    PROD,
                    "rg-scale",
                    &format!("vmss-web_{i}"),
                    &format!("10.8.{}.{}", i / 250, i % 250 + 4),
                    &[MIX[i % MIX.len()]],
                )
            })
            .collect();
        self.add(Lb {
            sub: PROD,
            rg: "rg-scale",
            name: "lb-scale",
            location: "northeurope",
            sku: ("Standard", "Regional"),
            probes: &[("probe-tcp", "Tcp", 80, None, 5, "AllProbedDown")],
            rules: &[("rule-scale", "Tcp", 80, 80, Some("probe-tcp"))],
            backends: vec![("rule-scale", backends)],
        });
        self
    }

    fn add(&mut self, spec: Lb<'_>) {
        let (lb, rules) = spec.build();
        self.load_balancers.push(lb);
        self.rules.extend(rules);
    }
}

fn backend(
    sub: &str,
    rg: &str,
    vm: &str,
    ip: &str,
    cycle: &[(&'static str, &'static str)],
) -> DemoBackend {
    DemoBackend {
        nic: format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/{vm}-nic/ipConfigurations/ipconfig1"),
        ip: ip.into(),
        cycle: cycle.to_vec(),
    }
}

type Cycle = &'static [(&'static str, &'static str)];

/// NIC backends `(vm, ip, cycle)` of one resource group: a table and a loop rather than
/// a call per backend, which kept the whole estate as code in the wasm.
fn nics(sub: &str, rg: &str, specs: &[(&str, &str, Cycle)]) -> Vec<DemoBackend> {
    specs
        .iter()
        .map(|&(vm, ip, cycle)| backend(sub, rg, vm, ip, cycle))
        .collect()
}

/// A backend of a Global LB: a regional LB's frontend, not a NIC.
fn regional(
    sub: &str,
    rg: &str,
    lb: &str,
    ip: &str,
    cycle: &[(&'static str, &'static str)],
) -> DemoBackend {
    DemoBackend {
        nic: format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/loadBalancers/{lb}/frontendIPConfigurations/fe-public"),
        ip: ip.into(),
        cycle: cycle.to_vec(),
    }
}

type ProbeSpec = (
    &'static str,
    &'static str,
    u16,
    Option<&'static str>,
    u32,
    &'static str,
);
type RuleSpec = (&'static str, &'static str, u16, u16, Option<&'static str>);

struct Lb<'a> {
    sub: &'a str,
    rg: &'a str,
    name: &'a str,
    location: &'a str,
    sku: (&'static str, &'static str),
    probes: &'static [ProbeSpec],
    rules: &'static [RuleSpec],
    backends: Vec<(&'static str, Vec<DemoBackend>)>,
}

impl Lb<'_> {
    fn build(self) -> (LoadBalancer, Vec<DemoRule>) {
        let id = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/loadBalancers/{}",
            self.sub, self.rg, self.name
        );
        let child = |kind: &str, n: &str| format!("{id}/{kind}/{n}");
        let pool_name = format!("pool-{}", self.name.trim_start_matches("lb-"));
        let all: Vec<&DemoBackend> = self.backends.iter().flat_map(|(_, b)| b.iter()).collect();
        let pool = Named {
            name: pool_name.clone(),
            id: child("backendAddressPools", &pool_name),
            properties: PoolProperties {
                load_balancer_backend_addresses: all
                    .iter()
                    .map(|b| Named {
                        name: crate::arm::id::instance_name(&b.nic).unwrap_or_else(|| b.ip.clone()),
                        id: String::new(),
                        properties: BackendAddressProperties {
                            admin_state: Some(admin_state(b).into()),
                            ip_address: None,
                            network_interface_ip_configuration: Some(SubResource {
                                id: b.nic.clone(),
                            }),
                        },
                    })
                    .collect(),
            },
        };
        let probes = self
            .probes
            .iter()
            .map(|&(name, protocol, port, path, interval, behavior)| Named {
                name: name.into(),
                id: child("probes", name),
                properties: ProbeProperties {
                    protocol: protocol.into(),
                    port,
                    request_path: path.map(Into::into),
                    interval_in_seconds: Some(interval),
                    number_of_probes: Some(1),
                    probe_threshold: Some(2),
                    no_healthy_backends_behavior: Some(behavior.into()),
                },
            })
            .collect();
        let rules = self
            .rules
            .iter()
            .map(|&(name, protocol, fport, bport, probe)| Named {
                name: name.into(),
                id: child("loadBalancingRules", name),
                properties: RuleProperties {
                    protocol: protocol.into(),
                    frontend_port: fport,
                    backend_port: bport,
                    frontend_ip_configuration: Some(SubResource {
                        id: child("frontendIPConfigurations", "fe-public"),
                    }),
                    backend_address_pool: Some(SubResource {
                        id: child("backendAddressPools", &pool_name),
                    }),
                    probe: probe.map(|p| SubResource {
                        id: child("probes", p),
                    }),
                },
            })
            .collect();
        let demo_rules = self
            .backends
            .into_iter()
            .map(|(rule, backends)| DemoRule {
                key: child("loadBalancingRules", rule).to_ascii_lowercase(),
                backends,
            })
            .collect();
        let lb = LoadBalancer {
            id: id.clone(),
            name: self.name.to_owned(),
            location: self.location.to_owned(),
            sku: Sku { name: self.sku.0.into(), tier: self.sku.1.into() },
            properties: LoadBalancerProperties {
                frontend_ip_configurations: vec![Named {
                    name: "fe-public".into(),
                    id: child("frontendIPConfigurations", "fe-public"),
                    properties: FrontendProperties { private_ip_address: None, public_ip_address: Some(SubResource { id: format!("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Network/publicIPAddresses/pip-{}", self.sub, self.rg, self.name) }) },
                }],
                backend_address_pools: vec![pool],
                probes,
                load_balancing_rules: rules,
            },
        };
        (lb, demo_rules)
    }
}

fn admin_state(b: &DemoBackend) -> &'static str {
    match b.cycle.first().map(|c| c.1) {
        Some("Up_Admin") => "Up",
        Some("Down_Admin") => "Down",
        _ => "None",
    }
}

pub fn estate() -> Estate {
    let mut e = Estate {
        subscriptions: vec![
            Subscription {
                subscription_id: PROD.into(),
                display_name: "Contoso Production".into(),
                state: "Enabled".into(),
                tenant_id: TENANT.into(),
            },
            Subscription {
                subscription_id: STAGING.into(),
                display_name: "Contoso Staging".into(),
                state: "Enabled".into(),
                tenant_id: TENANT.into(),
            },
        ],
        load_balancers: Vec::new(),
        rules: Vec::new(),
    };
    e.add(Lb {
        sub: PROD,
        rg: "rg-web",
        name: "lb-web",
        location: "eastus",
        sku: ("Standard", "Regional"),
        probes: &[
            (
                "probe-http",
                "Http",
                80,
                Some("/healthz"),
                5,
                "AllProbedDown",
            ),
            (
                "probe-https",
                "Https",
                443,
                Some("/ready"),
                15,
                "AllProbedDown",
            ),
        ],
        rules: &[
            ("rule-http", "Tcp", 80, 80, Some("probe-http")),
            ("rule-https", "Tcp", 443, 443, Some("probe-https")),
            ("rule-dns", "Udp", 53, 53, None),
        ],
        backends: vec![
            (
                "rule-http",
                nics(
                    PROD,
                    "rg-web",
                    &[
                        ("vm-web-1", "10.0.2.4", &[("Up", "Up_Probe_Success")]),
                        ("vm-web-2", "10.0.2.5", &[("Up", "Up_Admin")]),
                        (
                            "vm-web-3",
                            "10.0.2.6",
                            &[("Down", "Down_Probe_HttpStatusCodeError")],
                        ),
                        (
                            "vm-web-4",
                            "10.0.2.7",
                            &[("Down", "Down_Probe_HttpEndpointUnreachable")],
                        ),
                        (
                            "vm-web-5",
                            "10.0.2.8",
                            &[("Down", "Down_Probe_HttpNoResponse")],
                        ),
                        (
                            "vm-web-6",
                            "10.0.2.9",
                            &[
                                ("Up", "Up_Probe_Success"),
                                ("Up", "Up_Probe_ApproachingUnhealthyThreshold"),
                                ("Down", "Down_Probe_HttpStatusCodeError"),
                                ("Down", "Down_Probe_ApproachingHealthyThreshold"),
                            ],
                        ),
                        ("vm-web-7", "10.0.2.10", &[("Down", "NA")]),
                        ("vm-web-8", "10.0.2.11", &[("", "")]),
                        (
                            "vm-web-9",
                            "10.0.2.12",
                            &[("Up", "Up_Probe_SomeFutureCode")],
                        ),
                    ],
                ),
            ),
            (
                "rule-https",
                nics(
                    PROD,
                    "rg-web",
                    &[
                        ("vm-web-1", "10.0.2.4", &[("Up", "Up_Probe_Success")]),
                        ("vm-web-2", "10.0.2.5", &[("Up", "Up_Admin")]),
                        (
                            "vm-web-3",
                            "10.0.2.6",
                            &[
                                ("Up", "Up_Probe_Success"),
                                ("Up", "Up_Probe_Success"),
                                ("Down", "Down_Probe_HttpNoResponse"),
                            ],
                        ),
                    ],
                ),
            ),
        ],
    });
    e.add(Lb {
        sub: PROD,
        rg: "rg-data",
        name: "lb-sql",
        location: "westeurope",
        sku: ("Standard", "Regional"),
        probes: &[("probe-tcp-1433", "Tcp", 1433, None, 5, "AllProbedDown")],
        rules: &[("rule-sql", "Tcp", 1433, 1433, Some("probe-tcp-1433"))],
        backends: vec![(
            "rule-sql",
            nics(
                PROD,
                "rg-data",
                &[
                    ("vm-sql-1", "10.1.0.4", &[("Up", "Up_Probe_Success")]),
                    (
                        "vm-sql-2",
                        "10.1.0.5",
                        &[("Down", "Down_Probe_TcpProbeTimeout")],
                    ),
                    ("vm-sql-3", "10.1.0.6", &[("Down", "Down_Admin")]),
                    (
                        "vm-sql-4",
                        "10.1.0.7",
                        &[
                            ("Down", "Down_Probe_ApproachingHealthyThreshold"),
                            ("Up", "Up_Probe_Success"),
                        ],
                    ),
                ],
            ),
        )],
    });
    e.add(Lb {
        sub: PROD,
        rg: "rg-batch",
        name: "lb-batch",
        location: "eastus2",
        sku: ("Standard", "Regional"),
        probes: &[("probe-tcp-8080", "Tcp", 8080, None, 10, "AllProbedUp")],
        rules: &[("rule-workers", "Tcp", 8080, 8080, Some("probe-tcp-8080"))],
        backends: vec![(
            "rule-workers",
            nics(
                PROD,
                "rg-batch",
                &[
                    ("vm-batch-1", "10.2.0.4", &[("Up", "Up_Probe_AllDownIsUp")]),
                    ("vm-batch-2", "10.2.0.5", &[("Up", "Up_Probe_AllDownIsUp")]),
                ],
            ),
        )],
    });
    e.add(Lb {
        sub: STAGING,
        rg: "rg-edge",
        name: "lb-global",
        location: "eastus2",
        sku: ("Standard", "Global"),
        probes: &[("probe-global", "Tcp", 443, None, 5, "AllProbedDown")],
        rules: &[("rule-global-https", "Tcp", 443, 443, Some("probe-global"))],
        backends: vec![(
            "rule-global-https",
            vec![
                regional(
                    STAGING,
                    "rg-edge-eus",
                    "lb-edge-eastus",
                    "20.51.0.10",
                    &[("Up", "Up_Probe_Success")],
                ),
                regional(
                    STAGING,
                    "rg-edge-weu",
                    "lb-edge-westeurope",
                    "20.52.0.10",
                    &[("Down", "Down_Probe_NoHealthyBackend")],
                ),
                regional(
                    STAGING,
                    "rg-edge-sea",
                    "lb-edge-southeastasia",
                    "20.53.0.10",
                    &[("Down", "Down_Platform")],
                ),
                regional(
                    STAGING,
                    "rg-edge-brs",
                    "lb-edge-brazilsouth",
                    "20.54.0.10",
                    &[("Up", "Up_Platform")],
                ),
            ],
        )],
    });
    e.add(Lb {
        sub: STAGING,
        rg: "rg-nva",
        name: "lb-gateway",
        location: "eastus2",
        sku: ("Gateway", "Regional"),
        probes: &[("probe-nva", "Tcp", 8443, None, 5, "AllProbedDown")],
        rules: &[("rule-nva", "All", 0, 0, Some("probe-nva"))],
        backends: vec![],
    });
    e.add(Lb {
        sub: STAGING,
        rg: "rg-api",
        name: "lb-api-internal",
        location: "eastus2",
        sku: ("Standard", "Regional"),
        probes: &[(
            "probe-api",
            "Http",
            8080,
            Some("/health/live"),
            5,
            "AllProbedDown",
        )],
        rules: &[
            ("rule-api", "Tcp", 80, 8080, Some("probe-api")),
            ("rule-empty", "Tcp", 81, 8081, Some("probe-api")),
        ],
        backends: vec![
            (
                "rule-api",
                nics(
                    STAGING,
                    "rg-api",
                    &[
                        ("vm-api-1", "10.3.0.4", &[("Up", "Up_Probe_Success")]),
                        (
                            "vm-api-2",
                            "10.3.0.5",
                            &[("Up", "Up_Probe_ApproachingUnhealthyThreshold")],
                        ),
                    ],
                ),
            ),
            ("rule-empty", vec![]),
        ],
    });
    e
}

/// Subscriptions of the large estate (`demo.largeEstate`).
pub const LARGE_SUBSCRIPTIONS: usize = 50;
/// The most load balancers the large estate has.
pub const LARGE_MAX: usize = 5_000;

pub fn large_subscription(k: usize) -> String {
    format!("5ca1ab1e-0000-4000-8000-{k:012x}")
}

/// What a load balancer of the large estate is like, by its number: mostly healthy,
/// with every verdict of the overview present.
pub fn large_kind(i: usize) -> &'static str {
    match i {
        i if i % 40 == 7 => "basic",
        i if i % 50 == 11 => "down",
        i if i % 10 == 3 => "degraded",
        i if i % 30 == 17 => "no-data",
        i if i % 60 == 5 => "flapping",
        _ => "healthy",
    }
}

impl Estate {
    /// `n` more load balancers (at most [`LARGE_MAX`]) spread over
    /// [`LARGE_SUBSCRIPTIONS`] more subscriptions, for the estate overview at scale.
    pub fn with_large_estate(mut self, n: usize) -> Self {
        const TEAMS: [&str; 5] = ["web", "api", "data", "batch", "edge"];
        const LOCATIONS: [&str; 4] = ["eastus", "westeurope", "northeurope", "southeastasia"];
        const UP: Cycle = &[("Up", "Up_Probe_Success")];
        const DOWN: Cycle = &[("Down", "Down_Probe_HttpStatusCodeError")];
        const NA: Cycle = &[("Down", "NA")];
        const FLAP: Cycle = &[
            ("Up", "Up_Probe_Success"),
            ("Down", "Down_Probe_HttpNoResponse"),
        ];
        for k in 0..LARGE_SUBSCRIPTIONS {
            self.subscriptions.push(Subscription {
                subscription_id: large_subscription(k),
                display_name: format!("Contoso Estate {k:02}"),
                state: "Enabled".into(),
                tenant_id: TENANT.into(),
            });
        }
        for i in 0..n.min(LARGE_MAX) {
            let (team, kind) = (TEAMS[i % TEAMS.len()], large_kind(i));
            let sub = large_subscription(i % LARGE_SUBSCRIPTIONS);
            let rg = format!("rg-{team}-{:02}", i % LARGE_SUBSCRIPTIONS);
            let name = format!("lb-{team}-{i:04}");
            let cycles: [Cycle; 3] = match kind {
                "down" => [DOWN, DOWN, DOWN],
                "degraded" => [UP, DOWN, UP],
                "no-data" => [NA, NA, NA],
                "flapping" => [UP, FLAP, UP],
                _ => [UP, UP, UP],
            };
            let backends = cycles
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    backend(
                        &sub,
                        &rg,
                        &format!("vm-{team}-{i:04}-{j}"),
                        &format!("10.{}.{}.{}", 100 + i / 250 % 100, i % 250, 4 + j),
                        c,
                    )
                })
                .collect();
            self.add(Lb {
                sub: &sub,
                rg: &rg,
                name: &name,
                location: LOCATIONS[i % LOCATIONS.len()],
                sku: if kind == "basic" {
                    ("Basic", "Regional")
                } else {
                    ("Standard", "Regional")
                },
                probes: &[(
                    "probe-http",
                    "Http",
                    80,
                    Some("/healthz"),
                    5,
                    "AllProbedDown",
                )],
                rules: &[("rule-http", "Tcp", 80, 80, Some("probe-http"))],
                backends: vec![("rule-http", backends)],
            });
        }
        self
    }
}
