//! Key names to WebDriver key actions.

use serde_json::{json, Value};

// ------------------------------------------------------------------ keys

fn key_code(name: &str) -> Option<&'static str> {
    Some(match name {
        "Escape" | "Esc" => "\u{E00C}",
        "Tab" => "\u{E004}",
        "Enter" | "Return" => "\u{E007}",
        "Space" => " ",
        "Backspace" => "\u{E003}",
        "Delete" => "\u{E017}",
        "ArrowUp" => "\u{E013}",
        "ArrowDown" => "\u{E015}",
        "ArrowLeft" => "\u{E012}",
        "ArrowRight" => "\u{E014}",
        "Home" => "\u{E011}",
        "End" => "\u{E010}",
        "PageUp" => "\u{E00E}",
        "PageDown" => "\u{E00F}",
        "Shift" => "\u{E008}",
        "Control" | "Ctrl" => "\u{E009}",
        "Alt" => "\u{E00A}",
        "Meta" => "\u{E03D}",
        _ => return None,
    })
}

/// Key actions for "Escape", "Shift+Tab", "Control+a" or plain text.
pub(super) fn key_actions(key: &str) -> Vec<Value> {
    let down = |v: &str| json!({ "type": "keyDown", "value": v });
    let up = |v: &str| json!({ "type": "keyUp", "value": v });
    if let Some(code) = key_code(key) {
        return vec![down(code), up(code)];
    }
    let parts: Vec<&str> = key.split('+').collect();
    if parts.len() > 1 && parts.iter().all(|p| !p.is_empty()) {
        let (last, mods) = parts.split_last().unwrap();
        let mod_codes: Option<Vec<&str>> = mods.iter().map(|m| key_code(m)).collect();
        let last_code = key_code(last).map(str::to_string).or_else(|| {
            let mut cs = last.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Some(c.to_string()),
                _ => None,
            }
        });
        if let (Some(mods), Some(last)) = (mod_codes, last_code) {
            let mut acts: Vec<Value> = mods.iter().map(|m| down(m)).collect();
            acts.push(down(&last));
            acts.push(up(&last));
            acts.extend(mods.iter().rev().map(|m| up(m)));
            return acts;
        }
    }
    key.chars()
        .flat_map(|c| {
            let s = c.to_string();
            [down(&s), up(&s)]
        })
        .collect()
}
