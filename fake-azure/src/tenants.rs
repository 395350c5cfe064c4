//! The directories the signed-in user belongs to, as Entra and ARM's `/tenants` see them.

use lb_health::demo::estate::TENANT;
use serde_json::{json, Value};

/// One Entra directory. `category` is ARM's `tenantCategory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FakeTenant {
    pub id: &'static str,
    pub display_name: &'static str,
    pub default_domain: &'static str,
    pub category: &'static str,
}

/// The user's home directory; `organizations` and `common` sign in here. It owns the
/// demo estate's subscriptions.
pub const CONTOSO: FakeTenant = FakeTenant {
    id: TENANT,
    display_name: "Contoso",
    default_domain: "contoso.onmicrosoft.com",
    category: "Home",
};

/// A directory the user was invited into as a guest. ARM lists guest directories with the
/// category `Home` too; `ProjectedBy` is only for Lighthouse delegations.
pub const FABRIKAM: FakeTenant = FakeTenant {
    id: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    display_name: "Fabrikam",
    default_domain: "fabrikam.onmicrosoft.com",
    category: "Home",
};

pub(crate) const ALL: [FakeTenant; 2] = [CONTOSO, FABRIKAM];

/// The `{tenant}` of an Entra path: an alias, an id or a domain, case-insensitively.
pub(crate) fn resolve(segment: &str) -> Option<FakeTenant> {
    if segment.eq_ignore_ascii_case("organizations") || segment.eq_ignore_ascii_case("common") {
        return Some(CONTOSO);
    }
    ALL.into_iter().find(|t| {
        t.id.eq_ignore_ascii_case(segment) || t.default_domain.eq_ignore_ascii_case(segment)
    })
}

/// ARM's `GET /tenants` body.
pub(crate) fn arm_list() -> Value {
    let value: Vec<Value> = ALL
        .iter()
        .map(|t| {
            json!({
                "id": format!("/tenants/{}", t.id),
                "tenantId": t.id,
                "countryCode": "US",
                "displayName": t.display_name,
                "domains": [t.default_domain],
                "tenantCategory": t.category,
                "defaultDomain": t.default_domain,
                "tenantType": "AAD",
            })
        })
        .collect();
    json!({ "value": value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_ids_and_domains_resolve() {
        assert_eq!(resolve("organizations"), Some(CONTOSO));
        assert_eq!(resolve("Common"), Some(CONTOSO));
        assert_eq!(resolve(&FABRIKAM.id.to_uppercase()), Some(FABRIKAM));
        assert_eq!(resolve("fabrikam.onmicrosoft.com"), Some(FABRIKAM));
        assert_eq!(resolve("consumers"), None);
        assert_eq!(resolve("nope.onmicrosoft.com"), None);
    }
}
