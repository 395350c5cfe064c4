//! Test doubles for the transport seam: a scripted transport that records what it was
//! sent, and a clock whose sleeps advance time instantly.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::http::{Clock, LocalBoxFuture, Request, Response, Transport, TransportError};

#[derive(Default)]
pub struct FakeClock {
    now: Cell<f64>,
    pub slept: RefCell<Vec<u64>>,
}

impl Clock for FakeClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'_, ()> {
        self.now.set(self.now.get() + ms as f64);
        self.slept.borrow_mut().push(ms);
        Box::pin(async {})
    }
}

#[derive(Default)]
pub struct Scripted {
    answers: RefCell<VecDeque<Result<Response, TransportError>>>,
    pub sent: RefCell<Vec<Request>>,
}

impl Scripted {
    pub fn new(answers: Vec<Result<Response, TransportError>>) -> Self {
        Scripted {
            answers: RefCell::new(answers.into()),
            sent: RefCell::default(),
        }
    }
}

impl Transport for Scripted {
    fn send(&self, req: Request) -> LocalBoxFuture<'_, Result<Response, TransportError>> {
        self.sent.borrow_mut().push(req);
        let next = self
            .answers
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| Err(TransportError::Network("script ran out".into())));
        Box::pin(async move { next })
    }
}
