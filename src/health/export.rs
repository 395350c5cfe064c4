//! Hand-off formats for one rule's result: CSV and JSON downloads, and the same check
//! as a PowerShell command and as the two REST calls. Commands carry a placeholder,
//! never the token.

use super::catalog::State;
use super::summary::Row;
use crate::arm::client::NETWORK_API;
use crate::arm::id::RuleId;
use serde::Serialize;

/// The JSON download: `{ruleId, checkedAt, up, down, backends: [...]}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Export<'a> {
    rule_id: String,
    checked_at: &'a str,
    up: usize,
    down: usize,
    backends: Vec<ExportRow<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExportRow<'a> {
    instance: &'a str,
    ip_address: &'a str,
    state: &'a str,
    reason_code: &'a str,
    reason: &'a str,
}

/// `checked_at` is an ISO-8601 time. Rows in the order given (the table's current view).
pub fn to_json(rule: &RuleId, checked_at: &str, rows: &[&Row]) -> String {
    let count = |s: State| rows.iter().filter(|r| r.state == s).count();
    let export = Export {
        rule_id: rule.path(),
        checked_at,
        up: count(State::Up),
        down: count(State::Down),
        backends: rows
            .iter()
            .map(|r| ExportRow {
                instance: &r.instance,
                ip_address: &r.ip,
                state: r.state.label(),
                reason_code: &r.reason.code,
                reason: &r.reason.portal_text,
            })
            .collect(),
    };
    // Cannot fail: plain strings and numbers.
    serde_json::to_string(&export).unwrap_or_default()
}

pub fn to_csv(rule: &RuleId, checked_at: &str, rows: &[&Row]) -> String {
    let mut out =
        String::from("rule_id,checked_at,instance,ip_address,state,reason_code,reason\r\n");
    let rule_id = rule.path();
    for r in rows {
        let cells = [
            rule_id.as_str(),
            checked_at,
            &r.instance,
            &r.ip,
            r.state.label(),
            &r.reason.code,
            &r.reason.portal_text,
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// RFC 4180 quoting, and a leading `'` on cells a spreadsheet would run as a formula
/// (a reason or name starting with `=`, `+`, `-`, `@` comes from Azure, not from us).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn powershell(rule: &RuleId) -> String {
    let lb = &rule.load_balancer;
    format!(
        "Set-AzContext -Subscription {}\nGet-AzLoadBalancerRuleHealth -ResourceGroupName {} -LoadBalancerName {} -Name {}",
        ps_quote(lb.subscription.as_str()),
        ps_quote(&lb.resource_group),
        ps_quote(&lb.name),
        ps_quote(&rule.name)
    )
}

/// The documented two-step REST flow; `arm` is the ARM origin of the session's cloud.
pub fn curl(rule: &RuleId, arm: &str) -> String {
    format!(
        "TOKEN=$(az account get-access-token --resource {resource} --query accessToken -o tsv)\n\
         LOCATION=$(curl -s -D - -o /dev/null -X POST -H \"Authorization: Bearer $TOKEN\" -H \"Content-Length: 0\" \\\n  {url} | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')\n\
         # Repeat until it answers 200 (202 means still running; wait Retry-After seconds):\n\
         curl -s -H \"Authorization: Bearer $TOKEN\" \"$LOCATION\"",
        resource = sh_quote(&format!("{arm}/")),
        url = sh_quote(&format!("{arm}{}/health?api-version={NETWORK_API}", rule.path())),
    )
}

/// A PowerShell single-quoted string: nothing inside is evaluated (a resource group may
/// be named `rg(calc)`, which bare would run `calc` as a sub-expression). PowerShell also
/// ends a single-quoted string at the typographic quotes, so each of those is doubled too.
pub fn ps_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A POSIX shell single-quoted string: a `'` inside ends it, is escaped, and reopens it.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::id::LoadBalancerId;
    use crate::arm::model::HealthResult;
    use crate::health::summary::summarise;

    fn rule() -> RuleId {
        LoadBalancerId::parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web")
            .unwrap()
            .rule("rule-http")
            .unwrap()
    }

    fn rows() -> Vec<Row> {
        let r: HealthResult = crate::arm::model::parse(include_str!(
            "../../tests/fixtures/health-result-mixed.json"
        ))
        .unwrap();
        summarise(&r, None).rows
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row_and_quotes() {
        let rows = rows();
        let refs: Vec<&Row> = rows.iter().collect();
        let csv = to_csv(&rule(), "2026-11-25T12:00:00Z", &refs);
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 7);
        assert!(lines[2].contains("\"A non-200 HTTP status code received; meaning there's an issue with the application listening on the port.\"") || lines[2].contains("non-200"));
        assert!(lines[1].starts_with(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/"
        ));
    }

    #[test]
    fn csv_neutralises_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }

    #[test]
    fn json_round_trips_and_counts() {
        let rows = rows();
        let refs: Vec<&Row> = rows.iter().collect();
        let v: serde_json::Value = serde_json::from_str(&to_json(&rule(), "t", &refs)).unwrap();
        assert_eq!(v["backends"].as_array().unwrap().len(), 6);
        assert_eq!(v["up"], 2);
        assert_eq!(v["down"], 3);
        assert_eq!(v["backends"][5]["reasonCode"], "Up_Probe_SomeFutureCode");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 5);
        assert!(to_json(&rule(), "t", &refs).starts_with(r#"{"ruleId":"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-web/providers/Microsoft.Network/loadBalancers/lb-web/loadBalancingRules/rule-http","checkedAt":"t","up":2,"down":3,"backends":[{"instance":"#));
    }

    #[test]
    fn commands_name_the_rule_and_never_a_token() {
        let ps = powershell(&rule());
        assert!(
            ps.contains("-ResourceGroupName 'rg-web' -LoadBalancerName 'lb-web' -Name 'rule-http'"),
            "{ps}"
        );
        let c = curl(&rule(), "https://management.azure.com");
        assert!(c.contains("/loadBalancingRules/rule-http/health?api-version="));
        assert!(
            c.contains("--resource 'https://management.azure.com/'"),
            "{c}"
        );
        assert!(c.contains("Bearer $TOKEN"));
    }

    /// The names a hostile or merely unusual resource group may carry (Azure allows
    /// parentheses and Unicode letters in resource group names).
    const HOSTILE: [&str; 9] = [
        "rg(calc)",
        "a'b",
        "$(x)",
        "two words",
        "Ünïcødé-rg",
        "’; calc; ‘",
        "`$x`",
        "a''b",
        "",
    ];

    /// How PowerShell reads a single-quoted string: any of the five single quotes
    /// opens and closes it, and two in a row stand for one. Returns the value and
    /// whatever followed the closing quote.
    fn ps_read(token: &str) -> Option<(String, &str)> {
        let is_quote =
            |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}');
        let mut chars = token.char_indices().peekable();
        if !chars.next().is_some_and(|(_, c)| is_quote(c)) {
            return None;
        }
        let mut value = String::new();
        while let Some((i, c)) = chars.next() {
            if is_quote(c) {
                match chars.peek() {
                    Some(&(_, n)) if is_quote(n) => {
                        value.push(n);
                        chars.next();
                    }
                    _ => return Some((value, &token[i + c.len_utf8()..])),
                }
            } else {
                value.push(c);
            }
        }
        None
    }

    #[test]
    fn powershell_reads_every_hostile_name_back_as_one_literal() {
        for name in HOSTILE {
            let quoted = ps_quote(name);
            assert_eq!(
                ps_read(&quoted),
                Some((name.to_owned(), "")),
                "{name:?} quoted as {quoted}"
            );
        }
        // The command as a whole: the resource group is one literal argument.
        let rg = LoadBalancerId::parse("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg(calc)/providers/Microsoft.Network/loadBalancers/lb-web").unwrap();
        let ps = powershell(&rg.rule("rule-http").unwrap());
        assert!(
            ps.contains("-ResourceGroupName 'rg(calc)' -LoadBalancerName"),
            "{ps}"
        );
    }

    #[test]
    fn bash_reads_every_hostile_name_back_as_one_literal() {
        for name in HOSTILE {
            let quoted = sh_quote(name);
            // A real shell is the oracle: printf gets exactly one argument, unchanged.
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s|' {quoted}"))
                .output()
                .expect("sh runs");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("{name}|"),
                "{name:?} quoted as {quoted}"
            );
        }
    }
}
