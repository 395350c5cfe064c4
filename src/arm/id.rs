//! Typed, validated ARM resource ids. The UI holds these instead of strings, so a
//! URL is only ever built from an id that parsed, and a deep link or a payload with a
//! malformed id is rejected with a reason a person can act on.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Empty,
    NoLeadingSlash,
    /// The segment after `/subscriptions/` is not a GUID.
    BadSubscription(String),
    /// A `key/value` pair was expected at this key.
    Missing(&'static str),
    WrongProvider(String),
    WrongType {
        expected: &'static str,
        found: String,
    },
    BadName(String),
    TrailingSegments,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Empty => write!(f, "the resource id is empty"),
            IdError::NoLeadingSlash => write!(f, "a resource id starts with /subscriptions/"),
            IdError::BadSubscription(s) => write!(f, "'{s}' is not a subscription id (a GUID such as 00000000-0000-0000-0000-000000000000)"),
            IdError::Missing(k) => write!(f, "the id has no '{k}' segment"),
            IdError::WrongProvider(p) => write!(f, "expected provider Microsoft.Network, found '{p}'"),
            IdError::WrongType { expected, found } => write!(f, "expected '{expected}', found '{found}'"),
            IdError::BadName(n) => write!(f, "'{n}' is not a valid Azure resource name"),
            IdError::TrailingSegments => write!(f, "the id has extra segments after the resource name"),
        }
    }
}

impl std::error::Error for IdError {}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(String);

impl SubscriptionId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        if crate::config::is_guid(s) {
            Ok(Self(s.to_ascii_lowercase()))
        } else {
            Err(IdError::BadSubscription(s.chars().take(64).collect()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn path(&self) -> String {
        format!("/subscriptions/{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LoadBalancerId {
    pub subscription: SubscriptionId,
    pub resource_group: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    pub load_balancer: LoadBalancerId,
    pub name: String,
}

impl LoadBalancerId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (lb, rest) = parse_lb_prefix(s)?;
        if !rest.is_empty() {
            return Err(IdError::TrailingSegments);
        }
        Ok(lb)
    }
    pub fn path(&self) -> String {
        format!(
            "{}/resourceGroups/{}/providers/Microsoft.Network/loadBalancers/{}",
            self.subscription.path(),
            self.resource_group,
            self.name
        )
    }
    pub fn rule(&self, name: &str) -> Result<RuleId, IdError> {
        check_name(name)?;
        Ok(RuleId {
            load_balancer: self.clone(),
            name: name.to_owned(),
        })
    }
}

impl RuleId {
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (lb, rest) = parse_lb_prefix(s)?;
        match rest.as_slice() {
            [] => Err(IdError::Missing("loadBalancingRules")),
            [kind, name] if kind.eq_ignore_ascii_case("loadBalancingRules") => lb.rule(name),
            [kind, ..] if !kind.eq_ignore_ascii_case("loadBalancingRules") => {
                Err(IdError::WrongType {
                    expected: "loadBalancingRules",
                    found: (*kind).to_owned(),
                })
            }
            [_] => Err(IdError::Missing("loadBalancingRules")),
            _ => Err(IdError::TrailingSegments),
        }
    }
    pub fn path(&self) -> String {
        format!(
            "{}/loadBalancingRules/{}",
            self.load_balancer.path(),
            self.name
        )
    }
}

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}
impl fmt::Display for LoadBalancerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}
impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// The last segment of any ARM id, e.g. the probe's name from `properties.probe.id`.
pub fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// The instance name the portal shows for a backend: the VM's NIC name from the NIC
/// IP configuration id, without the conventional `-nic` suffix; `None` when the id
/// is not a NIC IP configuration (IP-based backends).
pub fn instance_name(nic_ip_config_id: &str) -> Option<String> {
    let segs: Vec<&str> = nic_ip_config_id
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let nic_pos = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("networkInterfaces"))?;
    let nic = segs.get(nic_pos + 1)?;
    // VM scale set NICs: .../virtualMachines/{n}/networkInterfaces/{nic}
    let vmss = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("virtualMachineScaleSets"));
    if let (Some(p), Some(vm_pos)) = (
        vmss,
        segs.iter()
            .position(|s| s.eq_ignore_ascii_case("virtualMachines")),
    ) {
        if let (Some(set), Some(idx)) = (segs.get(p + 1), segs.get(vm_pos + 1)) {
            return Some(format!("{set}_{idx}"));
        }
    }
    let trimmed = nic
        .strip_suffix("-nic")
        .filter(|s| !s.is_empty())
        .unwrap_or(nic);
    Some(trimmed.to_owned())
}

fn parse_lb_prefix(s: &str) -> Result<(LoadBalancerId, Vec<&str>), IdError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    let rest = s.strip_prefix('/').ok_or(IdError::NoLeadingSlash)?;
    let segs: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let expect = |i: usize, key: &'static str| -> Result<&str, IdError> {
        match (segs.get(i), segs.get(i + 1)) {
            (Some(k), Some(v)) if k.eq_ignore_ascii_case(key) && !v.is_empty() => Ok(*v),
            (Some(k), _) if !k.eq_ignore_ascii_case(key) => Err(IdError::WrongType {
                expected: key,
                found: (*k).to_owned(),
            }),
            _ => Err(IdError::Missing(key)),
        }
    };
    let sub = SubscriptionId::parse(expect(0, "subscriptions")?)?;
    let rg = expect(2, "resourceGroups")?;
    check_name(rg)?;
    let provider = expect(4, "providers")?;
    if !provider.eq_ignore_ascii_case("Microsoft.Network") {
        return Err(IdError::WrongProvider(provider.to_owned()));
    }
    let name = expect(6, "loadBalancers")?;
    check_name(name)?;
    Ok((
        LoadBalancerId {
            subscription: sub,
            resource_group: rg.to_owned(),
            name: name.to_owned(),
        },
        segs[8..].to_vec(),
    ))
}

/// Azure names are 1-80 characters of letters, digits, `.`, `-`, `_` and `()`;
/// anything else (spaces, `?`, `#`, `%`, `<`) would change the URL's meaning.
fn check_name(n: &str) -> Result<(), IdError> {
    // A name ending in `.` or holding `..` would be a dot segment the browser resolves
    // away, sending the request (and the token) to a different ARM path.
    let ok = !n.is_empty()
        && !n.ends_with('.')
        && !n.contains("..")
        && n.len() <= 90
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')'));
    if ok {
        Ok(())
    } else {
        Err(IdError::BadName(n.chars().take(64).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

    #[test]
    fn load_balancer_id_round_trips() {
        let id = LoadBalancerId::parse(LB).unwrap();
        assert_eq!(id.name, "lb-web");
        assert_eq!(id.resource_group, "rg-web");
        assert_eq!(id.path(), LB);
    }

    #[test]
    fn rule_id_parses_case_insensitively() {
        let s = LB.replace("loadBalancers", "LOADBALANCERS") + "/loadbalancingrules/rule-http";
        let id = RuleId::parse(&s).unwrap();
        assert_eq!(id.name, "rule-http");
        assert_eq!(id.path(), format!("{LB}/loadBalancingRules/rule-http"));
    }

    #[test]
    fn malformed_ids_are_typed_errors() {
        assert_eq!(LoadBalancerId::parse(""), Err(IdError::Empty));
        assert_eq!(
            LoadBalancerId::parse("subscriptions/x"),
            Err(IdError::NoLeadingSlash)
        );
        assert!(matches!(LoadBalancerId::parse("/subscriptions/not-a-guid/resourceGroups/a/providers/Microsoft.Network/loadBalancers/b"), Err(IdError::BadSubscription(_))));
        assert!(matches!(
            LoadBalancerId::parse(&LB.replace("Microsoft.Network", "Microsoft.Compute")),
            Err(IdError::WrongProvider(_))
        ));
        assert!(matches!(
            LoadBalancerId::parse(&LB.replace("lb-web", "lb web")),
            Err(IdError::BadName(_))
        ));
        assert_eq!(
            LoadBalancerId::parse(&format!("{LB}/probes/p")),
            Err(IdError::TrailingSegments)
        );
        assert!(matches!(
            LoadBalancerId::parse(&LB.replace("rg-web", "..")),
            Err(IdError::BadName(_))
        ));
        assert!(matches!(
            LoadBalancerId::parse(&LB.replace("lb-web", "lb.")),
            Err(IdError::BadName(_))
        ));
        assert!(matches!(
            RuleId::parse(&format!("{LB}/probes/p")),
            Err(IdError::WrongType { .. })
        ));
        assert_eq!(
            RuleId::parse(LB),
            Err(IdError::Missing("loadBalancingRules"))
        );
        assert!(matches!(LoadBalancerId::parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/a?x=1"), Err(IdError::BadName(_))));
    }

    #[test]
    fn instance_name_comes_from_the_nic() {
        assert_eq!(instance_name("/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkInterfaces/vm-web-1-nic/ipConfigurations/ipconfig1").as_deref(), Some("vm-web-1"));
        assert_eq!(instance_name("/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachineScaleSets/vmss/virtualMachines/3/networkInterfaces/nic/ipConfigurations/c").as_deref(), Some("vmss_3"));
        assert_eq!(instance_name(""), None);
    }
}
