//! The estate overview's pace: at most [`MAX_IN_FLIGHT`] metrics requests at once, fewer
//! as ARM's read budget (`x-ms-ratelimit-remaining-subscription-reads`) runs low, and
//! none while a 429's Retry-After runs, for every worker, not only the one that heard
//! it. ARM's reads are a token bucket per principal shared with the user's other tools.
//! Pure: the overview asks it what to do, with the time.

pub const MAX_IN_FLIGHT: usize = 8;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pacer {
    in_flight: usize,
    paused_until_ms: f64,
    remaining: Option<u32>,
    /// The most requests that were ever in flight at once (for the benchmark).
    pub peak: usize,
    pub started: usize,
}

/// What a worker does next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Go {
    /// Send now (the pacer has counted it).
    Now,
    /// Sleep this long, then ask again.
    Wait { ms: u64 },
}

impl Pacer {
    /// Requests allowed in flight with the budget ARM last reported.
    pub fn limit(&self) -> usize {
        match self.remaining {
            Some(0..=9) => 1,
            Some(10..=49) => 2,
            Some(50..=149) => 4,
            _ => MAX_IN_FLIGHT,
        }
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Whether a worker may send now; if so, it is counted as in flight.
    pub fn try_start(&mut self, now_ms: f64) -> Go {
        if now_ms < self.paused_until_ms {
            return Go::Wait {
                ms: (self.paused_until_ms - now_ms).ceil() as u64,
            };
        }
        if self.in_flight >= self.limit() {
            // A finished request frees a slot; look again shortly.
            return Go::Wait { ms: 50 };
        }
        self.in_flight += 1;
        self.started += 1;
        self.peak = self.peak.max(self.in_flight);
        Go::Now
    }

    /// A request ended; `remaining` is ARM's header from its answer, when readable.
    pub fn finish(&mut self, remaining: Option<u32>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if remaining.is_some() {
            self.remaining = remaining;
        }
    }

    /// ARM said 429 with this wait: nobody starts until it has passed.
    pub fn throttled(&mut self, now_ms: f64, wait_ms: u64) {
        self.paused_until_ms = self.paused_until_ms.max(now_ms + wait_ms as f64);
        self.remaining = Some(0);
    }

    /// Milliseconds left of a 429's pause, for the "waiting N s" line.
    pub fn paused_for(&self, now_ms: f64) -> u64 {
        (self.paused_until_ms - now_ms).max(0.0).ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_eight_in_flight() {
        let mut p = Pacer::default();
        for _ in 0..MAX_IN_FLIGHT {
            assert_eq!(p.try_start(0.0), Go::Now);
        }
        assert!(matches!(p.try_start(0.0), Go::Wait { .. }));
        assert_eq!(p.in_flight(), MAX_IN_FLIGHT);
        p.finish(None);
        assert_eq!(p.try_start(0.0), Go::Now);
        assert_eq!((p.peak, p.started), (MAX_IN_FLIGHT, MAX_IN_FLIGHT + 1));
    }

    #[test]
    fn a_429_pauses_everyone_for_its_retry_after() {
        let mut p = Pacer::default();
        assert_eq!(p.try_start(0.0), Go::Now);
        p.throttled(1_000.0, 17_000);
        assert_eq!(p.try_start(1_000.0), Go::Wait { ms: 17_000 });
        assert_eq!(p.try_start(10_000.0), Go::Wait { ms: 8_000 });
        assert_eq!(p.paused_for(10_000.0), 8_000);
        // A shorter wait heard later does not shorten the pause.
        p.throttled(10_000.0, 1_000);
        assert_eq!(p.paused_for(10_000.0), 8_000);
        p.finish(None);
        assert_eq!(p.try_start(18_000.0), Go::Now);
        assert_eq!(
            p.limit(),
            1,
            "after a 429, one at a time until ARM reports its budget again"
        );
        p.finish(Some(5_000));
        assert_eq!(p.limit(), MAX_IN_FLIGHT);
    }

    #[test]
    fn a_low_read_budget_slows_down() {
        let mut p = Pacer::default();
        assert_eq!(p.try_start(0.0), Go::Now);
        p.finish(Some(30));
        assert_eq!(p.limit(), 2);
        assert_eq!(p.try_start(0.0), Go::Now);
        assert_eq!(p.try_start(0.0), Go::Now);
        assert!(matches!(p.try_start(0.0), Go::Wait { .. }));
        p.finish(None);
        assert_eq!(
            p.limit(),
            2,
            "an answer without the header keeps the last budget"
        );
    }
}
