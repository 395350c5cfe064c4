//! Resource Graph's answer to the estate overview's query, paged with `$skipToken` as
//! Azure does, over the demo estate (also served by fake-azure). Tags are made up from
//! each load balancer's name and subscription, the same every time.

use serde::Deserialize;

use super::estate::{Estate, STAGING};
use super::metrics::Served;
use crate::arm::graph::ESTATE_QUERY;
use crate::arm::model::LoadBalancer;

/// The demo's page size when the request's `$top` is larger: Azure pages at 1,000.
pub const PAGE_ROWS: usize = 1000;
const TOKEN_PREFIX: &str = "ZGVtby1za2lw.";

#[derive(Deserialize, Default)]
struct Body {
    #[serde(default)]
    query: String,
    #[serde(default)]
    subscriptions: Vec<String>,
    #[serde(default)]
    options: Options,
}

#[derive(Deserialize, Default)]
struct Options {
    #[serde(rename = "$top", default)]
    top: Option<usize>,
    #[serde(rename = "$skipToken", default)]
    skip_token: Option<String>,
}

/// `team` from the name (`lb-web-0001` -> `web`) and `env` from the subscription.
pub fn tags_of(lb: &LoadBalancer) -> Vec<(String, String)> {
    let team = lb
        .name
        .strip_prefix("lb-")
        .and_then(|n| n.split('-').next())
        .unwrap_or("core");
    let env = if lb.id.to_ascii_lowercase().contains(STAGING) {
        "staging"
    } else {
        "production"
    };
    vec![("env".into(), env.into()), ("team".into(), team.into())]
}

/// The page the request asks for, or `None` when it is not the overview's query (the
/// caller answers the name search). `page_rows` caps the page below `$top`.
pub fn page(estate: &Estate, body: &str, page_rows: usize) -> Option<Served> {
    let req: Body = serde_json::from_str(body).ok()?;
    if req.query != ESTATE_QUERY {
        return None;
    }
    let skip = match req.options.skip_token.as_deref() {
        None => 0,
        Some(t) => match t
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => n,
            None => {
                let e = serde_json::json!({"error": {"code": "BadRequest", "message": "Please provide a valid skip token.", "details": [{"code": "InvalidSkipToken", "message": "The skip token is not valid."}]}});
                return Some(Served {
                    status: 400,
                    body: e.to_string(),
                });
            }
        },
    };
    let size = req
        .options
        .top
        .unwrap_or(100)
        .clamp(1, 1000)
        .min(page_rows.max(1));
    let mut all: Vec<&LoadBalancer> = estate
        .load_balancers
        .iter()
        .filter(|lb| {
            req.subscriptions.is_empty()
                || req.subscriptions.iter().any(|s| {
                    lb.id
                        .to_ascii_lowercase()
                        .starts_with(&format!("/subscriptions/{}/", s.to_ascii_lowercase()))
                })
        })
        .collect();
    all.sort_by_key(|lb| lb.id.to_ascii_lowercase());
    let end = (skip + size).min(all.len());
    let rows: Vec<serde_json::Value> = all[skip.min(end)..end]
        .iter()
        .map(|lb| {
            let part = |n: usize| lb.id.split('/').nth(n).unwrap_or("").to_owned();
            let tags: serde_json::Map<String, serde_json::Value> = tags_of(lb).into_iter().map(|(k, v)| (k, v.into())).collect();
            serde_json::json!({
                "id": lb.id, "name": lb.name, "resourceGroup": part(4), "subscriptionId": part(2), "location": lb.location,
                "sku": {"name": lb.sku.name, "tier": lb.sku.tier}, "tags": tags,
            })
        })
        .collect();
    let mut answer = serde_json::json!({
        "totalRecords": all.len(), "count": rows.len(), "resultTruncated": "false", "facets": [], "data": rows,
    });
    if end < all.len() {
        answer["$skipToken"] = format!("{TOKEN_PREFIX}{end}").into();
    }
    Some(Served {
        status: 200,
        body: answer.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::graph::{request_body, GraphPage};
    use crate::demo::estate::{estate, large_subscription, LARGE_SUBSCRIPTIONS};

    fn read(estate: &Estate, token: Option<&str>, rows: usize) -> GraphPage {
        let s = page(estate, &request_body(&[], token), rows).unwrap();
        assert_eq!(s.status, 200, "{}", s.body);
        serde_json::from_str(&s.body).unwrap()
    }

    #[test]
    fn the_large_estate_pages_through_every_load_balancer_once() {
        let big = estate().with_large_estate(2_345);
        assert_eq!(big.subscriptions.len(), 2 + LARGE_SUBSCRIPTIONS);
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let p = read(&big, token.as_deref(), PAGE_ROWS);
            pages += 1;
            assert_eq!(p.total_records(), Some(big.load_balancers.len() as u64));
            seen.extend(p.data.iter().map(|r| r.id.clone()));
            match p.skip_token() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
        assert_eq!(
            (seen.len(), unique.len()),
            (big.load_balancers.len(), big.load_balancers.len())
        );
        let first = read(&big, None, PAGE_ROWS);
        let row = first.data.iter().find(|r| r.name == "lb-web-0000").unwrap();
        assert_eq!(row.subscription_id, large_subscription(0));
        assert_eq!(row.resource_group, "rg-web-00");
        assert_eq!(row.tags.get("team").map(String::as_str), Some("web"));
        assert_eq!(
            first
                .data
                .iter()
                .find(|r| r.name == "lb-data-0007")
                .unwrap()
                .sku
                .name,
            "Basic"
        );
    }

    #[test]
    fn other_queries_are_left_to_the_search_and_bad_tokens_refused() {
        assert!(page(
            &estate(),
            r#"{"query":"Resources | where name contains 'web'"}"#,
            2
        )
        .is_none());
        assert!(page(&estate(), "not json", 2).is_none());
        assert_eq!(
            page(&estate(), &request_body(&[], Some("forged")), 2)
                .unwrap()
                .status,
            400
        );
        let small = read(&estate(), None, 2);
        assert_eq!(small.data.len(), 2);
        assert!(small.skip_token().is_some());
        let only = page(
            &estate(),
            &request_body(&[crate::demo::estate::STAGING.to_uppercase()], None),
            100,
        )
        .unwrap();
        let p: GraphPage = serde_json::from_str(&only.body).unwrap();
        assert_eq!(p.data.len(), 3);
        assert!(p
            .data
            .iter()
            .all(|r| r.tags.get("env").map(String::as_str) == Some("staging")));
    }
}
