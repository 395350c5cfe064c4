//! Every load balancer the account can read, across subscriptions, for the estate
//! overview: one Azure Resource Graph query, paged with `$skipToken`.
//!
//! `POST /providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01` with
//! `{ subscriptions?, query, options: { $top (1..=1000), $skipToken, resultFormat } }`
//! answers `{ totalRecords, count, resultTruncated: "true"|"false", $skipToken?, data }`
//! (azure-rest-api-specs, resourcegraph, `resourcegraph.json`). The next page is the same
//! request with the answer's `$skipToken` in `options`; the last page has none.
//! (The name search, `ArmClient::find_load_balancers`, is one page of another query.)

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::client::{ArmClient, Cancel, Progress, GRAPH_API};
use super::error::{ArmError, ErrorKind};
use super::lenient;
use crate::http::Request;

/// Rows per page: Resource Graph's maximum `$top`.
pub const PAGE_ROWS: u32 = 1000;
/// An estate of 5,000 load balancers is five pages; a listing that does not end after
/// this many is a loop on the other side.
const MAX_PAGES: usize = 100;

/// The overview's query. `id` is projected, as Resource Graph needs it for stable pages.
pub const ESTATE_QUERY: &str =
    "Resources | where type =~ 'microsoft.network/loadbalancers' | project id, name, resourceGroup, subscriptionId, location, sku, tags | order by id asc";

#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    subscriptions: &'a [String],
    query: &'a str,
    options: Options<'a>,
}

#[derive(Serialize)]
struct Options<'a> {
    #[serde(rename = "$top")]
    top: u32,
    #[serde(rename = "$skipToken", skip_serializing_if = "Option::is_none")]
    skip_token: Option<&'a str>,
    #[serde(rename = "resultFormat")]
    result_format: &'a str,
}

/// The request body of one page. No subscriptions: every one the token can read.
pub fn request_body(subscriptions: &[String], skip_token: Option<&str>) -> String {
    let body = Body {
        subscriptions,
        query: ESTATE_QUERY,
        options: Options {
            top: PAGE_ROWS,
            skip_token,
            result_format: "objectArray",
        },
    };
    serde_json::to_string(&body).unwrap_or_default()
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct GraphSku {
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub tier: String,
}

/// One load balancer as Resource Graph projects it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EstateLoadBalancer {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub resource_group: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub subscription_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub location: String,
    #[serde(default, deserialize_with = "lenient::null_default")]
    pub sku: GraphSku,
    /// Tag values that are not text read as their JSON text, or empty.
    #[serde(default, deserialize_with = "tags")]
    pub tags: BTreeMap<String, String>,
}

fn tags<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    struct Tag(#[serde(deserialize_with = "lenient::string")] String);
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Tags {
        Map(BTreeMap<String, Tag>),
        Other(serde::de::IgnoredAny),
    }
    Ok(match Tags::deserialize(d)? {
        Tags::Map(m) => m.into_iter().map(|(k, Tag(v))| (k, v)).collect(),
        Tags::Other(_) => BTreeMap::new(),
    })
}

/// One page of the answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphPage {
    #[serde(default, deserialize_with = "lenient::number")]
    total_records: Option<f64>,
    /// Resource Graph writes it as the string `"true"` or `"false"`.
    #[serde(default, deserialize_with = "lenient::string")]
    result_truncated: String,
    #[serde(rename = "$skipToken", default, deserialize_with = "lenient::string")]
    skip_token: String,
    #[serde(default, deserialize_with = "lenient::list")]
    pub data: Vec<EstateLoadBalancer>,
}

impl GraphPage {
    pub fn total_records(&self) -> Option<u64> {
        self.total_records.filter(|n| *n >= 0.0).map(|n| n as u64)
    }
    /// Resource Graph cut the result short (its own limits), so the listing is not whole.
    pub fn truncated(&self) -> bool {
        self.result_truncated.trim().eq_ignore_ascii_case("true")
    }
    pub fn skip_token(&self) -> Option<&str> {
        Some(self.skip_token.trim()).filter(|t| !t.is_empty())
    }
}

/// What a whole listing came to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listed {
    pub rows: usize,
    pub pages: usize,
    pub total_records: Option<u64>,
    /// Some page said `resultTruncated: "true"`.
    pub truncated: bool,
}

/// Lists every load balancer, page by page: `each` gets each page's rows as they come,
/// so the overview shows the first thousand while the rest load. Cancelling stops before
/// the next page.
pub async fn list_load_balancers(
    client: &ArmClient,
    subscriptions: &[String],
    cancel: &Cancel,
    progress: &dyn Fn(Progress),
    each: &mut dyn FnMut(Vec<EstateLoadBalancer>),
) -> Result<Listed, ArmError> {
    let url = client.base().url(&format!(
        "/providers/Microsoft.ResourceGraph/resources?api-version={GRAPH_API}"
    ));
    let mut listed = Listed::default();
    let mut token: Option<String> = None;
    loop {
        if cancel.is_cancelled() {
            return Err(ArmError::new(ErrorKind::Cancelled, "stopped"));
        }
        if listed.pages == MAX_PAGES {
            return Err(ArmError::new(
                ErrorKind::Malformed,
                format!("Resource Graph's listing did not end after {MAX_PAGES} pages"),
            ));
        }
        let resp = client
            .drive(
                Request::post(
                    url.clone(),
                    Some(request_body(subscriptions, token.as_deref())),
                ),
                cancel,
                progress,
            )
            .await?;
        let page: GraphPage = serde_json::from_str(&resp.body).map_err(|e| {
            ArmError::malformed(
                &resp,
                &format!("Resource Graph's answer is not of the expected shape ({e})"),
            )
        })?;
        listed.pages += 1;
        listed.rows += page.data.len();
        listed.total_records = listed.total_records.or(page.total_records());
        listed.truncated |= page.truncated();
        let next = page.skip_token().map(str::to_owned);
        each(page.data);
        match next {
            // The same token again would ask for the same page forever.
            Some(t) if token.as_deref() != Some(t.as_str()) => token = Some(t),
            Some(_) => {
                return Err(ArmError::new(
                    ErrorKind::Malformed,
                    "Resource Graph answered the same $skipToken twice",
                ))
            }
            None => return Ok(listed),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use super::*;
    use crate::http::testing::Scripted;
    use crate::http::{Method, Response, TransportError};

    fn client(answers: Vec<Result<Response, TransportError>>) -> (ArmClient, Rc<Scripted>) {
        crate::arm::testing::scripted_client(answers)
    }

    fn page(names: &[&str], token: Option<&str>) -> Result<Response, TransportError> {
        let rows: Vec<serde_json::Value> = names
            .iter()
            .map(|n| serde_json::json!({"id": format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/{n}"), "name": n, "resourceGroup": "rg", "subscriptionId": "s", "location": "eastus", "sku": {"name": "Standard", "tier": "Regional"}, "tags": {"team": "web", "n": 1, "x": null}}))
            .collect();
        let mut body = serde_json::json!({"totalRecords": 3, "count": rows.len(), "resultTruncated": "false", "data": rows, "facets": []});
        if let Some(t) = token {
            body["$skipToken"] = t.into();
        }
        Ok(Response::new(200, body.to_string()))
    }

    fn run(c: &ArmClient, cancel: &Cancel) -> (Result<Listed, ArmError>, Vec<String>) {
        let mut names = Vec::new();
        let r = pollster::block_on(list_load_balancers(c, &[], cancel, &|_| {}, &mut |rows| {
            names.extend(rows.into_iter().map(|r| r.name))
        }));
        (r, names)
    }

    #[test]
    fn pages_follow_the_skip_token_in_options_to_the_end() {
        let (c, t) = client(vec![page(&["a", "b"], Some("tok-1")), page(&["c"], None)]);
        let (r, names) = run(&c, &Cancel::default());
        assert_eq!(
            r.unwrap(),
            Listed {
                rows: 3,
                pages: 2,
                total_records: Some(3),
                truncated: false
            }
        );
        assert_eq!(names, ["a", "b", "c"]);
        let sent = t.sent.borrow();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|r| r.method == Method::Post && r.url == "https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"));
        let first: serde_json::Value =
            serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
        let second: serde_json::Value =
            serde_json::from_str(sent[1].body.as_deref().unwrap()).unwrap();
        assert_eq!(first["options"]["$skipToken"], serde_json::Value::Null);
        assert_eq!(second["options"]["$skipToken"], "tok-1");
        assert_eq!(second["options"]["$top"], 1000);
        assert_eq!(first["query"], ESTATE_QUERY);
        assert!(
            first.get("subscriptions").is_none(),
            "every readable subscription"
        );
        for field in [
            "id",
            "name",
            "resourceGroup",
            "subscriptionId",
            "location",
            "sku",
            "tags",
        ] {
            assert!(ESTATE_QUERY.contains(field), "{field}");
        }
    }

    #[test]
    fn rows_read_leniently() {
        let body = r#"{"totalRecords":"2","resultTruncated":"true","data":[{"id":"i","name":"n","sku":null,"tags":{"a":"b","c":3,"d":{"e":1}}},{"name":7,"tags":"x"},5]}"#;
        let p: GraphPage = serde_json::from_str(body).unwrap();
        assert_eq!(p.total_records(), Some(2));
        assert!(p.truncated());
        assert_eq!(p.skip_token(), None);
        assert_eq!(p.data.len(), 2);
        assert_eq!(p.data[0].tags.get("a").map(String::as_str), Some("b"));
        assert_eq!(p.data[0].tags.get("c").map(String::as_str), Some("3"));
        assert_eq!(p.data[0].tags.get("d").map(String::as_str), Some(""));
        assert_eq!(p.data[1].name, "7");
        assert!(p.data[1].tags.is_empty());
        let p: GraphPage = serde_json::from_str(&page(&["a"], Some(" ")).unwrap().body).unwrap();
        assert_eq!(p.skip_token(), None, "a blank token ends the listing");
        assert_eq!(
            p.data[0].sku,
            GraphSku {
                name: "Standard".into(),
                tier: "Regional".into()
            }
        );
    }

    #[test]
    fn a_repeated_token_or_a_cancel_stops_the_listing() {
        let (c, t) = client(vec![
            page(&["a"], Some("same")),
            page(&["b"], Some("same")),
            page(&["c"], None),
        ]);
        let (r, names) = run(&c, &Cancel::default());
        assert_eq!(r.unwrap_err().kind, ErrorKind::Malformed);
        assert_eq!(names, ["a", "b"]);
        assert_eq!(t.sent.borrow().len(), 2);

        let (c, t) = client(vec![page(&["a"], Some("t1")), page(&["b"], None)]);
        let cancel = Cancel::default();
        let mut names = Vec::new();
        let r = pollster::block_on(list_load_balancers(
            &c,
            &[],
            &cancel,
            &|_| {},
            &mut |rows| {
                names.extend(rows.into_iter().map(|r| r.name));
                cancel.cancel();
            },
        ));
        assert_eq!(r.unwrap_err().kind, ErrorKind::Cancelled);
        assert_eq!(names, ["a"]);
        assert_eq!(t.sent.borrow().len(), 1);
    }

    #[test]
    fn subscriptions_are_sent_when_given_and_errors_are_typed() {
        let body = request_body(&["s1".into()], Some("t"));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["subscriptions"], serde_json::json!(["s1"]));
        assert_eq!(v["options"]["resultFormat"], "objectArray");
        let (c, _) = client(vec![Ok(Response::new(
            403,
            r#"{"error":{"code":"AuthorizationFailed","message":"no"}}"#,
        ))]);
        assert!(matches!(
            run(&c, &Cancel::default()).0.unwrap_err().kind,
            ErrorKind::Forbidden { .. }
        ));
        let (c, _) = client(vec![Ok(Response::new(200, "{\"data\":"))]);
        assert_eq!(
            run(&c, &Cancel::default()).0.unwrap_err().kind,
            ErrorKind::Malformed
        );
    }
}
