use std::rc::Rc;

use super::*;
use crate::auth::entra::{parse_callback, Denied};
use crate::http::cloud::Cloud;
use crate::http::testing::Scripted;
use crate::http::Response;

fn settings() -> Settings {
    Settings {
        client_id: "6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f".into(),
        tenant: "organizations".into(),
        login: "https://login.microsoftonline.us".into(),
        redirect_uri: "https://lbh.example/app/".into(),
        cloud: Cloud::UsGov,
    }
}

fn pending() -> Pending {
    Pending {
        state: "s1".into(),
        verifier: "v".repeat(43),
        return_to: "/app/?lb=x".into(),
        tenant: "organizations".into(),
    }
}

fn entra(answers: Vec<Response>) -> (Entra, Rc<Scripted>) {
    let t = Rc::new(Scripted::new(answers.into_iter().map(Ok).collect()));
    (Entra::new(settings(), t.clone()), t)
}

fn token_answer() -> Response {
    Response::new(200, r#"{"token_type":"Bearer","expires_in":30,"access_token":"at-secret","refresh_token":"rt-secret"}"#)
        .with_header("Content-Type", "application/json")
}

/// What the other side reads back from what this side sent.
fn across<T: Message>(m: &T) -> T {
    decode(&encode(m)).expect("the other side reads it")
}

#[test]
fn every_message_survives_the_trip_through_post_message() {
    let tokens = Tokens {
        access: Token::new("at"),
        refresh: Some("rt".into()),
        lifetime_s: 30,
        claims: Claims {
            name: Some("Ana".into()),
            tenant: Some("t".into()),
            expires_at: Some(1),
            ..Claims::default()
        },
    };
    let to = [
        ToWorker::Settings(settings()),
        ToWorker::Ask(Ask::Begin {
            tenant: "contoso.com".into(),
            mode: Mode::Popup,
            return_to: "/app/?lb=a%2Fb".into(),
        }),
        ToWorker::Ask(Ask::Redeem {
            code: "c".into(),
            pending: pending(),
        }),
        ToWorker::Ask(Ask::Refresh {
            tenant: "t".into(),
            refresh: "rt".into(),
        }),
    ];
    for m in to {
        assert_eq!(across(&m), m);
    }
    let from = [
        Answer::Started(Started {
            url: "https://login/x?state=s1".into(),
            pending: pending(),
        }),
        Answer::Tokens(tokens.clone().into()),
        Answer::Failed(SignInError::Refused(Denied {
            error: "invalid_grant".into(),
            description: "AADSTS700082: x".into(),
        })),
        Answer::Failed(SignInError::PopupClosed),
    ];
    for m in from {
        assert_eq!(across(&m), m);
    }
    assert_eq!(
        across(&Answer::Tokens(tokens.clone().into())).into_tokens(),
        Ok(tokens)
    );
}

#[test]
fn every_failure_and_odd_claims_survive_the_trip() {
    let d = || Denied {
        error: "e\"\n".into(),
        description: "AADSTS1: \u{1}é😀".into(),
    };
    let failures = [
        SignInError::Denied(d()),
        SignInError::Refused(d()),
        SignInError::StateMismatch,
        SignInError::NothingPending,
        SignInError::Network("n".into()),
        SignInError::Unexpected("u".into()),
        SignInError::Storage,
        SignInError::PopupBlocked,
        SignInError::PopupClosed,
        SignInError::OpenerLost,
        SignInError::Settings("s".into()),
        SignInError::Worker("w".into()),
    ];
    for e in failures {
        let m = Answer::Failed(e);
        assert_eq!(across(&m), m);
    }
    for expires_at in [None, Some(i64::MIN), Some(-1), Some(0), Some(i64::MAX)] {
        let claims = Claims {
            expires_at,
            audience: Some("a".into()),
            user: Some("u".into()),
            ..Claims::default()
        };
        let tokens = Tokens {
            access: Token::new("at"),
            refresh: None,
            lifetime_s: u64::MAX,
            claims,
        };
        let m = Answer::Tokens(tokens.into());
        assert_eq!(across(&m), m);
    }
    for cloud in [Cloud::Public, Cloud::China, Cloud::UsGov] {
        let m = ToWorker::Settings(Settings {
            cloud,
            ..settings()
        });
        assert_eq!(across(&m), m);
    }
    assert_eq!(across(&pending()), pending());
}

#[test]
fn what_is_not_a_message_is_ignored() {
    assert_eq!(
        decode::<Answer>(r#"{"failed":{"kind":"someNewKind"}}"#),
        None
    );
    assert_eq!(decode::<Answer>("{}"), None);
    assert_eq!(
        decode::<ToWorker>(r#"{"ask":{"kind":"begin","mode":"sideways"}}"#),
        None
    );
    assert_eq!(decode::<ToWorker>(r#"{"settings":{"cloud":"mars"}}"#), None);
    assert_eq!(decode::<ToWorker>(r#"{"ask":{"kind":"unknown"}}"#), None);
    assert_eq!(decode::<ToWorker>("{}"), None);
    assert_eq!(decode::<Answer>("lbh-signin:?code=x"), None);
    // What an older deployment's worker said, before crate::worker's envelope.
    assert_eq!(decode::<Answer>(r#"{"ready":true}"#), None);
    assert_eq!(decode::<ToWorker>(""), None);
}

#[test]
fn begin_answers_the_authorize_url_and_what_to_keep() {
    let (e, t) = entra(vec![]);
    let answer = pollster::block_on(serve(
        &e,
        Ask::Begin {
            tenant: "contoso.onmicrosoft.us".into(),
            mode: Mode::Popup,
            return_to: "/app/".into(),
        },
    ));
    let started = answer.into_started().unwrap();
    assert!(
        started.url.starts_with(
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/authorize?"
        ),
        "{}",
        started.url
    );
    assert!(
        parse_callback(&format!("?code=c&state={}", started.pending.state))
            .unwrap()
            .is_popup()
    );
    assert_eq!(started.pending.return_to, "/app/");
    assert!(
        t.sent.borrow().is_empty(),
        "starting a sign-in sends nothing"
    );
}

#[test]
fn redeem_and_refresh_answer_tokens_or_a_typed_failure() {
    let refused = Response::new(
        400,
        r#"{"error":"invalid_grant","error_description":"AADSTS700082: expired"}"#,
    )
    .with_header("Content-Type", "application/json");
    let (e, t) = entra(vec![token_answer(), refused]);
    let tokens = pollster::block_on(serve(
        &e,
        Ask::Redeem {
            code: "the-code".into(),
            pending: pending(),
        },
    ))
    .into_tokens()
    .unwrap();
    assert_eq!(tokens.access, Token::new("at-secret"));
    assert_eq!(tokens.refresh.as_deref(), Some("rt-secret"));
    assert!(t.sent.borrow()[0]
        .body
        .as_deref()
        .unwrap()
        .contains("code=the-code"));
    let failed = pollster::block_on(serve(
        &e,
        Ask::Refresh {
            tenant: "organizations".into(),
            refresh: "rt-secret".into(),
        },
    ));
    assert_eq!(
        failed.into_tokens().unwrap_err().aadsts(),
        Some("AADSTS700082")
    );
}

#[test]
fn a_crossed_answer_is_a_worker_error() {
    let started = Answer::Started(Started {
        url: "u".into(),
        pending: pending(),
    });
    assert!(matches!(started.into_tokens(), Err(SignInError::Worker(_))));
    let tokens = Answer::Tokens(
        Tokens {
            access: Token::new("a"),
            refresh: None,
            lifetime_s: 1,
            claims: Claims::default(),
        }
        .into(),
    );
    assert!(matches!(tokens.into_started(), Err(SignInError::Worker(_))));
}

#[test]
fn debug_never_prints_a_code_verifier_or_token() {
    let tokens = Tokens {
        access: Token::new("at-secret"),
        refresh: Some("rt-secret".into()),
        lifetime_s: 30,
        claims: Claims::default(),
    };
    let printed = [
        format!(
            "{:?}",
            ToWorker::Ask(Ask::Redeem {
                code: "code-secret".into(),
                pending: pending()
            })
        ),
        format!(
            "{:?}",
            ToWorker::Ask(Ask::Refresh {
                tenant: "t".into(),
                refresh: "rt-secret".into()
            })
        ),
        format!("{:?}", Answer::Tokens(tokens.into())),
    ];
    for p in printed {
        for secret in ["code-secret", "rt-secret", "at-secret", "vvvv"] {
            assert!(!p.contains(secret), "{p}");
        }
    }
}
