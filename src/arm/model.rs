//! The ARM payloads LB Health reads, as serde derives them. Every field is optional or
//! defaulted, and `null` reads as the default too: ARM adds fields over time and older
//! api-versions omit some, and a missing field must never fail a whole page. Unknown
//! fields are ignored. A field of the wrong type fails, and the error names it
//! (`crate::http::json`), except in the health result, where every row field is
//! lenient ([`lenient_text`], [`lenient_count`]).

use serde::{Deserialize, Deserializer, Serialize};

use crate::http::json::nullable;
pub use crate::http::json::{parse, JsonError};

/// `GET /subscriptions` and the load balancer list share this paged envelope.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default, deserialize_with = "nullable")]
    pub value: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Subscription {
    #[serde(deserialize_with = "nullable")]
    pub subscription_id: String,
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    #[serde(deserialize_with = "nullable")]
    pub state: String,
    #[serde(deserialize_with = "nullable")]
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

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct Sku {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub tier: String,
}

impl Sku {
    /// As the portal shows it: "Standard (Regional)", or the name alone without a tier.
    pub fn label(&self) -> String {
        if self.tier.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.tier)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct SubResource {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct LoadBalancer {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub location: String,
    #[serde(deserialize_with = "nullable")]
    pub sku: Sku,
    #[serde(deserialize_with = "nullable")]
    pub properties: LoadBalancerProperties,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoadBalancerProperties {
    #[serde(rename = "frontendIPConfigurations", deserialize_with = "nullable")]
    pub frontend_ip_configurations: Vec<Named<FrontendProperties>>,
    #[serde(deserialize_with = "nullable")]
    pub backend_address_pools: Vec<Named<PoolProperties>>,
    #[serde(deserialize_with = "nullable")]
    pub probes: Vec<Named<ProbeProperties>>,
    #[serde(deserialize_with = "nullable")]
    pub load_balancing_rules: Vec<Named<RuleProperties>>,
}

/// ARM's child resources all look like `{ name, id, properties }`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, bound(deserialize = "P: Deserialize<'de> + Default"))]
pub struct Named<P> {
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub properties: P,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct FrontendProperties {
    #[serde(rename = "privateIPAddress", skip_serializing_if = "Option::is_none")]
    pub private_ip_address: Option<String>,
    #[serde(rename = "publicIPAddress", skip_serializing_if = "Option::is_none")]
    pub public_ip_address: Option<SubResource>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PoolProperties {
    #[serde(deserialize_with = "nullable")]
    pub load_balancer_backend_addresses: Vec<Named<BackendAddressProperties>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendAddressProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(
        rename = "networkInterfaceIPConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    pub network_interface_ip_configuration: Option<SubResource>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProbeProperties {
    #[serde(deserialize_with = "nullable")]
    pub protocol: String,
    #[serde(deserialize_with = "nullable")]
    pub port: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_in_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_probes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe_threshold: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_healthy_backends_behavior: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RuleProperties {
    #[serde(deserialize_with = "nullable")]
    pub protocol: String,
    #[serde(deserialize_with = "nullable")]
    pub frontend_port: u16,
    #[serde(deserialize_with = "nullable")]
    pub backend_port: u16,
    #[serde(
        rename = "frontendIPConfiguration",
        skip_serializing_if = "Option::is_none"
    )]
    pub frontend_ip_configuration: Option<SubResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend_address_pool: Option<SubResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<SubResource>,
}

/// The 200 body of the health operation's Location.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HealthResult {
    /// Lenient: a null or a stringified number must not fail the panel; the rows are
    /// the truth and the counts are recomputed from them anyway.
    #[serde(deserialize_with = "lenient_count")]
    pub up: u32,
    #[serde(deserialize_with = "lenient_count")]
    pub down: u32,
    /// `null` reads as no rows.
    #[serde(deserialize_with = "nullable")]
    pub load_balancer_backend_addresses: Vec<BackendHealth>,
}

/// Every field is lenient: a string, null, a number, or an object carrying `id`;
/// anything else reads as empty. Unknown states and reason codes are kept as text.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendHealth {
    #[serde(deserialize_with = "lenient_text")]
    pub ip_address: String,
    /// A string in the API; one spec version typed it as an object with an `id`.
    #[serde(
        rename = "networkInterfaceIPConfigurationId",
        deserialize_with = "lenient_text"
    )]
    pub network_interface_ip_configuration_id: String,
    #[serde(deserialize_with = "lenient_text")]
    pub state: String,
    #[serde(deserialize_with = "lenient_text")]
    pub reason: String,
}

/// One entry of `GET /tenants`: the directories the signed-in user can switch to.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Tenant {
    #[serde(deserialize_with = "nullable")]
    pub tenant_id: String,
    #[serde(deserialize_with = "nullable")]
    pub display_name: String,
    #[serde(deserialize_with = "nullable")]
    pub default_domain: String,
}

/// Azure Resource Graph's answer (`resultFormat: objectArray`, its default).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphAnswer {
    #[serde(deserialize_with = "nullable")]
    pub total_records: u64,
    #[serde(deserialize_with = "nullable")]
    pub data: Vec<GraphLoadBalancer>,
}

/// One load balancer found by Resource Graph, from any subscription the user can read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GraphLoadBalancer {
    #[serde(deserialize_with = "nullable")]
    pub id: String,
    #[serde(deserialize_with = "nullable")]
    pub name: String,
    #[serde(deserialize_with = "nullable")]
    pub resource_group: String,
    #[serde(deserialize_with = "nullable")]
    pub subscription_id: String,
    #[serde(deserialize_with = "nullable")]
    pub location: String,
}

// ------------------------------------------------------------------ lenient fields

/// A health row's field as text: a string as it is, a number as its digits (a fraction
/// truncated, a negative as 0), an object as its `id` (the last string one), anything
/// else as "".
fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(Lenient).map(|v| match v {
        Loose::Text(s) => s,
        Loose::Number(n) => n.to_string(),
        Loose::Empty => String::new(),
    })
}

/// ARM's counts are integers, but a null or a stringified number must not fail the panel.
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

/// Accepts any JSON value; what it keeps is a [`Loose`].
struct Lenient;

impl<'de> serde::de::Visitor<'de> for Lenient {
    type Value = Loose;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string, number, null or object")
    }
    fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
        Ok(Loose::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Loose, E> {
        Ok(Loose::Text(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Loose, E> {
        Ok(Loose::Number(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
        Ok(Loose::Number(v.max(0) as u64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
        // `as` saturates: a huge number reads as u64::MAX, a negative one or NaN as 0.
        Ok(Loose::Number(v as u64))
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
                if let Loose::Text(s) = map.next_value_seed(Lenient)? {
                    found = Loose::Text(s);
                }
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// So an `id` inside an object is read as leniently as the field itself.
impl<'de> serde::de::DeserializeSeed<'de> for Lenient {
    type Value = Loose;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Loose, D::Error> {
        d.deserialize_any(Lenient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = include_str!("../../tests/fixtures/health-result-mixed.json");
    const LB: &str = include_str!("../../tests/fixtures/loadbalancer.json");

    #[test]
    fn sku_reads_as_the_portal_shows_it() {
        assert_eq!(
            Sku {
                name: "Standard".into(),
                tier: "Regional".into()
            }
            .label(),
            "Standard (Regional)"
        );
        assert_eq!(
            Sku {
                name: "Gateway".into(),
                tier: String::new()
            }
            .label(),
            "Gateway"
        );
    }

    #[test]
    fn mixed_health_result_keeps_every_row() {
        let r: HealthResult = parse(MIXED).unwrap();
        assert_eq!(r.load_balancer_backend_addresses.len(), 6);
        assert_eq!(r.load_balancer_backend_addresses[4].state, "");
        assert_eq!(
            r.load_balancer_backend_addresses[5].reason,
            "Up_Probe_SomeFutureCode"
        );
    }

    #[test]
    fn nic_id_given_as_object_is_read() {
        let r: HealthResult = parse(
            r#"{"loadBalancerBackendAddresses":[{"networkInterfaceIPConfigurationId":{"id":"/x/ipConfigurations/a"},"state":null}]}"#,
        )
        .unwrap();
        assert_eq!(
            r.load_balancer_backend_addresses[0].network_interface_ip_configuration_id,
            "/x/ipConfigurations/a"
        );
        assert_eq!(r.load_balancer_backend_addresses[0].state, "");
        assert_eq!(r.up, 0);
    }

    #[test]
    fn subscriptions_match_by_name_or_id() {
        let s = Subscription {
            subscription_id: "0b1f6471-1bf0".into(),
            display_name: "Contoso Production".into(),
            ..Default::default()
        };
        assert!(s.matches("prod"));
        assert!(s.matches(" 0B1F "));
        assert!(s.matches(""));
        assert!(!s.matches("staging"));
    }

    #[test]
    fn null_backend_list_is_empty() {
        let r: HealthResult =
            parse(r#"{"up":null,"down":"2","loadBalancerBackendAddresses":null}"#).unwrap();
        assert!(r.load_balancer_backend_addresses.is_empty());
        assert_eq!(r.down, 2);
    }

    #[test]
    fn load_balancer_description_parses() {
        let lb: LoadBalancer = parse(LB).unwrap();
        assert_eq!(lb.properties.load_balancing_rules.len(), 2);
        assert_eq!(
            lb.properties.probes[0].properties.request_path.as_deref(),
            Some("/healthz")
        );
        assert!(lb.properties.load_balancing_rules[1]
            .properties
            .probe
            .is_none());
    }

    #[test]
    fn written_json_reads_back_the_same() {
        let lb: LoadBalancer = parse(LB).unwrap();
        assert_eq!(
            parse::<LoadBalancer>(&serde_json::to_string(&lb).unwrap()).unwrap(),
            lb
        );
        let h: HealthResult = parse(MIXED).unwrap();
        assert_eq!(
            parse::<HealthResult>(&serde_json::to_string(&h).unwrap()).unwrap(),
            h
        );
    }

    /// What ARM leaves out is not written either: an absent optional field stays absent.
    #[test]
    fn absent_options_are_not_written() {
        let p = ProbeProperties {
            protocol: "Tcp".into(),
            port: 80,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"protocol":"Tcp","port":80}"#
        );
        let page: Page<Tenant> = Page::default();
        assert_eq!(serde_json::to_string(&page).unwrap(), r#"{"value":[]}"#);
    }

    /// Missing and null read as the default in every field, unknown fields are ignored,
    /// and a value of the wrong type fails with the field's path.
    #[test]
    fn nulls_default_and_type_errors_name_the_field() {
        let lb: LoadBalancer = parse(r#"{"id":null,"sku":null,"properties":{"probes":[{"name":null,"properties":{"port":null,"protocol":null}}],"loadBalancingRules":null},"etag":{"x":[1]}}"#).unwrap();
        assert_eq!(
            lb.properties.probes[0].properties,
            ProbeProperties::default()
        );
        assert_eq!(lb.sku, Sku::default());
        let e =
            parse::<LoadBalancer>(r#"{"properties":{"probes":[{"properties":{"port":"80"}}]}}"#)
                .unwrap_err();
        assert_eq!(e.path_text(), "properties.probes[0].properties.port");
        assert!(e.to_string().contains("invalid type"), "{e}");
        let e =
            parse::<LoadBalancer>(r#"{"properties":{"probes":[{"properties":{"port":70000}}]}}"#)
                .unwrap_err();
        assert_eq!(e.path_text(), "properties.probes[0].properties.port");
        assert!(
            parse::<Page<Subscription>>(r#"{"value":[{"subscriptionId":5}]}"#)
                .unwrap_err()
                .to_string()
                .starts_with("value[0].subscriptionId: ")
        );
    }

    #[test]
    fn health_rows_read_anything_as_text() {
        let r: HealthResult = parse(
            r#"{"up":"7","down":-3,"loadBalancerBackendAddresses":[{"ipAddress":1.9,"state":[1,[2]],"reason":{"id":{"id":"deep"},"x":1},"networkInterfaceIPConfigurationId":{"id":5}},{"state":"Up","reason":{"id":"a","id":"b","id":3}}]}"#,
        )
        .unwrap();
        assert_eq!((r.up, r.down), (7, 0));
        let row = &r.load_balancer_backend_addresses[0];
        assert_eq!(
            (
                row.ip_address.as_str(),
                row.state.as_str(),
                row.reason.as_str()
            ),
            ("1", "", "deep")
        );
        // Only a string `id` counts.
        assert_eq!(row.network_interface_ip_configuration_id, "");
        assert_eq!(r.load_balancer_backend_addresses[1].reason, "b");
        assert_eq!(
            parse::<HealthResult>(r#"{"up":1e3,"down":true}"#)
                .unwrap()
                .up,
            1000
        );
    }
}
