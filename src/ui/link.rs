//! Shareable state: what the address bar says about where the user is. Parameters
//! are resource ids and known values only, validated into types; anything else is
//! dropped with a notice. Endpoints are never read from here (see `config`).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::arm::id::{LoadBalancerId, SubscriptionId};
use crate::health::catalog::State;
use crate::health::table::{SortKey, View};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Link {
    pub sub: Option<SubscriptionId>,
    pub lb: Option<LoadBalancerId>,
    /// A rule of `lb` whose panel is open.
    pub rule: Option<String>,
    pub view: View,
    pub embed: bool,
    /// The estate overview (`view=estate`), when no subscription or load balancer is named.
    pub estate: bool,
}

/// Parameter names that look like configuration: refused loudly, so nobody believes a
/// link can point the app at another endpoint or carry a token.
const NEVER_FROM_URL: &[&str] = &[
    "armendpoint",
    "arm",
    "cloud",
    "clientid",
    "tenant",
    "token",
    "access_token",
    "redirecturi",
    "endpoint",
];

pub fn parse(query: &str) -> (Link, Vec<String>) {
    let mut link = Link::default();
    let mut notices = Vec::new();
    let mut rule = None;
    for (k, v) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        let v = v.into_owned();
        match &*k {
            "sub" => match SubscriptionId::parse(&v) {
                Ok(s) => link.sub = Some(s),
                Err(e) => notices.push(format!("Ignored sub: {e}.")),
            },
            "lb" => match LoadBalancerId::parse(&v) {
                Ok(id) => link.lb = Some(id),
                Err(e) => notices.push(format!("Ignored lb: {e}.")),
            },
            "rule" => rule = Some(v),
            "state" => match v.to_ascii_lowercase().as_str() {
                "up" => link.view.state = Some(State::Up),
                "down" => link.view.state = Some(State::Down),
                _ => notices.push(format!("Ignored state: '{}' is not up or down.", clip(&v))),
            },
            "reason" if is_code(&v) => link.view.reason = Some(v),
            "reason" => notices.push(format!("Ignored reason: '{}' is not a reason code.", clip(&v))),
            "q" => link.view.text = v.chars().take(200).collect(),
            "sort" => match SortKey::parse(&v) {
                Some(s) => link.view.sort = s,
                None => notices.push(format!("Ignored sort: '{}' is not instance, ip, state or reason.", clip(&v))),
            },
            "desc" => link.view.descending = v == "1",
            "embed" => link.embed = v == "1",
            "view" if v == "estate" => link.estate = true,
            "view" => notices.push(format!("Ignored view: '{}' is not estate.", clip(&v))),
            other if NEVER_FROM_URL.contains(&other.to_ascii_lowercase().as_str()) => notices.push(format!(
                "Ignored {}: endpoints, tenants and tokens come only from this deployment's config.json, never from a link.",
                clip(other)
            )),
            _ => {}
        }
    }
    if let Some(r) = rule {
        match &link.lb {
            Some(lb) => match lb.rule(&r) {
                Ok(_) => link.rule = Some(r),
                Err(e) => notices.push(format!("Ignored rule: {e}.")),
            },
            None => notices.push("Ignored rule: a rule needs its load balancer (lb=...).".into()),
        }
    }
    if let (Some(s), Some(lb)) = (&link.sub, &link.lb) {
        if *s != lb.subscription {
            notices.push("Ignored sub: it is not the load balancer's subscription.".into());
            link.sub = None;
        }
    }
    (link, notices)
}

pub fn to_query(link: &Link) -> String {
    let mut parts: Vec<String> = Vec::new();
    match (&link.lb, &link.sub) {
        (Some(lb), _) => {
            parts.push(format!("lb={}", encode(&lb.path())));
            if let Some(r) = &link.rule {
                parts.push(format!("rule={}", encode(r)));
            }
        }
        (None, Some(s)) => parts.push(format!("sub={}", s.as_str())),
        (None, None) if link.estate => parts.push("view=estate".into()),
        _ => {}
    }
    if link.rule.is_some() {
        let v = &link.view;
        if let Some(s) = v.state {
            parts.push(format!("state={}", s.label().to_ascii_lowercase()));
        }
        if let Some(r) = &v.reason {
            parts.push(format!("reason={}", encode(r)));
        }
        if !v.text.trim().is_empty() {
            parts.push(format!("q={}", encode(v.text.trim())));
        }
        if v.sort != SortKey::Original {
            parts.push(format!("sort={}", v.sort.as_str()));
        }
        if v.descending {
            parts.push("desc=1".into());
        }
    }
    if link.embed {
        parts.push("embed=1".into());
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// The same view without `embed=1`, at the app's own address (`app_url`: its base URL,
/// `auth::browser::app_url`). Never the page's path: on a host that serves index.html for
/// every path, `https://host//evil.example/?embed=1` would make a link to
/// `//evil.example/`, another site. Anything but an absolute http(s) base falls back to
/// `./`, which the document's `<base>` resolves to the app.
pub fn full_app_href(app_url: &str, link: &Link) -> String {
    let base = app_url.split(['?', '#']).next().unwrap_or("");
    let base = if base.starts_with("https://") || base.starts_with("http://") {
        base
    } else {
        "./"
    };
    let full = Link {
        embed: false,
        ..link.clone()
    };
    format!("{base}{}", to_query(&full))
}

fn is_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= 100 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(60).collect()
}

/// What a query value keeps as it is: ids keep their `/` readable.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/')
    .remove(b'(')
    .remove(b')');

fn encode(s: &str) -> String {
    utf8_percent_encode(s, VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

    #[test]
    fn a_full_link_round_trips() {
        let q = format!("?lb={LB}&rule=rule-http&state=down&q=vm-1&sort=ip&desc=1&embed=1");
        let (link, notices) = parse(&q);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(link.rule.as_deref(), Some("rule-http"));
        assert_eq!(link.view.state, Some(State::Down));
        assert_eq!(link.view.sort, SortKey::Ip);
        assert!(link.embed);
        assert_eq!(parse(&to_query(&link)).0, link);
    }

    #[test]
    fn the_estate_overview_has_a_link_and_a_bad_view_is_named() {
        let (link, notices) = parse("?view=estate&embed=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert!(link.estate && link.embed);
        assert_eq!(to_query(&link), "?view=estate&embed=1");
        let (link, notices) = parse("?view=<b>");
        assert!(!link.estate);
        assert_eq!(notices, ["Ignored view: '<b>' is not estate."]);
    }

    #[test]
    fn encoded_ids_are_read() {
        let q = format!("lb={}", LB.replace('/', "%2F"));
        assert_eq!(parse(&q).0.lb.unwrap().name, "lb-web");
    }

    #[test]
    fn bad_parameters_are_dropped_with_a_notice() {
        let (link, notices) =
            parse("lb=/subscriptions/nope&state=sideways&sort=x&reason=<b>&rule=r1");
        assert_eq!(link, Link::default());
        assert_eq!(notices.len(), 5, "{notices:?}");
        assert!(notices[0].contains("not a subscription id"));
    }

    #[test]
    fn endpoints_and_tokens_are_refused_from_links() {
        let (link, notices) =
            parse("armEndpoint=https%3A%2F%2Fevil.example&token=abc&utm_source=wiki");
        assert_eq!(link, Link::default());
        assert_eq!(notices.len(), 2);
        assert!(notices[0].contains("config.json"));
    }

    #[test]
    fn the_full_app_link_is_built_on_the_apps_base_not_the_pages_path() {
        let (link, _) = parse(&format!("?lb={LB}&rule=rule-http&embed=1"));
        let href = full_app_href("https://host.example/lbh/?x=1#y", &link);
        assert_eq!(
            href,
            format!("https://host.example/lbh/?lb={LB}&rule=rule-http")
        );
        // Only the base counts: whatever the path or a broken base, never another host.
        for base in ["//evil.example/", "", "javascript:alert(1)//"] {
            assert!(full_app_href(base, &link).starts_with("./?lb="), "{base}");
        }
    }

    #[test]
    fn truncated_percent_escapes_do_not_panic() {
        for q in ["q=%", "q=%4", "q=%zz", "q=%E2%82", "%", "=&&=="] {
            let _ = parse(q);
        }
        assert_eq!(parse("lb=x&rule=%").1.len(), 2);
    }
}
