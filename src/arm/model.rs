//! Serde shapes of the ARM payloads LB Health reads. Every field is optional or
//! defaulted: ARM adds fields over time and older api-versions omit some, and a
//! missing field must never fail a whole page.

use serde::{Deserialize, Deserializer, Serialize};

/// `GET /subscriptions` and the load balancer list share this paged envelope.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    #[serde(rename = "nextLink", default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
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

impl Subscription {
    /// Case-insensitive match on the display name or the id; an empty query matches.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_ascii_lowercase();
        q.is_empty()
            || self.display_name.to_ascii_lowercase().contains(&q)
            || self.subscription_id.to_ascii_lowercase().contains(&q)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Sku {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tier: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct SubResource {
    #[serde(default)]
    pub id: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
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

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
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

/// ARM's child resources all look like `{ name, id, properties }`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Named<P> {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub properties: P,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FrontendProperties {
    #[serde(rename = "privateIPAddress", default, skip_serializing_if = "Option::is_none")]
    pub private_ip_address: Option<String>,
    #[serde(rename = "publicIPAddress", default, skip_serializing_if = "Option::is_none")]
    pub public_ip_address: Option<SubResource>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PoolProperties {
    #[serde(default)]
    pub load_balancer_backend_addresses: Vec<Named<BackendAddressProperties>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BackendAddressProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(rename = "networkInterfaceIPConfiguration", default, skip_serializing_if = "Option::is_none")]
    pub network_interface_ip_configuration: Option<SubResource>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
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

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
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

/// The 200 body of the health operation's Location.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct HealthResult {
    #[serde(default, deserialize_with = "lenient_count")]
    pub up: u32,
    #[serde(default, deserialize_with = "lenient_count")]
    pub down: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub load_balancer_backend_addresses: Vec<BackendHealth>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BackendHealth {
    #[serde(default, deserialize_with = "lenient_string")]
    pub ip_address: String,
    /// A string in the API; one spec version typed it as an object with an `id`.
    #[serde(rename = "networkInterfaceIPConfigurationId", default, deserialize_with = "lenient_string")]
    pub network_interface_ip_configuration_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub state: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub reason: String,
}

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Accepts a string, null, a number, or an object carrying `id`; anything else is empty.
/// A hand-written visitor rather than `serde_json::Value`, which costs wasm size.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(Lenient).map(|v| match v {
        Loose::Text(s) => s,
        Loose::Number(n) => n.to_string(),
        Loose::Empty => String::new(),
    })
}

/// ARM's counts are integers, but a null or a stringified number must not fail the panel:
/// the rows are the truth and the counts are recomputed from them anyway.
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
    /// `{"id": "..."}`: the object shape one spec version gave the NIC id.
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

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: &str = include_str!("../../tests/fixtures/health-result-mixed.json");
    const LB: &str = include_str!("../../tests/fixtures/loadbalancer.json");

    #[test]
    fn mixed_health_result_keeps_every_row() {
        let r: HealthResult = serde_json::from_str(MIXED).unwrap();
        assert_eq!(r.load_balancer_backend_addresses.len(), 6);
        assert_eq!(r.load_balancer_backend_addresses[4].state, "");
        assert_eq!(r.load_balancer_backend_addresses[5].reason, "Up_Probe_SomeFutureCode");
    }

    #[test]
    fn nic_id_given_as_object_is_read() {
        let r: HealthResult = serde_json::from_str(
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
        let r: HealthResult = serde_json::from_str(r#"{"up":null,"down":"2","loadBalancerBackendAddresses":null}"#).unwrap();
        assert!(r.load_balancer_backend_addresses.is_empty());
        assert_eq!(r.down, 2);
    }

    #[test]
    fn load_balancer_description_parses() {
        let lb: LoadBalancer = serde_json::from_str(LB).unwrap();
        assert_eq!(lb.properties.load_balancing_rules.len(), 2);
        assert_eq!(lb.properties.probes[0].properties.request_path.as_deref(), Some("/healthz"));
        assert!(lb.properties.load_balancing_rules[1].properties.probe.is_none());
    }
}

/// One entry of `GET /tenants`: the directories the signed-in user can switch to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub default_domain: String,
}
