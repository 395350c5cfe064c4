//! The built-in demo: a simulated ARM that answers the same requests, with the same
//! payload shapes and the same 202-then-poll sequence, as Azure. The app runs its
//! real client against it, so the demo exercises the production code paths. In the
//! browser the simulated ARM (`DemoArm`) runs in a worker of its own (`Settings` is what
//! the page tells it first); the page's wasm does not carry it.

pub mod estate;
pub mod graph;
pub mod metrics;
pub mod transport;

pub use transport::{DemoArm, DemoTransport, LATENCY_MS};

/// What the page tells the demo worker before its first request: which estate to serve
/// and how fast (from config.json's `demo`, for benchmarks and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// No latency, and polls that may follow at once.
    pub instant: bool,
    /// An extra load balancer whose one rule has this many backends.
    pub large_rule: Option<usize>,
    /// This many more load balancers in 50 more subscriptions (`demo.largeEstate`).
    pub large_estate: Option<usize>,
}

impl Settings {
    const PREFIX: &'static str = "demo-settings ";

    /// The prefix, then the settings as JSON: a request's text starts with its method.
    pub fn to_wire(&self) -> String {
        // Cannot fail: a bool and a number.
        format!(
            "{}{}",
            Self::PREFIX,
            serde_json::to_string(self).unwrap_or_default()
        )
    }

    /// `None`: not settings (a request, which starts with its method).
    pub fn from_wire(text: &str) -> Option<Settings> {
        crate::http::json::parse(text.strip_prefix(Self::PREFIX)?).ok()
    }

    /// The page waits this long before each request goes to the worker.
    pub fn latency_ms(&self) -> u64 {
        if self.instant {
            0
        } else {
            LATENCY_MS
        }
    }

    /// The simulated ARM these settings describe.
    pub fn arm(&self) -> DemoArm {
        let mut estate = estate::estate();
        if let Some(n) = self.large_rule {
            estate = estate.with_large_rule(n);
        }
        if let Some(n) = self.large_estate {
            estate = estate.with_large_estate(n);
        }
        let arm = DemoArm::new(estate);
        if self.instant {
            arm.instant()
        } else {
            arm
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Request;

    #[test]
    fn settings_cross_to_the_worker() {
        for s in [
            Settings::default(),
            Settings {
                instant: true,
                large_rule: Some(5000),
                large_estate: None,
            },
            Settings {
                instant: false,
                large_rule: Some(0),
                large_estate: Some(5000),
            },
        ] {
            assert_eq!(Settings::from_wire(&s.to_wire()), Some(s));
        }
        let get = Request::get("https://management.azure.com/subscriptions?api-version=2022-12-01");
        assert_eq!(Settings::from_wire(&get.to_wire()), None);
        assert_eq!(Request::from_wire(&Settings::default().to_wire()), None);
    }

    #[test]
    fn settings_pick_the_estate_and_its_pace() {
        let big = Settings {
            instant: true,
            large_rule: Some(7),
            large_estate: None,
        };
        assert_eq!(big.latency_ms(), 0);
        // The default pace is the one the demo's transport really waits, per request.
        let clock = std::rc::Rc::new(crate::http::testing::FakeClock::default());
        let arm = DemoTransport::new(clock.clone());
        let mut send = crate::http::Transport::send(
            &arm,
            Request::get("https://management.azure.com/subscriptions?api-version=2022-12-01"),
        );
        // The fake clock's sleep is ready at once, so one poll finishes the request.
        let answer = send
            .as_mut()
            .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
        assert!(
            matches!(answer, std::task::Poll::Ready(Ok(ref r)) if r.status == 200),
            "{answer:?}"
        );
        assert_eq!(*clock.slept.borrow(), [Settings::default().latency_ms()]);
        assert!(
            Settings::default().latency_ms() >= 50,
            "slow enough that the loading states show"
        );
        let lbs = big.arm().answer(&Request::get(format!("https://management.azure.com/subscriptions/{}/resourceGroups/rg-scale/providers/Microsoft.Network/loadBalancers/lb-scale?api-version=2024-05-01", estate::PROD)));
        assert_eq!(lbs.status, 200, "{}", lbs.body);
        let none = Settings::default().arm().answer(&Request::get(format!("https://management.azure.com/subscriptions/{}/resourceGroups/rg-scale/providers/Microsoft.Network/loadBalancers/lb-scale?api-version=2024-05-01", estate::PROD)));
        assert_eq!(none.status, 404);
    }
}
