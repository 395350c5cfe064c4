//! Which requests a fault meets: one operation, or the requests about one path, so a
//! test can aim a 429 at the panel's health check while the rules list polls beside it.

/// What an ARM request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `GET /tenants`
    Tenants,
    /// `GET /subscriptions`
    Subscriptions,
    /// `GET /subscriptions/{id}/providers/Microsoft.Network/loadBalancers` (each page)
    LoadBalancers,
    /// `GET .../loadBalancers/{name}`
    LoadBalancer,
    /// `POST .../loadBalancingRules/{rule}/health`
    HealthStart,
    /// `GET .../operationResults/{op}`: a poll of a health operation
    HealthPoll,
    /// Anything else (a 404 from ARM).
    Other,
}

impl Operation {
    pub(crate) fn of(method: &str, path: &str) -> Operation {
        let lower = path.to_ascii_lowercase();
        let segs: Vec<&str> = lower.split('/').filter(|s| !s.is_empty()).collect();
        match (method, segs.as_slice()) {
            ("GET", ["tenants"]) => Operation::Tenants,
            ("GET", ["subscriptions"]) => Operation::Subscriptions,
            ("GET", ["subscriptions", _, "providers", "microsoft.network", "loadbalancers"]) => {
                Operation::LoadBalancers
            }
            (
                "GET",
                ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.network", "loadbalancers", _],
            ) => Operation::LoadBalancer,
            ("POST", [.., "loadbalancingrules", _, "health"]) => Operation::HealthStart,
            ("GET", [.., "operationresults", _]) => Operation::HealthPoll,
            _ => Operation::Other,
        }
    }
}

/// The requests a fault applies to: all of them ([`Target::any`]), one operation, the
/// requests about one resource, or both at once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    operation: Option<Operation>,
    /// Lower case; matched against the request's path, or, for a poll, against its
    /// health operation's `{rule id}/health`.
    path: Option<String>,
}

impl Target {
    /// Every ARM request.
    pub fn any() -> Target {
        Target::default()
    }

    /// Requests of one operation only.
    pub fn operation(op: Operation) -> Target {
        Target {
            operation: Some(op),
            path: None,
        }
    }

    /// Requests whose path contains `part` (case-insensitive). A health operation's polls
    /// count as `{rule id}/health`, the path of the POST that started them, so
    /// `Target::path("/loadBalancingRules/rule-http/health")` meets one rule's whole check.
    pub fn path(part: &str) -> Target {
        Target {
            operation: None,
            path: Some(part.to_ascii_lowercase()),
        }
    }

    /// Narrows a path target to one operation.
    pub fn and(mut self, op: Operation) -> Target {
        self.operation = Some(op);
        self
    }

    pub(crate) fn matches(&self, op: Operation, subject: &str) -> bool {
        self.operation.is_none_or(|o| o == op)
            && self
                .path
                .as_deref()
                .is_none_or(|p| subject.to_ascii_lowercase().contains(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb-web/loadBalancingRules/rule-http";

    #[test]
    fn a_path_target_meets_one_rule_and_not_its_namesake() {
        let t = Target::path("/loadBalancingRules/rule-http/health");
        assert!(t.matches(Operation::HealthStart, &format!("{RULE}/health")));
        assert!(
            !t.matches(Operation::HealthStart, &format!("{RULE}s/health")),
            "rule-https is another rule"
        );
        assert!(!t.matches(
            Operation::LoadBalancer,
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb-web"
        ));
        let polls = t.clone().and(Operation::HealthPoll);
        assert!(polls.matches(Operation::HealthPoll, &format!("{RULE}/health")));
        assert!(!polls.matches(Operation::HealthStart, &format!("{RULE}/health")));
    }

    #[test]
    fn requests_are_told_apart_by_method_and_path() {
        assert_eq!(
            Operation::of("GET", "/subscriptions"),
            Operation::Subscriptions
        );
        assert_eq!(
            Operation::of("POST", &format!("{RULE}/health")),
            Operation::HealthStart
        );
        assert_eq!(
            Operation::of("GET", &format!("{RULE}/health")),
            Operation::Other
        );
        assert_eq!(
            Operation::of(
                "GET",
                "/subscriptions/s/providers/Microsoft.Network/locations/x/operationResults/1"
            ),
            Operation::HealthPoll
        );
        assert_eq!(
            Operation::of(
                "GET",
                "/subscriptions/S/providers/Microsoft.Network/loadBalancers"
            ),
            Operation::LoadBalancers
        );
    }
}
