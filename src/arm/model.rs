//! The ARM payloads LB Health reads. Every field is optional or defaulted: ARM adds
//! fields over time and older api-versions omit some, and a missing field must never
//! fail a whole page.
//!
//! Reading is table-driven rather than `#[derive(Deserialize)]`: each type has a
//! [`Shape`] (field names and kinds), the one reader in `crate::json` walks any shape
//! into a [`Json`] tree, and plain functions move the tree into the structs. The derive
//! gave every struct, option and list its own copy of the parsing code, about a sixth
//! of the wasm; the shapes accept and refuse what the derive did (the tests below hold
//! them to it). The demo, the exports and the test server write JSON from the same
//! tree ([`Json::write`]).

pub use crate::json::{parse, read_json, FromJson, Json, JsonError, Shape, ToJson};
use crate::json::{obj, opt_str, Fields, OPT_STR};

/// `GET /subscriptions` and the load balancer list share this paged envelope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page<T> {
    pub value: Vec<T>,
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subscription {
    pub subscription_id: String,
    pub display_name: String,
    pub state: String,
    pub tenant_id: String,
}

impl Subscription {
    /// Case-insensitive match on the display name or the id; an empty query matches.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_ascii_lowercase();
        q.is_empty()
            || self.display_name.to_ascii_lowercase().contains(&q)
            || self.subscription_id.to_ascii_lowercase().contains(&q)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sku {
    pub name: String,
    pub tier: String,
}

impl Sku {
    /// As the portal shows it: "Standard (Regional)", or the name alone without a tier.
    pub fn label(&self) -> String {
        if self.tier.is_empty() { self.name.clone() } else { format!("{} ({})", self.name, self.tier) }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubResource {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadBalancer {
    pub id: String,
    pub name: String,
    pub location: String,
    pub sku: Sku,
    pub properties: LoadBalancerProperties,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadBalancerProperties {
    pub frontend_ip_configurations: Vec<Named<FrontendProperties>>,
    pub backend_address_pools: Vec<Named<PoolProperties>>,
    pub probes: Vec<Named<ProbeProperties>>,
    pub load_balancing_rules: Vec<Named<RuleProperties>>,
}

/// ARM's child resources all look like `{ name, id, properties }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Named<P> {
    pub name: String,
    pub id: String,
    pub properties: P,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontendProperties {
    pub private_ip_address: Option<String>,
    pub public_ip_address: Option<SubResource>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolProperties {
    pub load_balancer_backend_addresses: Vec<Named<BackendAddressProperties>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackendAddressProperties {
    pub admin_state: Option<String>,
    pub ip_address: Option<String>,
    pub network_interface_ip_configuration: Option<SubResource>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeProperties {
    pub protocol: String,
    pub port: u16,
    pub request_path: Option<String>,
    pub interval_in_seconds: Option<u32>,
    pub number_of_probes: Option<u32>,
    pub probe_threshold: Option<u32>,
    pub no_healthy_backends_behavior: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleProperties {
    pub protocol: String,
    pub frontend_port: u16,
    pub backend_port: u16,
    pub frontend_ip_configuration: Option<SubResource>,
    pub backend_address_pool: Option<SubResource>,
    pub probe: Option<SubResource>,
}

/// The 200 body of the health operation's Location.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HealthResult {
    /// Lenient: a null or a stringified number must not fail the panel; the rows are
    /// the truth and the counts are recomputed from them anyway.
    pub up: u32,
    pub down: u32,
    /// `null` reads as no rows.
    pub load_balancer_backend_addresses: Vec<BackendHealth>,
}

/// Every field is lenient: a string, null, a number, or an object carrying `id`;
/// anything else reads as empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BackendHealth {
    pub ip_address: String,
    /// A string in the API; one spec version typed it as an object with an `id`.
    pub network_interface_ip_configuration_id: String,
    pub state: String,
    pub reason: String,
}


/// One entry of `GET /tenants`: the directories the signed-in user can switch to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tenant {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
}

/// Azure Resource Graph's answer (`resultFormat: objectArray`, its default).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphAnswer {
    pub total_records: u64,
    pub data: Vec<GraphLoadBalancer>,
}

/// One load balancer found by Resource Graph, from any subscription the user can read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphLoadBalancer {
    pub id: String,
    pub name: String,
    pub resource_group: String,
    pub subscription_id: String,
    pub location: String,
}

// ------------------------------------------------------------------ shapes

// What the derive asked serde_json for, field by field: `String` is `STR`, `Option<_>`
// is `Opt`, a lenient field is `LENIENT`.

static STR: Shape = Shape::Str;
static U16: Shape = Shape::U16;
static OPT_U32: Shape = Shape::Opt(&Shape::U32);
static LENIENT: Shape = Shape::Lenient;
static SUB: Shape = Shape::Struct(&[("id", &STR)]);
static OPT_SUB: Shape = Shape::Opt(&SUB);
static SKU: Shape = Shape::Struct(&[("name", &STR), ("tier", &STR)]);
static SUBSCRIPTION: Shape =
    Shape::Struct(&[("subscriptionId", &STR), ("displayName", &STR), ("state", &STR), ("tenantId", &STR)]);
static LOAD_BALANCER: Shape = Shape::Struct(&[("id", &STR), ("name", &STR), ("location", &STR), ("sku", &SKU), ("properties", &LB_PROPERTIES)],
);
static LB_PROPERTIES: Shape = Shape::Struct(&[
        ("frontendIPConfigurations", &Shape::Seq(<Named<FrontendProperties> as FromJson>::SHAPE)),
        ("backendAddressPools", &Shape::Seq(<Named<PoolProperties> as FromJson>::SHAPE)),
        ("probes", &Shape::Seq(<Named<ProbeProperties> as FromJson>::SHAPE)),
        ("loadBalancingRules", &Shape::Seq(<Named<RuleProperties> as FromJson>::SHAPE)),
    ],
);
static FRONTEND: Shape = Shape::Struct(&[("privateIPAddress", &OPT_STR), ("publicIPAddress", &OPT_SUB)]);
static POOL: Shape = Shape::Struct(&[("loadBalancerBackendAddresses", &Shape::Seq(<Named<BackendAddressProperties> as FromJson>::SHAPE))]);
static BACKEND_ADDRESS: Shape = Shape::Struct(&[("adminState", &OPT_STR), ("ipAddress", &OPT_STR), ("networkInterfaceIPConfiguration", &OPT_SUB)],
);
static PROBE: Shape = Shape::Struct(&[
        ("protocol", &STR),
        ("port", &U16),
        ("requestPath", &OPT_STR),
        ("intervalInSeconds", &OPT_U32),
        ("numberOfProbes", &OPT_U32),
        ("probeThreshold", &OPT_U32),
        ("noHealthyBackendsBehavior", &OPT_STR),
    ],
);
static RULE: Shape = Shape::Struct(&[
        ("protocol", &STR),
        ("frontendPort", &U16),
        ("backendPort", &U16),
        ("frontendIPConfiguration", &OPT_SUB),
        ("backendAddressPool", &OPT_SUB),
        ("probe", &OPT_SUB),
    ],
);
static HEALTH_RESULT: Shape = Shape::Struct(&[("up", &LENIENT), ("down", &LENIENT), ("loadBalancerBackendAddresses", &Shape::Opt(&Shape::Seq(&BACKEND_HEALTH)))],
);
static BACKEND_HEALTH: Shape = Shape::Struct(&[("ipAddress", &LENIENT), ("networkInterfaceIPConfigurationId", &LENIENT), ("state", &LENIENT), ("reason", &LENIENT)],
);
static TENANT: Shape = Shape::Struct(&[("tenantId", &STR), ("displayName", &STR), ("defaultDomain", &STR)]);
static GRAPH_ANSWER: Shape = Shape::Struct(&[("totalRecords", &Shape::U64), ("data", &Shape::Seq(&GRAPH_LB))]);
static GRAPH_LB: Shape =
    Shape::Struct(&[("id", &STR), ("name", &STR), ("resourceGroup", &STR), ("subscriptionId", &STR), ("location", &STR)]);

// ------------------------------------------------------------------ tree to structs

/// ARM's counts are integers, but a null or a stringified number must not fail the panel.
fn lenient_count(j: Json) -> u32 {
    match j {
        Json::Num(n) => n.min(u32::MAX as u64) as u32,
        Json::Str(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

// Each reads its fields in the order of its shape.

/// Generic over any `T`, as the client's listing is.
impl<T: FromJson> FromJson for Page<T> {
    const SHAPE: &'static Shape = &Shape::Struct(&[("value", &Shape::Seq(T::SHAPE)), ("nextLink", &OPT_STR)]);
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Page { value: f.list(), next_link: f.opt_string() }
    }
}


impl FromJson for Subscription {
    const SHAPE: &'static Shape = &SUBSCRIPTION;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Subscription { subscription_id: f.string(), display_name: f.string(), state: f.string(), tenant_id: f.string() }
    }
}

impl FromJson for Sku {
    const SHAPE: &'static Shape = &SKU;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Sku { name: f.string(), tier: f.string() }
    }
}

impl FromJson for SubResource {
    const SHAPE: &'static Shape = &SUB;
    fn from_json(j: Json) -> Self {
        SubResource { id: Fields::of(j).string() }
    }
}

impl FromJson for LoadBalancer {
    const SHAPE: &'static Shape = &LOAD_BALANCER;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        LoadBalancer { id: f.string(), name: f.string(), location: f.string(), sku: f.get(), properties: f.get() }
    }
}

impl FromJson for LoadBalancerProperties {
    const SHAPE: &'static Shape = &LB_PROPERTIES;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        LoadBalancerProperties {
            frontend_ip_configurations: f.list(),
            backend_address_pools: f.list(),
            probes: f.list(),
            load_balancing_rules: f.list(),
        }
    }
}

impl<P: FromJson> FromJson for Named<P> {
    const SHAPE: &'static Shape = &Shape::Struct(&[("name", &Shape::Str), ("id", &Shape::Str), ("properties", P::SHAPE)]);
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Named { name: f.string(), id: f.string(), properties: f.get() }
    }
}

impl FromJson for FrontendProperties {
    const SHAPE: &'static Shape = &FRONTEND;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        FrontendProperties { private_ip_address: f.opt_string(), public_ip_address: f.opt() }
    }
}

impl FromJson for PoolProperties {
    const SHAPE: &'static Shape = &POOL;
    fn from_json(j: Json) -> Self {
        PoolProperties { load_balancer_backend_addresses: Fields::of(j).list() }
    }
}

impl FromJson for BackendAddressProperties {
    const SHAPE: &'static Shape = &BACKEND_ADDRESS;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        BackendAddressProperties { admin_state: f.opt_string(), ip_address: f.opt_string(), network_interface_ip_configuration: f.opt() }
    }
}

impl FromJson for ProbeProperties {
    const SHAPE: &'static Shape = &PROBE;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        ProbeProperties {
            protocol: f.string(),
            port: f.num() as u16,
            request_path: f.opt_string(),
            interval_in_seconds: f.opt_num().map(|n| n as u32),
            number_of_probes: f.opt_num().map(|n| n as u32),
            probe_threshold: f.opt_num().map(|n| n as u32),
            no_healthy_backends_behavior: f.opt_string(),
        }
    }
}

impl FromJson for RuleProperties {
    const SHAPE: &'static Shape = &RULE;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        RuleProperties {
            protocol: f.string(),
            frontend_port: f.num() as u16,
            backend_port: f.num() as u16,
            frontend_ip_configuration: f.opt(),
            backend_address_pool: f.opt(),
            probe: f.opt(),
        }
    }
}

impl FromJson for HealthResult {
    const SHAPE: &'static Shape = &HEALTH_RESULT;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        HealthResult { up: lenient_count(f.value()), down: lenient_count(f.value()), load_balancer_backend_addresses: f.list() }
    }
}

impl FromJson for BackendHealth {
    const SHAPE: &'static Shape = &BACKEND_HEALTH;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        BackendHealth { ip_address: f.string(), network_interface_ip_configuration_id: f.string(), state: f.string(), reason: f.string() }
    }
}

impl FromJson for Tenant {
    const SHAPE: &'static Shape = &TENANT;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        Tenant { tenant_id: f.string(), display_name: f.string(), default_domain: f.string() }
    }
}

impl FromJson for GraphAnswer {
    const SHAPE: &'static Shape = &GRAPH_ANSWER;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        GraphAnswer { total_records: f.num(), data: f.list() }
    }
}

impl FromJson for GraphLoadBalancer {
    const SHAPE: &'static Shape = &GRAPH_LB;
    fn from_json(j: Json) -> Self {
        let mut f = Fields::of(j);
        GraphLoadBalancer { id: f.string(), name: f.string(), resource_group: f.string(), subscription_id: f.string(), location: f.string() }
    }
}


// ------------------------------------------------------------------ writing

fn some_str(s: &str) -> Option<Json> {
    Some(Json::str(s))
}

fn opt_json<T: ToJson>(v: &Option<T>) -> Option<Json> {
    v.as_ref().map(ToJson::to_json)
}

fn num_of(n: impl Into<u64>) -> Option<Json> {
    Some(Json::Num(n.into()))
}

fn list_of<T: ToJson>(items: &[T]) -> Option<Json> {
    Some(Json::Arr(items.iter().map(ToJson::to_json).collect()))
}

impl<T: ToJson> ToJson for Page<T> {
    fn to_json(&self) -> Json {
        obj(&mut [("value", list_of(&self.value)), ("nextLink", opt_str(&self.next_link))])
    }
}

impl ToJson for Subscription {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("subscriptionId", some_str(&self.subscription_id)),
            ("displayName", some_str(&self.display_name)),
            ("state", some_str(&self.state)),
            ("tenantId", some_str(&self.tenant_id)),
        ])
    }
}

impl ToJson for Sku {
    fn to_json(&self) -> Json {
        obj(&mut [("name", some_str(&self.name)), ("tier", some_str(&self.tier))])
    }
}

impl ToJson for SubResource {
    fn to_json(&self) -> Json {
        obj(&mut [("id", some_str(&self.id))])
    }
}

impl ToJson for LoadBalancer {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("id", some_str(&self.id)),
            ("name", some_str(&self.name)),
            ("location", some_str(&self.location)),
            ("sku", Some(self.sku.to_json())),
            ("properties", Some(self.properties.to_json())),
        ])
    }
}

impl ToJson for LoadBalancerProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("frontendIPConfigurations", list_of(&self.frontend_ip_configurations)),
            ("backendAddressPools", list_of(&self.backend_address_pools)),
            ("probes", list_of(&self.probes)),
            ("loadBalancingRules", list_of(&self.load_balancing_rules)),
        ])
    }
}

impl<P: ToJson> ToJson for Named<P> {
    fn to_json(&self) -> Json {
        obj(&mut [("name", some_str(&self.name)), ("id", some_str(&self.id)), ("properties", Some(self.properties.to_json()))])
    }
}

impl ToJson for FrontendProperties {
    fn to_json(&self) -> Json {
        obj(&mut [("privateIPAddress", opt_str(&self.private_ip_address)), ("publicIPAddress", opt_json(&self.public_ip_address))])
    }
}

impl ToJson for PoolProperties {
    fn to_json(&self) -> Json {
        obj(&mut [("loadBalancerBackendAddresses", list_of(&self.load_balancer_backend_addresses))])
    }
}

impl ToJson for BackendAddressProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("adminState", opt_str(&self.admin_state)),
            ("ipAddress", opt_str(&self.ip_address)),
            ("networkInterfaceIPConfiguration", opt_json(&self.network_interface_ip_configuration)),
        ])
    }
}

impl ToJson for ProbeProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("protocol", some_str(&self.protocol)),
            ("port", num_of(self.port)),
            ("requestPath", opt_str(&self.request_path)),
            ("intervalInSeconds", self.interval_in_seconds.and_then(num_of)),
            ("numberOfProbes", self.number_of_probes.and_then(num_of)),
            ("probeThreshold", self.probe_threshold.and_then(num_of)),
            ("noHealthyBackendsBehavior", opt_str(&self.no_healthy_backends_behavior)),
        ])
    }
}

impl ToJson for RuleProperties {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("protocol", some_str(&self.protocol)),
            ("frontendPort", num_of(self.frontend_port)),
            ("backendPort", num_of(self.backend_port)),
            ("frontendIPConfiguration", opt_json(&self.frontend_ip_configuration)),
            ("backendAddressPool", opt_json(&self.backend_address_pool)),
            ("probe", opt_json(&self.probe)),
        ])
    }
}

impl ToJson for HealthResult {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("up", num_of(self.up)),
            ("down", num_of(self.down)),
            ("loadBalancerBackendAddresses", list_of(&self.load_balancer_backend_addresses)),
        ])
    }
}

impl ToJson for BackendHealth {
    fn to_json(&self) -> Json {
        obj(&mut [
            ("ipAddress", some_str(&self.ip_address)),
            ("networkInterfaceIPConfigurationId", some_str(&self.network_interface_ip_configuration_id)),
            ("state", some_str(&self.state)),
            ("reason", some_str(&self.reason)),
        ])
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    const MIXED: &str = include_str!("../../tests/fixtures/health-result-mixed.json");
    const LB: &str = include_str!("../../tests/fixtures/loadbalancer.json");

    #[test]
    fn sku_reads_as_the_portal_shows_it() {
        assert_eq!(Sku { name: "Standard".into(), tier: "Regional".into() }.label(), "Standard (Regional)");
        assert_eq!(Sku { name: "Gateway".into(), tier: String::new() }.label(), "Gateway");
    }

    #[test]
    fn mixed_health_result_keeps_every_row() {
        let r: HealthResult = parse(MIXED).unwrap();
        assert_eq!(r.load_balancer_backend_addresses.len(), 6);
        assert_eq!(r.load_balancer_backend_addresses[4].state, "");
        assert_eq!(r.load_balancer_backend_addresses[5].reason, "Up_Probe_SomeFutureCode");
    }

    #[test]
    fn nic_id_given_as_object_is_read() {
        let r: HealthResult = parse(
            r#"{"loadBalancerBackendAddresses":[{"networkInterfaceIPConfigurationId":{"id":"/x/ipConfigurations/a"},"state":null}]}"#,
        )
        .unwrap();
        assert_eq!(r.load_balancer_backend_addresses[0].network_interface_ip_configuration_id, "/x/ipConfigurations/a");
        assert_eq!(r.load_balancer_backend_addresses[0].state, "");
        assert_eq!(r.up, 0);
    }

    #[test]
    fn subscriptions_match_by_name_or_id() {
        let s = Subscription { subscription_id: "0b1f6471-1bf0".into(), display_name: "Contoso Production".into(), ..Default::default() };
        assert!(s.matches("prod"));
        assert!(s.matches(" 0B1F "));
        assert!(s.matches(""));
        assert!(!s.matches("staging"));
    }

    #[test]
    fn null_backend_list_is_empty() {
        let r: HealthResult = parse(r#"{"up":null,"down":"2","loadBalancerBackendAddresses":null}"#).unwrap();
        assert!(r.load_balancer_backend_addresses.is_empty());
        assert_eq!(r.down, 2);
    }

    #[test]
    fn load_balancer_description_parses() {
        let lb: LoadBalancer = parse(LB).unwrap();
        assert_eq!(lb.properties.load_balancing_rules.len(), 2);
        assert_eq!(lb.properties.probes[0].properties.request_path.as_deref(), Some("/healthz"));
        assert!(lb.properties.load_balancing_rules[1].properties.probe.is_none());
    }

    #[test]
    fn written_json_reads_back_the_same() {
        let lb: LoadBalancer = parse(LB).unwrap();
        assert_eq!(parse::<LoadBalancer>(&lb.to_json().to_text()).unwrap(), lb);
        let h: HealthResult = parse(MIXED).unwrap();
        assert_eq!(parse::<HealthResult>(&h.to_json().to_text()).unwrap(), h);
        let text = "q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀";
        let odd = Json::str(text);
        assert_eq!(odd.to_text(), serde_json::to_string(text).unwrap());
        assert_eq!(serde_json::from_str::<String>(&odd.to_text()).unwrap(), "q\"b\\s/\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀");
    }

    /// The derived types this module replaced, kept as the oracle: the shapes must accept,
    /// reject and word errors exactly as `#[derive(Deserialize)]` did, and write what
    /// `#[derive(Serialize)]` wrote.
    mod derived {
        use serde::{Deserialize, Deserializer, Serialize};

        #[derive(Debug, Deserialize, Serialize)]
        pub struct Page<T> {
            #[serde(default = "Vec::new")]
            pub value: Vec<T>,
            #[serde(rename = "nextLink", default, skip_serializing_if = "Option::is_none")]
            pub next_link: Option<String>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct Subscription {
            #[serde(default)]
            pub subscription_id: String,
            #[serde(default)]
            pub display_name: String,
            #[serde(default)]
            pub state: String,
            #[serde(default)]
            pub tenant_id: String,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        pub struct Sku {
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub tier: String,
        }
        #[derive(Debug, Deserialize, Serialize)]
        pub struct SubResource {
            #[serde(default)]
            pub id: String,
        }
        #[derive(Debug, Deserialize, Serialize)]
        pub struct LoadBalancer {
            #[serde(default)]
            pub id: String,
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub location: String,
            #[serde(default)]
            pub sku: Sku,
            #[serde(default)]
            pub properties: LoadBalancerProperties,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct LoadBalancerProperties {
            #[serde(rename = "frontendIPConfigurations", default)]
            pub frontend_ip_configurations: Vec<Named<FrontendProperties>>,
            #[serde(default)]
            pub backend_address_pools: Vec<Named<PoolProperties>>,
            #[serde(default)]
            pub probes: Vec<Named<ProbeProperties>>,
            #[serde(default)]
            pub load_balancing_rules: Vec<Named<RuleProperties>>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        pub struct Named<P> {
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub id: String,
            #[serde(default)]
            pub properties: P,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct FrontendProperties {
            #[serde(rename = "privateIPAddress", default, skip_serializing_if = "Option::is_none")]
            pub private_ip_address: Option<String>,
            #[serde(rename = "publicIPAddress", default, skip_serializing_if = "Option::is_none")]
            pub public_ip_address: Option<SubResource>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct PoolProperties {
            #[serde(default)]
            pub load_balancer_backend_addresses: Vec<Named<BackendAddressProperties>>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct BackendAddressProperties {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub admin_state: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub ip_address: Option<String>,
            #[serde(rename = "networkInterfaceIPConfiguration", default, skip_serializing_if = "Option::is_none")]
            pub network_interface_ip_configuration: Option<SubResource>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct ProbeProperties {
            #[serde(default)]
            pub protocol: String,
            #[serde(default)]
            pub port: u16,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub request_path: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub interval_in_seconds: Option<u32>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub number_of_probes: Option<u32>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub probe_threshold: Option<u32>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub no_healthy_backends_behavior: Option<String>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct RuleProperties {
            #[serde(default)]
            pub protocol: String,
            #[serde(default)]
            pub frontend_port: u16,
            #[serde(default)]
            pub backend_port: u16,
            #[serde(rename = "frontendIPConfiguration", default, skip_serializing_if = "Option::is_none")]
            pub frontend_ip_configuration: Option<SubResource>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub backend_address_pool: Option<SubResource>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub probe: Option<SubResource>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct HealthResult {
            #[serde(default, deserialize_with = "lenient_count")]
            pub up: u32,
            #[serde(default, deserialize_with = "lenient_count")]
            pub down: u32,
            #[serde(default, deserialize_with = "null_as_default")]
            pub load_balancer_backend_addresses: Vec<BackendHealth>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct BackendHealth {
            #[serde(default, deserialize_with = "lenient_string")]
            pub ip_address: String,
            #[serde(rename = "networkInterfaceIPConfigurationId", default, deserialize_with = "lenient_string")]
            pub network_interface_ip_configuration_id: String,
            #[serde(default, deserialize_with = "lenient_string")]
            pub state: String,
            #[serde(default, deserialize_with = "lenient_string")]
            pub reason: String,
        }

        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct Tenant {
            #[serde(default)]
            pub tenant_id: String,
            #[serde(default)]
            pub display_name: String,
            #[serde(default)]
            pub default_domain: String,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct GraphAnswer {
            #[serde(default)]
            pub total_records: u64,
            #[serde(default)]
            pub data: Vec<GraphLoadBalancer>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        #[serde(rename_all = "camelCase")]
        pub struct GraphLoadBalancer {
            #[serde(default)]
            pub id: String,
            #[serde(default)]
            pub name: String,
            #[serde(default)]
            pub resource_group: String,
            #[serde(default)]
            pub subscription_id: String,
            #[serde(default)]
            pub location: String,
        }

        fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
            Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
        }
        fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            d.deserialize_any(Lenient).map(|v| match v {
                Loose::Text(s) => s,
                Loose::Number(n) => n.to_string(),
                Loose::Empty => String::new(),
            })
        }
        fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
            d.deserialize_any(Lenient).map(|v| match v {
                Loose::Number(n) => n.min(u32::MAX as u64) as u32,
                Loose::Text(s) => s.trim().parse().unwrap_or(0),
                Loose::Empty => 0,
            })
        }
        enum Loose {
            Text(String),
            Number(u64),
            Empty,
        }
        struct Lenient;
        impl<'de> serde::de::Visitor<'de> for Lenient {
            type Value = Loose;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number, null or object")
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Number(v.max(0) as u64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Number(if v.is_finite() && v > 0.0 { v as u64 } else { 0 }))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Loose, E> {
                Ok(Loose::Empty)
            }
            fn visit_unit<E>(self) -> Result<Loose, E> {
                Ok(Loose::Empty)
            }
            fn visit_none<E>(self) -> Result<Loose, E> {
                Ok(Loose::Empty)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                d.deserialize_any(Lenient)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Loose, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Loose::Empty)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Loose, A::Error> {
                let mut found = Loose::Empty;
                while let Some(key) = map.next_key::<String>()? {
                    if key == "id" {
                        if let Loose::Text(s) = map.next_value_seed(LenientSeed)? {
                            found = Loose::Text(s);
                        }
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        struct LenientSeed;
        impl<'de> serde::de::DeserializeSeed<'de> for LenientSeed {
            type Value = Loose;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
                d.deserialize_any(Lenient)
            }
        }
    }

    // Written only to compare with the derive; the app never writes these.
    impl ToJson for Tenant {
        fn to_json(&self) -> Json {
            obj(&mut [
                ("tenantId", some_str(&self.tenant_id)),
                ("displayName", some_str(&self.display_name)),
                ("defaultDomain", some_str(&self.default_domain)),
            ])
        }
    }
    impl ToJson for GraphAnswer {
        fn to_json(&self) -> Json {
            obj(&mut [("totalRecords", num_of(self.total_records)), ("data", list_of(&self.data))])
        }
    }
    impl ToJson for GraphLoadBalancer {
        fn to_json(&self) -> Json {
            obj(&mut [
                ("id", some_str(&self.id)),
                ("name", some_str(&self.name)),
                ("resourceGroup", some_str(&self.resource_group)),
                ("subscriptionId", some_str(&self.subscription_id)),
                ("location", some_str(&self.location)),
            ])
        }
    }

    /// Same outcome from the shapes and from the derive: both refuse, or both accept and
    /// write the same JSON (each through its own writer). Error texts differ on purpose.
    fn same<New, Old>(text: &str) -> Result<(), String>
    where
        New: FromJson + ToJson,
        Old: for<'de> Deserialize<'de> + Serialize,
    {
        let new = parse::<New>(text).map(|v| v.to_json().to_text()).map_err(|e| e.to_string());
        let old = serde_json::from_str::<Old>(text).map(|v| serde_json::to_string(&v).unwrap()).map_err(|e| e.to_string());
        if new.as_ref().ok() == old.as_ref().ok() {
            Ok(())
        } else {
            Err(format!("{text}\n  shapes: {new:?}\n  derive: {old:?}"))
        }
    }

    fn all_same(text: &str) -> Result<(), String> {
        same::<HealthResult, derived::HealthResult>(text)?;
        same::<LoadBalancer, derived::LoadBalancer>(text)?;
        same::<Page<Subscription>, derived::Page<derived::Subscription>>(text)?;
        same::<Page<LoadBalancer>, derived::Page<derived::LoadBalancer>>(text)?;
        same::<ProbeProperties, derived::ProbeProperties>(text)?;
        same::<RuleProperties, derived::RuleProperties>(text)?;
        same::<BackendAddressProperties, derived::BackendAddressProperties>(text)?;
        same::<FrontendProperties, derived::FrontendProperties>(text)?;
        same::<Named<PoolProperties>, derived::Named<derived::PoolProperties>>(text)?;
        same::<Page<Tenant>, derived::Page<derived::Tenant>>(text)?;
        same::<GraphAnswer, derived::GraphAnswer>(text)?;
        same::<BackendHealth, derived::BackendHealth>(text)
    }

    #[test]
    fn shapes_match_the_derive_on_fixtures_and_odd_input() {
        let fixtures = [
            MIXED,
            LB,
            include_str!("../../tests/fixtures/health-result.json"),
            include_str!("../../tests/fixtures/loadbalancers-page1.json"),
            include_str!("../../tests/fixtures/subscriptions.json"),
            include_str!("../../tests/fixtures/error-404-notfound.json"),
        ];
        let odd = [
            "", " ", "null", "[]", "{}", "{} x", "[1,2", "5", "\"x\"", "true", "-1", "1.5", "1e400",
            r#"{"up":1,"up":2}"#,
            r#"{"name":"a","name":"b"}"#,
            r#"{"value":[],"value":[]}"#,
            r#"{"nextLink":"a","nextLink":null}"#,
            r#"{"id":"a","properties":{"probes":[{"properties":{"port":70000}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"port":-1}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"port":1.5,"protocol":null}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"intervalInSeconds":4294967296}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"intervalInSeconds":"5"}}]}}"#,
            r#"{"properties":{"probes":[{"properties":{"requestPath":5}}]}}"#,
            r#"{"properties":{"loadBalancingRules":[{"properties":{"probe":null,"backendAddressPool":{"id":7}}}]}}"#,
            r#"{"properties":{"loadBalancingRules":[{"properties":{"probe":["x"]}}]}}"#,
            r#"{"properties":{"loadBalancingRules":[["r","i",{"protocol":"Tcp"}]]}}"#,
            r#"["id","name","loc",["Basic"],{}]"#,
            r#"["id","name","loc",["Basic"],{},"extra"]"#,
            r#"[[],null]"#,
            r#"[[{"subscriptionId":"s"}],"next",3]"#,
            r#"{"sku":null}"#,
            r#"{"sku":{"name":true}}"#,
            r#"{"sku":{"name":"a","name":"a"}}"#,
            r#"{"properties":{"frontendIPConfigurations":null}}"#,
            r#"{"properties":{"frontendIPConfigurations":{}}}"#,
            r#"{"properties":{"frontendIPConfigurations":[{"properties":{"publicIPAddress":{"id":"p","id":"q"}}}]}}"#,
            r#"{"properties":{"backendAddressPools":[{"properties":{"loadBalancerBackendAddresses":[{"properties":{"adminState":null,"networkInterfaceIPConfiguration":5}}]}}]}}"#,
            r#"{"up":"7","down":-3,"loadBalancerBackendAddresses":[{"ipAddress":1.9,"state":[1,[2]],"reason":{"id":{"id":"deep"},"x":1},"networkInterfaceIPConfigurationId":{"id":5}}]}"#,
            r#"{"up":1e3,"down":true,"loadBalancerBackendAddresses":{}}"#,
            r#"{"loadBalancerBackendAddresses":[5]}"#,
            r#"{"loadBalancerBackendAddresses":[{"state":"Up","state":"Down"}]}"#,
            r#"{"loadBalancerBackendAddresses":[{"reason":{"id":"a","id":"b","id":3}}]}"#,
            r#"{"value":null}"#,
            r#"{"value":[{"subscriptionId":null}]}"#,
            r#"{"value":[{"displayName":"é\u00e9\"\\"}],"nextLink":""}"#,
            r#"{"unknown":[[[[[[[[{"deep":[1,2,{"a":null}]}]]]]]]]],"id":"x"}"#,
            r#"{"id":"x" , "name" : "y" }  "#,
            r#"{"id":"x",}"#,
        ];
        let failures: Vec<String> = fixtures.iter().chain(odd.iter()).filter_map(|t| all_same(t).err()).collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Any JSON built from the model's own keys, so types and shapes mismatch in every way.
    #[test]
    fn shapes_match_the_derive_on_generated_json() {
        use proptest::prelude::*;
        use serde_json::Value;
        const KEYS: &[&str] = &[
            "value", "nextLink", "subscriptionId", "displayName", "id", "name", "location", "sku", "tier", "properties",
            "frontendIPConfigurations", "backendAddressPools", "probes", "loadBalancingRules", "privateIPAddress",
            "publicIPAddress", "loadBalancerBackendAddresses", "adminState", "ipAddress", "networkInterfaceIPConfiguration",
            "protocol", "port", "requestPath", "intervalInSeconds", "frontendPort", "backendPort", "probe", "up", "down",
            "networkInterfaceIPConfigurationId", "state", "reason", "other", "tenantId", "defaultDomain", "totalRecords",
            "data", "resourceGroup",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u16>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z0-9\"\\\\/ é]{0,6}".prop_map(Value::String),
        ];
        let value = leaf.prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
            ]
        });
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 3000,
            failure_persistence: None,
            ..Default::default()
        });
        // As written, cut short, and with a byte of JSON syntax spliced in: the shapes
        // and the derive refuse the same broken texts too. No `e` or `.`: spliced into a
        // big integer they make a decimal above 2^53, which serde_json rounds to an f64
        // and the shapes truncate exactly (crate::json says why).
        let junk = prop::sample::select(&[",", "]", "}", "[", "{", ":", "\"", "\\", "-", "0", "1", " ", "n", "\u{1}"][..]);
        let text = (value, any::<prop::sample::Index>(), 0..3u8, junk).prop_map(|(v, at, how, junk)| {
            let text = v.to_string();
            let cut = (0..=at.index(text.len() + 1)).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            match how {
                0 => text,
                1 => text[..cut].to_owned(),
                _ => format!("{}{junk}{}", &text[..cut], &text[cut..]),
            }
        });
        runner.run(&text, |t| all_same(&t).map_err(proptest::test_runner::TestCaseError::fail)).unwrap();
    }
}
