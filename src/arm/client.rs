//! The ARM client: the one place a request gets the token, after the host guard.
//! Every call, a plain GET or the health operation, runs through the `lro` machine,
//! so throttling, transient failures, deadlines and cancellation behave the same way.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{ArmError, ErrorKind};
use super::id::{LoadBalancerId, RuleId, SubscriptionId};
use super::lro::{Lro, Policy, Step, WaitReason};
use super::model::{
    parse, GraphAnswer, GraphLoadBalancer, HealthResult, JsonError, LoadBalancer, Page,
    Subscription, Tenant,
};
use crate::http::cloud::{ArmBase, Cloud};
use crate::http::{Clock, LocalBoxFuture, Request, Response, Transport, TransportError};

/// The api-version of Microsoft.Network calls; the health operation exists from 2024-05-01.
pub const NETWORK_API: &str = "2024-05-01";
pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
pub const TENANTS_API: &str = "2022-12-01";
pub const GRAPH_API: &str = "2022-10-01";
/// Resource Graph answers at most this many rows per search; the UI says when it is cut.
pub const GRAPH_TOP: u64 = 50;

/// The Resource Graph query for load balancers whose name contains `text`, or `None`
/// when `text` is not part of a possible name (letters, digits, `.`, `_`, `-`): the text
/// goes into a KQL string, so nothing that could end it is let through.
pub fn graph_query(text: &str) -> Option<String> {
    let text = text.trim();
    let ok = (1..=80).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    ok.then(|| {
        format!(
            "Resources | where type =~ 'microsoft.network/loadbalancers' | where name contains '{text}' | project id, name, resourceGroup, subscriptionId, location | order by name asc | limit {GRAPH_TOP}"
        )
    })
}
/// Resource Graph's request body: the query and the page size.
#[derive(Serialize)]
struct GraphRequest<'a> {
    query: &'a str,
    options: GraphOptions,
}

#[derive(Serialize)]
struct GraphOptions {
    #[serde(rename = "$top")]
    top: u64,
}

/// A listing that pages forever is a bug on the other side; stop there.
const MAX_PAGES: usize = 200;

use crate::http::Token;

/// Shared between the UI and a running operation: set it and the operation stops
/// before its next request.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Rc<Cell<bool>>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.set(true);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.get()
    }
}

/// What a running call is doing, for the progress line and the throttling countdown.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Sending {
        poll: u32,
    },
    Waiting {
        ms: u64,
        reason: WaitReason,
        poll: u32,
    },
}

/// Gets a fresh token when ARM answers 401, given the token that was refused; `None`
/// when it cannot (no refresh token, or Entra refused). Set by `auth` after sign-in.
pub type Renewer = Rc<dyn Fn(Option<Token>) -> LocalBoxFuture<'static, Option<Token>>>;

pub struct ArmClient {
    transport: Rc<dyn Transport>,
    clock: Rc<dyn Clock>,
    base: ArmBase,
    cloud: Cloud,
    token: RefCell<Option<Token>>,
    renewer: RefCell<Option<Renewer>>,
    policy: Policy,
    sent: Cell<u64>,
}

impl ArmClient {
    pub fn new(
        transport: Rc<dyn Transport>,
        clock: Rc<dyn Clock>,
        base: ArmBase,
        cloud: Cloud,
    ) -> Self {
        ArmClient {
            transport,
            clock,
            base,
            cloud,
            token: RefCell::new(None),
            renewer: RefCell::new(None),
            policy: Policy::default(),
            sent: Cell::new(0),
        }
    }

    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    pub fn set_token(&self, token: Option<Token>) {
        *self.token.borrow_mut() = token;
    }

    pub fn token(&self) -> Option<Token> {
        self.token.borrow().clone()
    }

    pub fn set_renewer(&self, renewer: Option<Renewer>) {
        *self.renewer.borrow_mut() = renewer;
    }

    /// Asks the renewer for a token to replace the refused one; true when there is one.
    async fn renew(&self) -> bool {
        let Some(renewer) = self.renewer.borrow().clone() else {
            return false;
        };
        let refused = self.token.borrow().clone();
        match renewer(refused).await {
            Some(t) => {
                self.set_token(Some(t));
                true
            }
            None => false,
        }
    }

    pub fn base(&self) -> &ArmBase {
        &self.base
    }

    pub fn now_ms(&self) -> f64 {
        self.clock.now_ms()
    }

    pub fn clock(&self) -> Rc<dyn Clock> {
        self.clock.clone()
    }

    /// `progress` hears of waits (throttling, retries), as for a health check, so a
    /// list screen can say why it is still loading.
    pub async fn subscriptions(
        &self,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<Vec<Subscription>, ArmError> {
        let mut subs: Vec<Subscription> = self
            .get_all(
                &format!("/subscriptions?api-version={SUBSCRIPTIONS_API}"),
                cancel,
                progress,
            )
            .await?;
        subs.sort_by_cached_key(|s| s.display_name.to_ascii_lowercase());
        Ok(subs)
    }

    /// The directories the signed-in user belongs to, for switching tenant. An id that is
    /// no GUID or domain name is left out: it would go into the login URL's path.
    pub async fn tenants(&self, cancel: &Cancel) -> Result<Vec<Tenant>, ArmError> {
        let mut tenants: Vec<Tenant> = self
            .get_all(
                &format!("/tenants?api-version={TENANTS_API}"),
                cancel,
                &|_| {},
            )
            .await?;
        tenants.retain(|t| crate::config::is_directory(&t.tenant_id));
        tenants.sort_by_cached_key(|t| t.display_name.to_ascii_lowercase());
        Ok(tenants)
    }

    /// Load balancers whose name contains `text`, across every subscription the user can
    /// read, in one Azure Resource Graph query. `None`: `text` cannot be part of a name.
    pub async fn find_load_balancers(
        &self,
        text: &str,
        cancel: &Cancel,
    ) -> Option<Result<GraphAnswer, ArmError>> {
        let query = graph_query(text)?;
        let body = serde_json::to_string(&GraphRequest {
            query: &query,
            options: GraphOptions { top: GRAPH_TOP },
        })
        .ok();
        let url = self.base.url(&format!(
            "/providers/Microsoft.ResourceGraph/resources?api-version={GRAPH_API}"
        ));
        Some(
            async {
                let resp = self
                    .drive(Request::post(url, body), cancel, &|_| {})
                    .await?;
                parse(&resp.body).map_err(|e| {
                    ArmError::malformed(
                        &resp,
                        &format!("Resource Graph's answer is not of the expected shape ({e})"),
                    )
                })
            }
            .await,
        )
    }

    /// What search falls back to when Resource Graph answers with an error (not
    /// registered, not allowed, or a proxy that does not pass it): every subscription's
    /// list, filtered here. One call per subscription, with only the permissions the rest
    /// of the app needs. Subscriptions that cannot be listed are skipped.
    pub async fn find_by_listing(
        &self,
        text: &str,
        cancel: &Cancel,
    ) -> Result<GraphAnswer, ArmError> {
        let needle = text.trim().to_ascii_lowercase();
        let mut data = Vec::new();
        for sub in self.subscriptions(cancel, &|_| {}).await? {
            let Ok(id) = SubscriptionId::parse(&sub.subscription_id) else {
                continue;
            };
            let Ok(lbs) = self.load_balancers(&id, cancel, &|_| {}).await else {
                continue;
            };
            for lb in lbs
                .into_iter()
                .filter(|lb| lb.name.to_ascii_lowercase().contains(&needle))
            {
                let resource_group = LoadBalancerId::parse(&lb.id)
                    .map(|i| i.resource_group)
                    .unwrap_or_default();
                data.push(GraphLoadBalancer {
                    id: lb.id,
                    name: lb.name,
                    resource_group,
                    subscription_id: sub.subscription_id.clone(),
                    location: lb.location,
                });
            }
        }
        data.sort_by_cached_key(|lb: &GraphLoadBalancer| lb.name.to_ascii_lowercase());
        Ok(GraphAnswer {
            total_records: data.len() as u64,
            data,
        })
    }

    pub async fn load_balancers(
        &self,
        sub: &SubscriptionId,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<Vec<LoadBalancer>, ArmError> {
        let path = format!(
            "{}/providers/Microsoft.Network/loadBalancers?api-version={NETWORK_API}",
            sub.path()
        );
        let mut lbs: Vec<LoadBalancer> = self.get_all(&path, cancel, progress).await?;
        lbs.sort_by_cached_key(|lb| lb.name.to_ascii_lowercase());
        Ok(lbs)
    }

    pub async fn load_balancer(
        &self,
        id: &LoadBalancerId,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<LoadBalancer, ArmError> {
        let url = self
            .base
            .url(&format!("{}?api-version={NETWORK_API}", id.path()));
        self.get_json(&url, cancel, progress).await
    }

    /// POST `.../health`, then follow Location until the result is ready.
    pub async fn rule_health(
        &self,
        rule: &RuleId,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<HealthResult, ArmError> {
        let url = self
            .base
            .url(&format!("{}/health?api-version={NETWORK_API}", rule.path()));
        let resp = self
            .drive(Request::post(url, None), cancel, progress)
            .await?;
        if resp.body.trim().is_empty() {
            return Err(ArmError::malformed(
                &resp,
                "Azure finished the health operation but sent an empty result",
            ));
        }
        parse(&resp.body).map_err(|e| {
            ArmError::malformed(
                &resp,
                &format!("the health result is not valid JSON of the expected shape ({e})"),
            )
        })
    }

    /// Every page's items, following `nextLink` from page to page. A `nextLink` is made
    /// absolute on the ARM base, and `send` refuses one on another host (the token guard).
    async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<Vec<T>, ArmError> {
        let mut out = Vec::new();
        let mut next = Some(self.base.url(path));
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(ArmError::new(
                    ErrorKind::Malformed,
                    format!("the listing did not end after {MAX_PAGES} pages"),
                ));
            }
            let resp = self.drive(Request::get(&url), cancel, progress).await?;
            let page: Page<T> = parse(&resp.body).map_err(|e| unexpected_answer(&resp, e))?;
            out.extend(page.value);
            next = page
                .next_link
                .filter(|l| !l.is_empty())
                .map(|l| self.base.adopt(&l, self.cloud));
        }
        Ok(out)
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<T, ArmError> {
        let resp = self.drive(Request::get(url), cancel, progress).await?;
        parse(&resp.body).map_err(|e| unexpected_answer(&resp, e))
    }

    /// Runs one call to its end through the `lro` machine.
    pub async fn drive(
        &self,
        initial: Request,
        cancel: &Cancel,
        progress: &dyn Fn(Progress),
    ) -> Result<Response, ArmError> {
        let (mut lro, mut step) = Lro::start(initial, self.clock.now_ms(), self.policy.clone());
        // An expired token gets one renewal and one retry per call; a second 401 is real.
        let mut renewed = false;
        loop {
            if cancel.is_cancelled() {
                step = lro.cancel();
            }
            step = match step {
                Step::Send(req) => {
                    progress(Progress::Sending { poll: lro.polls() });
                    let mut answer = self.send(req.clone()).await?;
                    if !renewed && matches!(&answer, Ok(r) if r.status == 401) {
                        renewed = true;
                        if self.renew().await {
                            answer = self.send(req).await?;
                        }
                    }
                    if cancel.is_cancelled() {
                        lro.cancel()
                    } else {
                        lro.on_answer(self.clock.now_ms(), answer)
                    }
                }
                Step::Wait { ms, reason } => {
                    progress(Progress::Waiting {
                        ms,
                        reason,
                        poll: lro.polls(),
                    });
                    self.clock.sleep(ms).await;
                    lro.on_wake(self.clock.now_ms())
                }
                Step::Done(resp) => return Ok(resp),
                Step::Failed(e) => return Err(e),
            };
        }
    }

    /// The only place the token is attached, and only for URLs under the ARM base.
    async fn send(&self, mut req: Request) -> Result<Result<Response, TransportError>, ArmError> {
        req.url = self.base.adopt(&req.url, self.cloud);
        if !self.base.owns(&req.url) {
            return Err(ArmError::new(
                ErrorKind::ForeignHost { url: req.url.chars().take(200).collect() },
                format!("Azure pointed to {}, which is not the configured ARM endpoint {}; the request was not sent", origin_of(&req.url), self.base.as_str()),
            ));
        }
        let token = self.token.borrow().clone();
        if let Some(t) = token {
            req.headers.push(("Authorization".into(), t.bearer()));
        }
        req.headers
            .push(("x-ms-client-request-id".into(), self.request_id()));
        if req.body.is_some() {
            req.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        Ok(self.transport.send(req).await)
    }

    /// A GUID-shaped id per request so a user can quote it to support; not a secret,
    /// so time plus a counter is enough.
    fn request_id(&self) -> String {
        let n = self.sent.get() + 1;
        self.sent.set(n);
        let t = self.clock.now_ms() as u64;
        let a = splitmix(t ^ n.rotate_left(32));
        let b = splitmix(a ^ n);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            (a as u16) & 0x0fff,
            ((b >> 48) as u16 & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

fn unexpected_answer(resp: &Response, e: JsonError) -> ArmError {
    ArmError::malformed(
        resp,
        &format!("the answer is not valid JSON of the expected shape ({e})"),
    )
}

fn origin_of(url: &str) -> &str {
    let after = url.find("://").map(|i| i + 3).unwrap_or(0);
    let end = url[after..]
        .find(['/', '?', '#'])
        .map(|i| i + after)
        .unwrap_or(url.len());
    &url[..end]
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests;
