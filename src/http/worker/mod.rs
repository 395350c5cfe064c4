//! The page's dedicated workers and what crosses `postMessage` to and from them.
//!
//! Two parts of LB Health run in a web worker of their own, each a wasm that Trunk builds
//! from `src/bin/`: sign-in (`signin-worker`, which owns `oauth2`: `auth::worker`) and
//! the demo estate (`demo-worker`, which owns the simulated ARM: `demo`). The page's wasm
//! then carries neither, and a session loads a worker only when it first needs it.
//!
//! Every message is a string. The worker sends [`READY`] once it listens (messages that
//! arrive before its handler is installed are lost, so the page holds them until then);
//! after that, messages both ways are `<id> <text>` ([`wrap`], [`unwrap`]). The page numbers
//! its questions from 1 and the worker answers each id once, under the same id; id 0 is
//! a message that wants no answer (a worker's settings). The text is each worker's own.
//! The page's side and the worker's side are `browser` (they run in the browser only).

/// What a worker says once its handler listens.
pub const READY: &str = "ready";

/// The id of a message that wants no answer.
pub const TELL: u32 = 0;

pub fn wrap(id: u32, text: &str) -> String {
    let id = id.to_string();
    let mut out = String::with_capacity(id.len() + 1 + text.len());
    out.push_str(&id);
    out.push(' ');
    out.push_str(text);
    out
}

/// `None`: not a message of this protocol, such as one from an older deployment's worker.
pub fn unwrap(message: &str) -> Option<(u32, &str)> {
    let (id, text) = message.split_once(' ')?;
    // `parse` alone would take "+1".
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((id.parse().ok()?, text))
}

mod browser;
pub use browser::{serve, Worker};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_their_id_and_text() {
        for (id, text) in [
            (1, "{\"a\":1}"),
            (TELL, ""),
            (u32::MAX, "GET https://x/\n\nbody with spaces\nand lines"),
            (7, " leading space"),
        ] {
            let m = wrap(id, text);
            assert_eq!(unwrap(&m), Some((id, text)), "{m:?}");
        }
    }

    #[test]
    fn anything_else_is_not_a_message() {
        for m in [
            READY,
            "",
            " x",
            "+1 x",
            "-1 x",
            "1x y",
            "4294967296 x",
            "{\"ready\":true}",
            "{\"id\":1,\"answer\":{}}",
        ] {
            assert_eq!(unwrap(m), None, "{m:?}");
        }
    }
}
