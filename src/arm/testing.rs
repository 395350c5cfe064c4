//! Test support for `arm`'s own tests: a client over `http::testing`'s scripted transport.

use std::rc::Rc;

use super::client::ArmClient;
use crate::http::cloud::{ArmBase, Cloud};
use crate::http::testing::{FakeClock, Scripted};
use crate::http::{Response, Token, TransportError};

/// A client over a scripted transport, signed in with `secret-token`, on the public ARM
/// origin, with a clock whose waits pass at once.
pub fn scripted_client(
    answers: Vec<Result<Response, TransportError>>,
) -> (ArmClient, Rc<Scripted>) {
    let t = Rc::new(Scripted::new(answers));
    let base = ArmBase::parse("https://management.azure.com").unwrap();
    let client = ArmClient::new(
        t.clone(),
        Rc::new(FakeClock::default()),
        base,
        Cloud::Public,
    );
    client.set_token(Some(Token::new("secret-token")));
    (client, t)
}
