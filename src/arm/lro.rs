//! ARM's long-running operation, as a state machine that takes answers and the time
//! and says what to do next. It never sleeps and never sends: `drive` does that with
//! an injected transport and clock, so every path tests on the host without waiting.
//!
//! The health operation is `POST .../health` -> 202 + Location (+ Retry-After) ->
//! `GET Location` -> 202 while pending -> 200 with the result. Plain GETs go through
//! the same machine: a 200 ends it at once, and throttling and transient failures are
//! retried by the same rules.

use super::error::{ArmError, ErrorKind};
use crate::http::{Request, Response, TransportError};

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Wait between polls when ARM gives no Retry-After; doubles up to `max_default_ms`.
    pub first_default_ms: u64,
    pub max_default_ms: u64,
    /// Floor and ceiling for a server-given Retry-After: 0 must not mean a busy loop,
    /// and a day must not mean a frozen panel.
    pub min_wait_ms: u64,
    pub max_wait_ms: u64,
    /// The whole operation fails with `Timeout` past this.
    pub deadline_ms: u64,
    /// Retries of 5xx and network failures for one request.
    pub max_transient_retries: u32,
    /// Polls of a 202 before giving up, whatever the clock says.
    pub max_polls: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            first_default_ms: 2_000,
            max_default_ms: 15_000,
            min_wait_ms: 1_000,
            max_wait_ms: 120_000,
            deadline_ms: 5 * 60_000,
            max_transient_retries: 3,
            max_polls: 120,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// The operation is still running (202).
    Pending,
    /// 429: ARM asked us to slow down.
    Throttled,
    /// 5xx or network failure; trying again.
    Transient,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Send(Request),
    Wait { ms: u64, reason: WaitReason },
    Done(Response),
    Failed(ArmError),
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Initial,
    Polling { url: String },
    Finished,
}

#[derive(Debug, Clone)]
pub struct Lro {
    policy: Policy,
    initial: Request,
    phase: Phase,
    started_ms: f64,
    polls: u32,
    transient: u32,
    default_wait_ms: u64,
}

impl Lro {
    pub fn start(initial: Request, now_ms: f64, policy: Policy) -> (Lro, Step) {
        let first = policy.first_default_ms;
        let lro = Lro {
            policy,
            initial: initial.clone(),
            phase: Phase::Initial,
            started_ms: now_ms,
            polls: 0,
            transient: 0,
            default_wait_ms: first,
        };
        (lro, Step::Send(initial))
    }

    pub fn polls(&self) -> u32 {
        self.polls
    }

    pub fn elapsed_ms(&self, now_ms: f64) -> u64 {
        (now_ms - self.started_ms).max(0.0) as u64
    }

    /// The request to send after a wait: the same one again, or the next poll.
    pub fn on_wake(&mut self, now_ms: f64) -> Step {
        if self.elapsed_ms(now_ms) > self.policy.deadline_ms {
            return self.fail(ArmError::new(ErrorKind::Timeout, self.timeout_message()));
        }
        match &self.phase {
            Phase::Initial => Step::Send(self.initial.clone()),
            Phase::Polling { url } => Step::Send(Request::get(url.clone())),
            Phase::Finished => Step::Failed(ArmError::new(
                ErrorKind::Cancelled,
                "the operation already ended",
            )),
        }
    }

    pub fn cancel(&mut self) -> Step {
        self.fail(ArmError::new(ErrorKind::Cancelled, "cancelled"))
    }

    pub fn on_answer(&mut self, now_ms: f64, answer: Result<Response, TransportError>) -> Step {
        if self.phase == Phase::Finished {
            return Step::Failed(ArmError::new(
                ErrorKind::Cancelled,
                "the operation already ended",
            ));
        }
        let r = match answer {
            Ok(r) => r,
            // A worker that did not load will not load on a retry a second later; the
            // user's Retry starts a new one.
            Err(e @ (TransportError::Worker(_) | TransportError::Redirected)) => {
                return self.fail(ArmError::from_transport(&e))
            }
            Err(e) => return self.transient(now_ms, ArmError::from_transport(&e), None),
        };
        match r.status {
            200 | 201 | 204 if self.is_polling() || r.status != 201 => {
                self.phase = Phase::Finished;
                Step::Done(r)
            }
            201 | 202 => self.accepted(now_ms, &r),
            429 => {
                let err = ArmError::from_response(&r);
                let wait = self.server_wait(&r).unwrap_or(self.next_default());
                self.wait_or_timeout(now_ms, wait, WaitReason::Throttled, err)
            }
            500..=599 => {
                let wait = self.server_wait(&r);
                self.transient(now_ms, ArmError::from_response(&r), wait)
            }
            _ => self.fail(ArmError::from_response(&r)),
        }
    }

    fn is_polling(&self) -> bool {
        matches!(self.phase, Phase::Polling { .. })
    }

    fn accepted(&mut self, now_ms: f64, r: &Response) -> Step {
        self.transient = 0;
        // A poll's 202 may name a new Location; otherwise keep polling the one we have.
        let next = r
            .header("Location")
            .map(str::to_owned)
            .or_else(|| match &self.phase {
                Phase::Polling { url } => Some(url.clone()),
                _ => None,
            });
        let Some(url) = next else {
            let mut e = ArmError::malformed(r, "");
            e.kind = ErrorKind::LocationMissing;
            e.message = "Azure accepted the request (202) but the Location header of the answer could not be read".into();
            return self.fail(e);
        };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            let mut e = ArmError::malformed(r, "");
            e.kind = ErrorKind::LocationUnusable;
            e.message = format!(
                "the Location header is not an absolute URL: {}",
                truncate(&url, 200)
            );
            return self.fail(e);
        }
        self.phase = Phase::Polling { url };
        self.polls += 1;
        if self.polls > self.policy.max_polls {
            return self.fail(ArmError::new(ErrorKind::Timeout, self.timeout_message()));
        }
        // The first poll goes at once, whatever the 202 of the request says, as the
        // pollers of the Azure SDKs (Python, .NET, JavaScript) do: a short operation then
        // ends without a wait, and a long one costs one more GET, never a later result.
        // From then on a poll's Retry-After wins; without one (or one we cannot read:
        // a date, junk) we back off.
        let wait = if self.polls == 1 {
            0
        } else {
            self.server_wait(r).unwrap_or_else(|| self.next_default())
        };
        let timeout = ArmError::new(ErrorKind::Timeout, self.timeout_message());
        self.wait_or_timeout(now_ms, wait, WaitReason::Pending, timeout)
    }

    fn transient(&mut self, now_ms: f64, err: ArmError, server_wait: Option<u64>) -> Step {
        self.transient += 1;
        if self.transient > self.policy.max_transient_retries {
            return self.fail(err);
        }
        // The first retry goes at once, as the Azure SDKs' retry policy does: a lone 5xx
        // or dropped connection then costs nothing. Later ones back off: 2 s, 4 s, ...
        let backoff = match self.transient {
            1 => 0,
            n => self
                .policy
                .first_default_ms
                .saturating_mul(1 << (n - 2).min(6)),
        };
        let wait = server_wait
            .unwrap_or(backoff)
            .min(self.policy.max_default_ms);
        self.wait_or_timeout(now_ms, wait, WaitReason::Transient, err)
    }

    fn wait_or_timeout(
        &mut self,
        now_ms: f64,
        wait: u64,
        reason: WaitReason,
        err: ArmError,
    ) -> Step {
        if self.elapsed_ms(now_ms) + wait > self.policy.deadline_ms {
            let mut e = err;
            if reason == WaitReason::Pending {
                e = ArmError::new(ErrorKind::Timeout, self.timeout_message());
            }
            return self.fail(e);
        }
        Step::Wait { ms: wait, reason }
    }

    /// Retry-After in whole seconds, clamped; HTTP-dates and junk fall back to our own
    /// backoff rather than failing the operation.
    fn server_wait(&self, r: &Response) -> Option<u64> {
        let secs: i64 = r.header("Retry-After")?.trim().parse().ok()?;
        let ms = (secs.max(0) as u64).saturating_mul(1000);
        Some(ms.clamp(self.policy.min_wait_ms, self.policy.max_wait_ms))
    }

    fn next_default(&mut self) -> u64 {
        let w = self.default_wait_ms;
        self.default_wait_ms = (w * 2).min(self.policy.max_default_ms);
        w
    }

    fn fail(&mut self, e: ArmError) -> Step {
        self.phase = Phase::Finished;
        Step::Failed(e)
    }

    fn timeout_message(&self) -> String {
        format!(
            "Azure had not finished after {} polls and {} s; the operation may still be running",
            self.polls,
            self.policy.deadline_ms / 1000
        )
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOC: &str = "https://management.azure.com/subscriptions/s/providers/Microsoft.Network/locations/eastus/operationResults/1";

    fn post() -> Request {
        Request::post("https://management.azure.com/x/health", None)
    }
    fn accepted(retry: Option<&str>) -> Response {
        let r = Response::new(202, "").with_header("Location", LOC);
        match retry {
            Some(v) => r.with_header("Retry-After", v),
            None => r,
        }
    }

    #[test]
    fn post_then_polls_then_result() {
        let (mut m, s) = Lro::start(post(), 0.0, Policy::default());
        assert_eq!(s, Step::Send(post()));
        assert_eq!(
            m.on_answer(10.0, Ok(accepted(Some("3")))),
            Step::Wait {
                ms: 0,
                reason: WaitReason::Pending
            }
        );
        assert_eq!(m.on_wake(10.0), Step::Send(Request::get(LOC)));
        assert_eq!(
            m.on_answer(20.0, Ok(accepted(Some("3")))),
            Step::Wait {
                ms: 3000,
                reason: WaitReason::Pending
            }
        );
        assert_eq!(m.on_wake(3020.0), Step::Send(Request::get(LOC)));
        let done = m.on_answer(3100.0, Ok(Response::new(200, "{}")));
        assert_eq!(done, Step::Done(Response::new(200, "{}")));
        assert_eq!(m.polls(), 2);
    }

    #[test]
    fn retry_after_is_honoured() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        m.on_answer(0.0, Ok(accepted(Some("17"))));
        assert_eq!(
            m.on_answer(1.0, Ok(accepted(Some("17")))),
            Step::Wait {
                ms: 17_000,
                reason: WaitReason::Pending
            }
        );
    }

    #[test]
    fn default_backoff_doubles_up_to_a_cap() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        let waits: Vec<u64> = (0..6)
            .map(|_| match m.on_answer(0.0, Ok(accepted(None))) {
                Step::Wait { ms, .. } => ms,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(waits, vec![0, 2000, 4000, 8000, 15000, 15000]);
    }

    #[test]
    fn the_first_poll_goes_at_once_whatever_the_202_says() {
        // As the SDKs' pollers: the Retry-After of the request's 202 does not delay the
        // first poll; the polls' own Retry-After does delay the next.
        for first in [None, Some("1"), Some("600"), Some("soon")] {
            let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
            assert_eq!(
                m.on_answer(0.0, Ok(accepted(first))),
                Step::Wait {
                    ms: 0,
                    reason: WaitReason::Pending
                },
                "{first:?}"
            );
            assert_eq!(m.on_wake(1.0), Step::Send(Request::get(LOC)), "{first:?}");
        }
        // The scenario of issue 19: no wait named, then a new Location with Retry-After: 1.
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        m.on_answer(0.0, Ok(accepted(None)));
        assert_eq!(
            m.on_answer(1.0, Ok(accepted(Some("1")))),
            Step::Wait {
                ms: 1000,
                reason: WaitReason::Pending
            }
        );
    }

    #[test]
    fn throttling_without_retry_after_never_resends_at_once() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        assert_eq!(
            m.on_answer(0.0, Ok(Response::new(429, "{}"))),
            Step::Wait {
                ms: 2000,
                reason: WaitReason::Throttled
            }
        );
    }

    #[test]
    fn odd_retry_after_values_are_clamped_or_ignored() {
        for (v, want) in [
            ("0", 1000),
            ("-5", 1000),
            ("999999", 120_000),
            ("soon", 2000),
            ("Wed, 21 Oct 2015 07:28:00 GMT", 2000),
        ] {
            let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
            m.on_answer(0.0, Ok(accepted(Some(v))));
            assert_eq!(
                m.on_answer(1.0, Ok(accepted(Some(v)))),
                Step::Wait {
                    ms: want,
                    reason: WaitReason::Pending
                },
                "{v}"
            );
        }
    }

    #[test]
    fn deadline_ends_a_poll_that_never_finishes() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        let mut now = 0.0;
        loop {
            match m.on_answer(now, Ok(accepted(Some("10")))) {
                Step::Wait { ms, .. } => now += ms as f64,
                Step::Failed(e) => {
                    assert_eq!(e.kind, ErrorKind::Timeout);
                    break;
                }
                other => panic!("{other:?}"),
            }
            assert!(now < 400_000.0, "polling must stop");
        }
        // One poll at once, then one every 10 s until 300 s.
        assert!(m.polls() <= 32, "{}", m.polls());
    }

    #[test]
    fn missing_location_is_an_error_not_success() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        match m.on_answer(
            0.0,
            Ok(Response::new(202, "").with_header("x-ms-request-id", "r1")),
        ) {
            Step::Failed(e) => {
                assert_eq!(e.kind, ErrorKind::LocationMissing);
                assert_eq!(e.request_id.as_deref(), Some("r1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn relative_or_junk_location_is_refused() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        let s = m.on_answer(
            0.0,
            Ok(Response::new(202, "").with_header("Location", "javascript:alert(1)")),
        );
        assert!(matches!(
            s,
            Step::Failed(ArmError {
                kind: ErrorKind::LocationUnusable,
                ..
            })
        ));
    }

    #[test]
    fn throttling_waits_then_resends_the_same_request() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        let s = m.on_answer(
            0.0,
            Ok(Response::new(429, "{}").with_header("Retry-After", "5")),
        );
        assert_eq!(
            s,
            Step::Wait {
                ms: 5000,
                reason: WaitReason::Throttled
            }
        );
        assert_eq!(m.on_wake(5000.0), Step::Send(post()));
    }

    #[test]
    fn server_errors_retry_a_bounded_number_of_times() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        // At once, as the Azure SDKs do, then backing off.
        for want in [0, 2000, 4000] {
            assert_eq!(
                m.on_answer(0.0, Ok(Response::new(503, ""))),
                Step::Wait {
                    ms: want,
                    reason: WaitReason::Transient
                }
            );
        }
        assert!(matches!(
            m.on_answer(0.0, Ok(Response::new(503, ""))),
            Step::Failed(ArmError {
                kind: ErrorKind::Server,
                ..
            })
        ));
    }

    #[test]
    fn network_failure_during_polling_retries_the_poll() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        m.on_answer(0.0, Ok(accepted(Some("1"))));
        assert!(matches!(
            m.on_answer(1.0, Err(TransportError::Network("reset".into()))),
            Step::Wait {
                reason: WaitReason::Transient,
                ..
            }
        ));
        assert_eq!(m.on_wake(5000.0), Step::Send(Request::get(LOC)));
    }

    #[test]
    fn a_worker_that_did_not_answer_fails_at_once() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        let s = m.on_answer(
            0.0,
            Err(TransportError::Worker("demo-worker.js did not load".into())),
        );
        assert!(
            matches!(&s, Step::Failed(ArmError { kind: ErrorKind::Worker, message, .. }) if message.contains("demo-worker.js")),
            "{s:?}"
        );
    }

    #[test]
    fn a_redirect_fails_at_once_and_is_named() {
        // Not retried: a second try would meet the same redirect, and nothing is followed.
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        m.on_answer(0.0, Ok(accepted(Some("1"))));
        let s = m.on_answer(1.0, Err(TransportError::Redirected));
        assert!(
            matches!(
                &s,
                Step::Failed(ArmError {
                    kind: ErrorKind::Redirected,
                    ..
                })
            ),
            "{s:?}"
        );
    }

    #[test]
    fn client_errors_fail_at_once() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        let s = m.on_answer(
            0.0,
            Ok(Response::new(
                403,
                r#"{"error":{"code":"AuthorizationFailed","message":"no"}}"#,
            )),
        );
        assert!(matches!(
            s,
            Step::Failed(ArmError {
                kind: ErrorKind::Forbidden { .. },
                ..
            })
        ));
    }

    #[test]
    fn error_while_polling_fails_the_operation() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        m.on_answer(0.0, Ok(accepted(None)));
        let s = m.on_answer(
            0.0,
            Ok(Response::new(
                400,
                r#"{"error":{"code":"BadRequest","message":"x"}}"#,
            )),
        );
        assert!(matches!(
            s,
            Step::Failed(ArmError {
                kind: ErrorKind::Rejected,
                ..
            })
        ));
    }

    #[test]
    fn cancel_ends_the_machine() {
        let (mut m, _) = Lro::start(post(), 0.0, Policy::default());
        m.on_answer(0.0, Ok(accepted(None)));
        assert!(matches!(
            m.cancel(),
            Step::Failed(ArmError {
                kind: ErrorKind::Cancelled,
                ..
            })
        ));
        assert!(matches!(
            m.on_wake(1.0),
            Step::Failed(ArmError {
                kind: ErrorKind::Cancelled,
                ..
            })
        ));
    }

    #[test]
    fn a_plain_get_ends_on_its_first_200() {
        let (mut m, _) = Lro::start(
            Request::get("https://management.azure.com/subscriptions"),
            0.0,
            Policy::default(),
        );
        assert_eq!(
            m.on_answer(0.0, Ok(Response::new(200, "[]"))),
            Step::Done(Response::new(200, "[]"))
        );
        assert_eq!(m.polls(), 0);
    }
}
