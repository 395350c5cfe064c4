use std::rc::Rc;

use base64::Engine;
use sha2::Digest;

use super::*;
use crate::http::testing::Scripted;
use crate::http::{Method, Response, TransportError};

fn settings() -> Settings {
    Settings {
        client_id: "6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f".into(),
        tenant: "organizations".into(),
        login: "https://login.microsoftonline.com".into(),
        redirect_uri: "https://lbh.example/app/".into(),
        cloud: Cloud::Public,
    }
}

fn entra(answers: Vec<Result<Response, TransportError>>) -> (Entra, Rc<Scripted>) {
    let t = Rc::new(Scripted::new(answers));
    (Entra::new(settings(), t.clone()), t)
}

fn query(url: &str) -> Vec<(String, String)> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
        .into_owned()
        .collect()
}

fn param(pairs: &[(String, String)], k: &str) -> Option<String> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

fn jwt(payload: &str) -> String {
    let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!("{}.{}.c2ln", enc(r#"{"alg":"RS256"}"#), enc(payload))
}

fn token_answer(lifetime: u64) -> Response {
    let access = jwt(
        r#"{"aud":"https://management.azure.com","name":"Ana Lopez","upn":"ana@contoso.com","tid":"3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f","exp":4102444800}"#,
    );
    Response::new(
        200,
        format!(r#"{{"token_type":"Bearer","scope":"https://management.azure.com/user_impersonation","expires_in":{lifetime},"ext_expires_in":{lifetime},"access_token":"{access}","refresh_token":"rt-1","id_token":"x.y.z"}}"#),
    )
    .with_header("Content-Type", "application/json; charset=utf-8")
}

fn pending() -> Pending {
    Pending {
        state: "s1".into(),
        verifier: "v".repeat(43),
        return_to: "/app/?lb=x".into(),
        tenant: "organizations".into(),
    }
}

#[test]
fn authorize_url_carries_pkce_s256_scopes_and_state() {
    let (e, _) = entra(vec![]);
    let started = e
        .begin("organizations", Mode::Redirect, "/app/?lb=a".into())
        .unwrap();
    assert!(started
        .url
        .starts_with("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"));
    let q = query(&started.url);
    assert_eq!(param(&q, "response_type").as_deref(), Some("code"));
    assert_eq!(
        param(&q, "client_id").as_deref(),
        Some("6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f")
    );
    assert_eq!(
        param(&q, "redirect_uri").as_deref(),
        Some("https://lbh.example/app/")
    );
    assert_eq!(param(&q, "code_challenge_method").as_deref(), Some("S256"));
    let scope = param(&q, "scope").unwrap();
    for s in [
        "https://management.azure.com/user_impersonation",
        "offline_access",
        "openid",
        "profile",
    ] {
        assert!(scope.split(' ').any(|x| x == s), "{s} missing from {scope}");
    }
    let want = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(started.pending.verifier.as_bytes()));
    assert_eq!(param(&q, "code_challenge"), Some(want));
    assert_eq!(param(&q, "state"), Some(started.pending.state.clone()));
    assert!((43..=128).contains(&started.pending.verifier.len()));
    assert!(!started.pending.state.starts_with(POPUP_MARK));
    assert_eq!(started.pending.return_to, "/app/?lb=a");
}

#[test]
fn every_sign_in_gets_a_fresh_verifier_and_state() {
    let (e, _) = entra(vec![]);
    let a = e
        .begin("organizations", Mode::Redirect, String::new())
        .unwrap()
        .pending;
    let b = e
        .begin("organizations", Mode::Redirect, String::new())
        .unwrap()
        .pending;
    assert_ne!(a.state, b.state);
    assert_ne!(a.verifier, b.verifier);
}

#[test]
fn popup_state_is_marked_and_sovereign_clouds_ask_for_their_own_arm() {
    let mut s = settings();
    s.cloud = Cloud::UsGov;
    s.login = Cloud::UsGov.login_origin().into();
    let e = Entra::new(s, Rc::new(Scripted::default()));
    let started = e
        .begin("contoso.onmicrosoft.us", Mode::Popup, String::new())
        .unwrap();
    assert!(started.url.starts_with(
        "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/authorize?"
    ));
    let cb = parse_callback(&format!("?code=c&state={}", started.pending.state)).unwrap();
    assert!(cb.is_popup());
    let scope = param(&query(&started.url), "scope").unwrap();
    assert!(
        scope.contains("https://management.usgovcloudapi.net/user_impersonation"),
        "{scope}"
    );
}

#[test]
fn callbacks_are_read_and_stripped_from_the_address() {
    assert_eq!(parse_callback("?lb=x"), None);
    assert_eq!(
        parse_callback("?code=abc&state=s1"),
        Some(Callback {
            state: "s1".into(),
            outcome: Ok("abc".into())
        })
    );
    let denied = parse_callback(
        "?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent.&state=s1",
    )
    .unwrap();
    let err = accept(denied, Some(&pending())).unwrap_err();
    assert_eq!(err.aadsts(), Some("AADSTS65004"));
    assert!(
        matches!(err, SignInError::Denied(Denied { ref error, .. }) if error == "access_denied")
    );
    assert_eq!(
        strip_callback("?lb=a%2Fb&code=abc&state=s1&session_state=q&rule=r"),
        "?lb=a%2Fb&rule=r"
    );
    assert_eq!(strip_callback("?code=abc&state=s1"), "");
}

#[test]
fn an_answer_must_match_this_tabs_state() {
    let cb = parse_callback("?code=abc&state=forged").unwrap();
    assert_eq!(
        accept(cb.clone(), Some(&pending())),
        Err(SignInError::StateMismatch)
    );
    assert_eq!(accept(cb, None), Err(SignInError::NothingPending));
    let good = parse_callback("?code=abc&state=s1").unwrap();
    assert_eq!(accept(good, Some(&pending())), Ok("abc".into()));
}

#[test]
fn the_code_is_redeemed_with_the_verifier_at_the_tenants_token_endpoint() {
    let (e, t) = entra(vec![Ok(token_answer(30))]);
    let tokens = pollster::block_on(e.redeem("the-code".into(), &pending())).unwrap();
    assert_eq!(tokens.lifetime_s, 30);
    assert_eq!(tokens.refresh.as_deref(), Some("rt-1"));
    assert_eq!(tokens.claims.user.as_deref(), Some("ana@contoso.com"));
    assert_eq!(
        tokens.claims.tenant.as_deref(),
        Some("3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f")
    );
    assert!(
        !format!("{tokens:?}").contains("eyJ"),
        "Debug must not print tokens"
    );
    let sent = t.sent.borrow();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, Method::Post);
    assert_eq!(
        sent[0].url,
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    );
    assert!(
        sent[0].header("authorization").is_none(),
        "a public client sends no secret"
    );
    let form: Vec<(String, String)> =
        form_urlencoded::parse(sent[0].body.as_deref().unwrap().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(
        param(&form, "grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(param(&form, "code").as_deref(), Some("the-code"));
    assert_eq!(param(&form, "code_verifier"), Some("v".repeat(43)));
    assert_eq!(
        param(&form, "redirect_uri").as_deref(),
        Some("https://lbh.example/app/")
    );
    assert_eq!(
        param(&form, "client_id").as_deref(),
        Some("6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f")
    );
}

#[test]
fn refresh_sends_the_refresh_token_and_scopes() {
    let (e, t) = entra(vec![Ok(token_answer(3600))]);
    let tokens =
        pollster::block_on(e.refresh("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "rt-0")).unwrap();
    assert_eq!(tokens.lifetime_s, 3600);
    let sent = t.sent.borrow();
    assert!(sent[0]
        .url
        .contains("/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a/oauth2/v2.0/token"));
    let form: Vec<(String, String)> =
        form_urlencoded::parse(sent[0].body.as_deref().unwrap().as_bytes())
            .into_owned()
            .collect();
    assert_eq!(param(&form, "grant_type").as_deref(), Some("refresh_token"));
    assert_eq!(param(&form, "refresh_token").as_deref(), Some("rt-0"));
    assert!(param(&form, "scope").unwrap().contains("offline_access"));
}

#[test]
fn token_endpoint_failures_become_typed_errors() {
    let refused = Response::new(
        400,
        r#"{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity. Trace ID: t Correlation ID: c","error_codes":[700082]}"#,
    )
    .with_header("Content-Type", "application/json");
    let (e, _) = entra(vec![
        Ok(refused),
        Err(TransportError::Network("Failed to fetch".into())),
        Ok(Response::new(200, "<html>")),
    ]);
    let err = pollster::block_on(e.refresh("organizations", "rt")).unwrap_err();
    assert_eq!(err.aadsts(), Some("AADSTS700082"));
    assert!(
        matches!(err, SignInError::Refused(Denied { ref error, .. }) if error == "invalid_grant")
    );
    assert_eq!(
        pollster::block_on(e.refresh("organizations", "rt")).unwrap_err(),
        SignInError::Network("Failed to fetch".into())
    );
    assert!(matches!(
        pollster::block_on(e.refresh("organizations", "rt")).unwrap_err(),
        SignInError::Unexpected(_)
    ));
}

#[test]
fn renewal_comes_halfway_for_short_tokens_and_five_minutes_early_otherwise() {
    assert_eq!(renew_after_ms(30), 15_000);
    assert_eq!(renew_after_ms(3600), 3_300_000);
    assert_eq!(renew_after_ms(1), 500);
}

#[test]
fn a_tenant_that_is_no_guid_or_domain_never_reaches_a_login_url() {
    // Tenant ids come from ARM's `GET /tenants` for the tenant switch: not trusted.
    let (e, t) = entra(vec![Ok(token_answer(3600))]);
    for bad in [
        "evil.example/x?",
        "organizations/../common",
        "a#b",
        "contoso",
        "x y.example",
        "",
    ] {
        let got = e.begin(bad, Mode::Redirect, "/".into());
        assert!(
            matches!(got, Err(SignInError::Settings(_))),
            "{bad}: {got:?}"
        );
    }
    let crossed = Pending {
        tenant: "common/oauth2/v2.0/token?x=".into(),
        ..pending()
    };
    assert!(matches!(
        pollster::block_on(e.redeem("code".into(), &crossed)),
        Err(SignInError::Settings(_))
    ));
    assert!(matches!(
        pollster::block_on(e.refresh("..", "rt")),
        Err(SignInError::Settings(_))
    ));
    assert!(
        t.sent.borrow().is_empty(),
        "nothing was sent for a refused tenant"
    );
    for ok in [
        "fabrikam.onmicrosoft.com",
        "3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f",
        "common",
    ] {
        let url = e.begin(ok, Mode::Popup, "/".into()).unwrap().url;
        assert!(
            url.starts_with(&format!(
                "https://login.microsoftonline.com/{ok}/oauth2/v2.0/authorize?"
            )),
            "{url}"
        );
    }
}

#[test]
fn end_session_returns_to_the_redirect_uri_and_the_next_sign_in_picks_an_account() {
    let url = end_session_url(&settings(), "3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f").unwrap();
    assert_eq!(
        url,
        "https://login.microsoftonline.com/3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f/oauth2/v2.0/logout?post_logout_redirect_uri=https%3A%2F%2Flbh.example%2Fapp%2F"
    );
    assert_eq!(
        param(&query(&url), "post_logout_redirect_uri").as_deref(),
        Some("https://lbh.example/app/")
    );
    assert_eq!(end_session_url(&settings(), "evil.example/x?"), None);
    let (e, _) = entra(vec![]);
    let started = e
        .begin("organizations", Mode::Redirect, "/".into())
        .unwrap();
    assert_eq!(
        param(&query(&started.url), "prompt"),
        None,
        "a first sign-in may be silent"
    );
    let asked = select_account(&started.url);
    assert_eq!(
        param(&query(&asked), "prompt").as_deref(),
        Some("select_account")
    );
    assert_eq!(
        param(&query(&asked), "state"),
        param(&query(&started.url), "state")
    );
}

#[test]
fn debug_of_sign_in_state_prints_no_verifier_state_or_code() {
    let (e, _) = entra(vec![]);
    let started = e
        .begin("organizations", Mode::Popup, "/app/".into())
        .unwrap();
    let secrets = [
        started.pending.state.clone(),
        started.pending.verifier.clone(),
    ];
    let callback = Callback {
        state: started.pending.state.clone(),
        outcome: Ok("the-code-1234".into()),
    };
    let printed = format!("{started:?} {:?} {callback:?}", started.pending);
    for s in secrets.iter().map(String::as_str).chain(["the-code-1234"]) {
        assert!(!printed.contains(s), "{s} in {printed}");
    }
    assert!(
        printed.contains("/organizations/oauth2/v2.0/authorize") && printed.contains("***"),
        "{printed}"
    );
}
