//! Recently opened load balancers, kept in this browser's local storage so a returning
//! user goes straight back. Only resource ids and subscription names, never a token;
//! the demo and live Azure keep separate lists, and sign-out forgets the live one.

use crate::arm::id::{LoadBalancerId, SubscriptionId};

const KEEP: usize = 6;

#[derive(Debug, Clone, PartialEq)]
pub struct Recent {
    pub lb: LoadBalancerId,
    pub sub_name: String,
}

fn key(demo: bool) -> &'static str {
    if demo {
        "lbh.recent.demo"
    } else {
        "lbh.recent.live"
    }
}

/// One `id<TAB>subscription name` per line; lines that do not parse are dropped (the
/// storage is the user's to edit, and older versions may have written something else).
pub fn parse(text: &str) -> Vec<Recent> {
    text.lines()
        .filter_map(|l| {
            let (id, sub) = l.split_once('\t')?;
            Some(Recent {
                lb: LoadBalancerId::parse(id).ok()?,
                sub_name: sub.chars().take(200).collect(),
            })
        })
        .take(KEEP)
        .collect()
}

pub fn format(list: &[Recent]) -> String {
    list.iter()
        .map(|r| {
            format!(
                "{}\t{}",
                r.lb.path(),
                r.sub_name.replace(['\t', '\n', '\r'], " ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `r` first, without an earlier entry for the same load balancer, at most `KEEP`.
pub fn push(list: Vec<Recent>, r: Recent) -> Vec<Recent> {
    let same = |a: &Recent| a.lb.path().eq_ignore_ascii_case(&r.lb.path());
    let mut out: Vec<Recent> = list.into_iter().filter(|a| !same(a)).collect();
    out.insert(0, r);
    out.truncate(KEEP);
    out
}

/// The name this browser last saw for `sub`, if any entry has one (an entry made from a
/// link may hold just the id).
pub fn sub_name(list: &[Recent], sub: &SubscriptionId) -> Option<String> {
    list.iter()
        .filter(|r| {
            r.lb.subscription
                .as_str()
                .eq_ignore_ascii_case(sub.as_str())
        })
        .map(|r| r.sub_name.trim())
        .find(|n| !n.is_empty() && !n.eq_ignore_ascii_case(sub.as_str()))
        .map(str::to_owned)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(demo: bool) -> Vec<Recent> {
    storage()
        .and_then(|s| s.get_item(key(demo)).ok().flatten())
        .map(|t| parse(&t))
        .unwrap_or_default()
}

pub fn remember(demo: bool, lb: &LoadBalancerId, sub_name: &str) {
    let Some(s) = storage() else { return };
    let list = push(
        load(demo),
        Recent {
            lb: lb.clone(),
            sub_name: sub_name.to_owned(),
        },
    );
    let _ = s.set_item(key(demo), &format(&list));
}

/// Sign-out: the live list goes with the session.
pub fn forget_live() {
    if let Some(s) = storage() {
        let _ = s.remove_item(key(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lb(name: &str) -> LoadBalancerId {
        LoadBalancerId::parse(&format!("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/{name}")).unwrap()
    }

    #[test]
    fn newest_first_no_repeats_and_bounded() {
        let mut list = Vec::new();
        for n in 0..10 {
            list = push(
                list,
                Recent {
                    lb: lb(&format!("lb-{n}")),
                    sub_name: "Prod".into(),
                },
            );
        }
        list = push(
            list,
            Recent {
                lb: lb("lb-7"),
                sub_name: "Prod".into(),
            },
        );
        let names: Vec<&str> = list.iter().map(|r| r.lb.name.as_str()).collect();
        assert_eq!(names, ["lb-7", "lb-9", "lb-8", "lb-6", "lb-5", "lb-4"]);
    }

    #[test]
    fn a_subscription_name_comes_from_an_entry_that_has_one() {
        let sub = lb("x").subscription;
        let id = sub.as_str().to_owned();
        let list = vec![
            Recent {
                lb: lb("a"),
                sub_name: id.clone(),
            },
            Recent {
                lb: lb("b"),
                sub_name: "Contoso Production".into(),
            },
        ];
        assert_eq!(sub_name(&list, &sub).as_deref(), Some("Contoso Production"));
        assert_eq!(sub_name(&list[..1], &sub), None, "an id is not a name");
        let other = SubscriptionId::parse("11111111-2222-3333-4444-555555555555").unwrap();
        assert_eq!(sub_name(&list, &other), None);
    }

    #[test]
    fn round_trips_and_drops_what_does_not_parse() {
        let list = vec![Recent {
            lb: lb("lb-web"),
            sub_name: "Contoso\tProduction".into(),
        }];
        let text = format(&list);
        let back = parse(&format!(
            "{text}\nnot an id\tx\n/subscriptions/nope\ty\ngarbage"
        ));
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].lb, lb("lb-web"));
        assert_eq!(back[0].sub_name, "Contoso Production");
    }
}
