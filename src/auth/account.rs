//! A signed-in account: the refresh token and the current access token, in memory only,
//! and renewal that many callers can ask for at once (the rules list checks four rules
//! in parallel; when the token runs out, all four get a 401 together).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::entra::{Entra, SignInError, Tokens};
use crate::http::Token;
use crate::http::{Clock, LocalBoxFuture};

/// Trades a refresh token for a new token set: in the browser the sign-in worker
/// (`auth::signin::SignIn`), in host tests `Entra` itself over a scripted transport.
pub trait Refresher {
    fn refresh<'a>(
        &'a self,
        tenant: &'a str,
        refresh: &'a str,
    ) -> LocalBoxFuture<'a, Result<Tokens, SignInError>>;
}

impl Refresher for Entra {
    fn refresh<'a>(
        &'a self,
        tenant: &'a str,
        refresh: &'a str,
    ) -> LocalBoxFuture<'a, Result<Tokens, SignInError>> {
        Box::pin(Entra::refresh(self, tenant, refresh))
    }
}

pub struct Account {
    refresher: Rc<dyn Refresher>,
    tenant: String,
    access: RefCell<Token>,
    refresh: RefCell<Option<String>>,
    busy: Cell<bool>,
    clock: Rc<dyn Clock>,
}

/// What a renewal produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Renewed {
    /// A new token set from Entra.
    Fresh(Tokens),
    /// Another caller renewed meanwhile: use the current token.
    Already(Token),
}

impl Account {
    pub fn new(
        refresher: Rc<dyn Refresher>,
        tenant: String,
        tokens: &Tokens,
        clock: Rc<dyn Clock>,
    ) -> Self {
        Account {
            refresher,
            tenant,
            access: RefCell::new(tokens.access.clone()),
            refresh: RefCell::new(tokens.refresh.clone()),
            busy: Cell::new(false),
            clock,
        }
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// Renews unless the token the caller holds was already replaced. Callers that
    /// arrive during a renewal wait for it instead of starting their own.
    pub async fn renew(&self, held: Option<Token>) -> Result<Renewed, SignInError> {
        while self.busy.get() {
            self.clock.sleep(50).await;
        }
        let current = self.access.borrow().clone();
        if held.as_ref().is_some_and(|h| *h != current) {
            return Ok(Renewed::Already(current));
        }
        let Some(refresh) = self.refresh.borrow().clone() else {
            return Err(SignInError::Refused(super::entra::Denied {
                error: "no_refresh_token".into(),
                description: "Entra did not issue a refresh token for this sign-in.".into(),
            }));
        };
        self.busy.set(true);
        let answer = self.refresher.refresh(&self.tenant, &refresh).await;
        self.busy.set(false);
        let tokens = answer?;
        *self.access.borrow_mut() = tokens.access.clone();
        if tokens.refresh.is_some() {
            self.refresh.borrow_mut().clone_from(&tokens.refresh);
        }
        Ok(Renewed::Fresh(tokens))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::entra::Settings;
    use crate::http::cloud::Cloud;
    use crate::http::testing::{FakeClock, Scripted};
    use crate::http::Response;

    fn tokens(access: &str, refresh: Option<&str>) -> Tokens {
        Tokens {
            access: Token::new(access),
            refresh: refresh.map(Into::into),
            lifetime_s: 30,
            claims: Default::default(),
        }
    }

    fn account(answers: Vec<Response>, refresh: Option<&str>) -> (Account, Rc<Scripted>) {
        let t = Rc::new(Scripted::new(answers.into_iter().map(Ok).collect()));
        let settings = Settings {
            client_id: "c".into(),
            tenant: "organizations".into(),
            login: "https://login.microsoftonline.com".into(),
            redirect_uri: "https://app.example/".into(),
            cloud: Cloud::Public,
        };
        let entra = Rc::new(Entra::new(settings, t.clone()));
        (
            Account::new(
                entra,
                "organizations".into(),
                &tokens("a1", refresh),
                Rc::new(FakeClock::default()),
            ),
            t,
        )
    }

    fn answer(access: &str, refresh: &str) -> Response {
        Response::new(200, format!(r#"{{"token_type":"Bearer","expires_in":30,"access_token":"{access}","refresh_token":"{refresh}"}}"#))
            .with_header("Content-Type", "application/json")
    }

    fn form(t: &Scripted, i: usize) -> String {
        t.sent.borrow()[i].body.clone().unwrap_or_default()
    }

    #[test]
    fn renewal_rotates_the_refresh_token() {
        let (a, t) = account(vec![answer("a2", "r2"), answer("a3", "r3")], Some("r1"));
        let Renewed::Fresh(first) = pollster::block_on(a.renew(Some(Token::new("a1")))).unwrap()
        else {
            panic!("expected a renewal")
        };
        assert_eq!(first.access, Token::new("a2"));
        assert!(form(&t, 0).contains("refresh_token=r1"));
        pollster::block_on(a.renew(Some(Token::new("a2")))).unwrap();
        assert!(
            form(&t, 1).contains("refresh_token=r2"),
            "the rotated refresh token is used next"
        );
    }

    #[test]
    fn a_caller_holding_a_replaced_token_gets_the_current_one_without_a_request() {
        let (a, t) = account(vec![answer("a2", "r2")], Some("r1"));
        pollster::block_on(a.renew(Some(Token::new("a1")))).unwrap();
        let again = pollster::block_on(a.renew(Some(Token::new("a1")))).unwrap();
        assert_eq!(again, Renewed::Already(Token::new("a2")));
        assert_eq!(t.sent.borrow().len(), 1);
    }

    #[test]
    fn no_refresh_token_or_a_refusal_is_an_error() {
        let (a, t) = account(vec![], None);
        assert!(matches!(
            pollster::block_on(a.renew(None)),
            Err(SignInError::Refused(_))
        ));
        assert!(t.sent.borrow().is_empty());
        let refused = Response::new(
            400,
            r#"{"error":"invalid_grant","error_description":"AADSTS700082: expired"}"#,
        )
        .with_header("Content-Type", "application/json");
        let (a, _) = account(vec![refused], Some("r1"));
        let e = pollster::block_on(a.renew(None)).unwrap_err();
        assert_eq!(e.aadsts(), Some("AADSTS700082"));
    }
}
