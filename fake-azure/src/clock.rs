//! The fake clock: real time plus however far a test has moved it on, so expiry (tokens,
//! codes, refresh sessions) can be tested without waiting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Default)]
pub(crate) struct Clock {
    advanced_ms: AtomicU64,
}

impl Clock {
    pub(crate) fn advance(&self, d: Duration) {
        self.advanced_ms
            .fetch_add(d.as_millis().min(u64::MAX as u128) as u64, Ordering::SeqCst);
    }

    pub(crate) fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_millis(self.advanced_ms.load(Ordering::SeqCst))
    }

    /// Unix seconds, the unit of JWT `iat`/`nbf`/`exp`.
    pub(crate) fn unix(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// `2024-05-01 13:04:05Z`, the form of Entra's error `timestamp`.
pub(crate) fn entra_timestamp(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}Z")
}

/// `2024-05-01T13:04:05.0000000Z`, the form Entra uses for dates inside messages.
pub(crate) fn iso(unix: u64) -> String {
    let (y, mo, d, h, mi, s) = civil(unix);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.0000000Z")
}

/// UTC calendar fields of a unix time (Howard Hinnant's days-to-civil); a date crate for
/// two format strings in a test server is not worth its weight.
fn civil(unix: u64) -> (i64, u32, u32, u64, u64, u64) {
    let (days, secs) = ((unix / 86_400) as i64, unix % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_dates() {
        assert_eq!(entra_timestamp(0), "1970-01-01 00:00:00Z");
        assert_eq!(entra_timestamp(951_782_400), "2000-02-29 00:00:00Z");
        assert_eq!(iso(1_714_568_645), "2024-05-01T13:04:05.0000000Z");
    }

    #[test]
    fn advancing_moves_now_on() {
        let c = Clock::default();
        let before = c.unix();
        c.advance(Duration::from_secs(3601));
        assert!(c.unix() >= before + 3601);
    }
}
