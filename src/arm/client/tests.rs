use std::cell::RefCell;
use std::rc::Rc;

use super::*;
use crate::http::testing::{FakeClock, Scripted};
use crate::http::{Response, TransportError};

const LB: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web";

fn client(
    answers: Vec<Result<Response, TransportError>>,
) -> (ArmClient, Rc<Scripted>, Rc<FakeClock>) {
    let t = Rc::new(Scripted::new(answers));
    let c = Rc::new(FakeClock::default());
    let client = ArmClient::new(
        t.clone(),
        c.clone(),
        ArmBase::parse("https://management.azure.com").unwrap(),
        Cloud::Public,
    );
    client.set_token(Some(Token::new("secret-token")));
    (client, t, c)
}

fn rule() -> RuleId {
    LoadBalancerId::parse(LB)
        .unwrap()
        .rule("rule-http")
        .unwrap()
}

#[test]
fn health_posts_then_polls_location_with_the_token() {
    let loc = "https://management.azure.com/subscriptions/0/providers/Microsoft.Network/locations/eastus/operationResults/1?api-version=2024-05-01";
    let (c, t, clock) = client(vec![
        Ok(Response::new(202, "")
            .with_header("Location", loc)
            .with_header("Retry-After", "10")),
        Ok(Response::new(202, "").with_header("Retry-After", "5")),
        Ok(Response::new(
            200,
            include_str!("../../../tests/fixtures/health-result.json"),
        )),
    ]);
    let r = pollster::block_on(c.rule_health(&rule(), &Cancel::default(), &|_| {})).unwrap();
    assert_eq!(r.load_balancer_backend_addresses.len(), 2);
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 3);
    assert_eq!(sent[0].method, crate::http::Method::Post);
    assert!(sent[0]
        .url
        .ends_with("/loadBalancingRules/rule-http/health?api-version=2024-05-01"));
    assert_eq!(sent[1].url, loc);
    assert!(sent
        .iter()
        .all(|r| r.header("Authorization") == Some("Bearer secret-token")));
    assert!(sent.iter().all(|r| r
        .header("x-ms-client-request-id")
        .is_some_and(|v| v.len() == 36)));
    // The first poll at once, as the SDKs poll; then the poll's Retry-After.
    assert_eq!(*clock.slept.borrow(), vec![0, 5_000]);
}

#[test]
fn foreign_location_is_refused_without_sending_the_token() {
    let (c, t, _) = client(vec![Ok(
        Response::new(202, "").with_header("Location", "https://evil.example/op/1")
    )]);
    let e = pollster::block_on(c.rule_health(&rule(), &Cancel::default(), &|_| {})).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::ForeignHost { .. }));
    assert!(e.message.contains("https://evil.example"));
    assert_eq!(
        t.sent.borrow().len(),
        1,
        "nothing was sent to the foreign host"
    );
}

#[test]
fn foreign_next_link_is_refused() {
    let page = r#"{"value":[{"subscriptionId":"a","displayName":"A"}],"nextLink":"https://evil.example/next"}"#;
    let (c, t, _) = client(vec![Ok(Response::new(200, page))]);
    let e = pollster::block_on(c.subscriptions(&Cancel::default(), &|_| {})).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::ForeignHost { .. }));
    assert_eq!(t.sent.borrow().len(), 1);
}

#[test]
fn paging_follows_next_link_to_the_end() {
    let p1 = r#"{"value":[{"name":"b"}],"nextLink":"https://management.azure.com/next?x=1"}"#;
    let p2 = r#"{"value":[{"name":"a"}]}"#;
    let (c, t, _) = client(vec![Ok(Response::new(200, p1)), Ok(Response::new(200, p2))]);
    let sub = SubscriptionId::parse("00000000-0000-0000-0000-000000000000").unwrap();
    let lbs = pollster::block_on(c.load_balancers(&sub, &Cancel::default(), &|_| {})).unwrap();
    assert_eq!(
        lbs.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        vec!["a", "b"]
    );
    assert_eq!(
        t.sent.borrow()[1].url,
        "https://management.azure.com/next?x=1"
    );
}

#[test]
fn cancelled_operation_sends_nothing_more() {
    let loc = "https://management.azure.com/op/1";
    let (c, t, _) = client(vec![
        Ok(Response::new(202, "").with_header("Location", loc)),
    ]);
    let cancel = Cancel::default();
    let cancel2 = cancel.clone();
    let e = pollster::block_on(c.rule_health(&rule(), &cancel, &move |p| {
        if matches!(p, Progress::Waiting { .. }) {
            cancel2.cancel();
        }
    }))
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert_eq!(t.sent.borrow().len(), 1);
}

#[test]
fn malformed_result_is_a_typed_error() {
    let loc = "https://management.azure.com/op/1";
    for body in [
        "{\"up\": 1, \"loadBal",
        "",
        "<html><body>oops</body></html>",
    ] {
        let (c, _, _) = client(vec![
            Ok(Response::new(202, "").with_header("Location", loc)),
            Ok(Response::new(200, body).with_header("x-ms-request-id", "rid")),
        ]);
        let e =
            pollster::block_on(c.rule_health(&rule(), &Cancel::default(), &|_| {})).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::Malformed | ErrorKind::HtmlPage),
            "{body:?} -> {e:?}"
        );
        assert_eq!(e.request_id.as_deref(), Some("rid"));
    }
}

#[test]
fn token_debug_is_redacted() {
    assert_eq!(format!("{:?}", Token::new("abc")), "Token(***)");
}

fn unauthorized() -> Result<Response, TransportError> {
    Ok(Response::new(
        401,
        r#"{"error":{"code":"ExpiredAuthenticationToken","message":"The access token expiry UTC time is earlier than current UTC time."}}"#,
    ))
}

#[test]
fn a_401_gets_one_renewal_and_one_retry_with_the_new_token() {
    let (c, t, _) = client(vec![
        unauthorized(),
        Ok(Response::new(200, r#"{"value":[]}"#)),
    ]);
    let refused = Rc::new(RefCell::new(Vec::new()));
    let seen = refused.clone();
    c.set_renewer(Some(Rc::new(move |old: Option<Token>| {
        seen.borrow_mut().push(old);
        Box::pin(async { Some(Token::new("fresh-token")) })
    })));
    let subs = pollster::block_on(c.subscriptions(&Cancel::default(), &|_| {})).unwrap();
    assert!(subs.is_empty());
    assert_eq!(*refused.borrow(), vec![Some(Token::new("secret-token"))]);
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("Authorization"), Some("Bearer secret-token"));
    assert_eq!(sent[1].header("Authorization"), Some("Bearer fresh-token"));
}

#[test]
fn a_second_401_or_a_failed_renewal_is_reported() {
    let (c, t, _) = client(vec![unauthorized(), unauthorized()]);
    c.set_renewer(Some(Rc::new(|_| {
        Box::pin(async { Some(Token::new("fresh-token")) })
    })));
    let e = pollster::block_on(c.subscriptions(&Cancel::default(), &|_| {})).unwrap_err();
    assert_eq!(e.status, Some(401));
    assert_eq!(t.sent.borrow().len(), 2, "one retry, not a loop");

    let (c, t, _) = client(vec![unauthorized()]);
    c.set_renewer(Some(Rc::new(|_| Box::pin(async { None }))));
    let e = pollster::block_on(c.subscriptions(&Cancel::default(), &|_| {})).unwrap_err();
    assert_eq!(e.status, Some(401));
    assert_eq!(t.sent.borrow().len(), 1, "nothing to retry with");
}

#[test]
fn graph_search_posts_one_kql_query_with_only_name_characters() {
    assert!(graph_query("web")
        .unwrap()
        .contains("where name contains 'web'"));
    for bad in [
        "",
        " ",
        "a'b",
        "x' | project secret",
        "lb web",
        &"a".repeat(81),
    ] {
        assert_eq!(graph_query(bad), None, "{bad:?}");
    }
    let answer = r#"{"totalRecords":1,"count":1,"data":[{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb-web","name":"lb-web","resourceGroup":"rg","subscriptionId":"s","location":"eastus"}],"facets":[],"resultTruncated":"false"}"#;
    let (c, t, _) = client(vec![Ok(Response::new(200, answer))]);
    let found = pollster::block_on(c.find_load_balancers("web", &Cancel::default()))
        .unwrap()
        .unwrap();
    assert_eq!(found.total_records, 1);
    assert_eq!(found.data[0].name, "lb-web");
    let sent = t.sent.borrow();
    assert_eq!(sent[0].method, crate::http::Method::Post);
    assert_eq!(sent[0].url, "https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01");
    let body: serde_json::Value = serde_json::from_str(sent[0].body.as_deref().unwrap()).unwrap();
    assert!(body["query"]
        .as_str()
        .unwrap()
        .contains("microsoft.network/loadbalancers"));
    assert!(pollster::block_on(c.find_load_balancers("a'b", &Cancel::default())).is_none());
}

#[test]
fn search_by_listing_filters_every_subscription() {
    let subs = r#"{"value":[{"subscriptionId":"00000000-0000-0000-0000-000000000001","displayName":"A"},{"subscriptionId":"00000000-0000-0000-0000-000000000002","displayName":"B"}]}"#;
    let lb = |sub: &str, name: &str| {
        format!(
            r#"{{"id":"/subscriptions/{sub}/resourceGroups/rg-{name}/providers/Microsoft.Network/loadBalancers/{name}","name":"{name}","location":"westeurope"}}"#
        )
    };
    let page1 = format!(
        r#"{{"value":[{},{}]}}"#,
        lb("00000000-0000-0000-0000-000000000001", "lb-web"),
        lb("00000000-0000-0000-0000-000000000001", "lb-dns")
    );
    let page2 = format!(
        r#"{{"value":[{}]}}"#,
        lb("00000000-0000-0000-0000-000000000002", "LB-Web-2")
    );
    let (c, t, _) = client(vec![
        Ok(Response::new(200, subs)),
        Ok(Response::new(200, page1)),
        Ok(Response::new(200, page2)),
    ]);
    let found = pollster::block_on(c.find_by_listing("web", &Cancel::default())).unwrap();
    let names: Vec<&str> = found.data.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["lb-web", "LB-Web-2"]);
    assert_eq!(
        found.data[1].subscription_id,
        "00000000-0000-0000-0000-000000000002"
    );
    assert_eq!(found.data[0].resource_group, "rg-lb-web");
    assert_eq!(t.sent.borrow().len(), 3);
}

#[test]
fn tenants_whose_id_could_change_the_login_url_are_left_out() {
    let page = r#"{"value":[
        {"tenantId":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","displayName":"Contoso","defaultDomain":"contoso.onmicrosoft.com"},
        {"tenantId":"evil.example/oauth2/v2.0/authorize?x=","displayName":"Evil path","defaultDomain":"evil.example"},
        {"tenantId":"common","displayName":"A keyword","defaultDomain":"x.example"},
        {"tenantId":"fabrikam.onmicrosoft.com","displayName":"Fabrikam","defaultDomain":"fabrikam.onmicrosoft.com"}
    ]}"#;
    let (c, _, _) = client(vec![Ok(Response::new(200, page))]);
    let tenants = pollster::block_on(c.tenants(&Cancel::default())).unwrap();
    let ids: Vec<&str> = tenants.iter().map(|t| t.tenant_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f",
            "fabrikam.onmicrosoft.com"
        ]
    );
}
