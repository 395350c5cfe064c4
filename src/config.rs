//! Deployment configuration from a same-origin `config.json`. Endpoints and client ids
//! come only from here, never from URL parameters, so a crafted link cannot send the
//! token elsewhere.

use serde::Deserialize;

use crate::http::cloud::{ArmBase, BaseError, Cloud};
use crate::http::json::{parse, JsonError};

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub cloud: Cloud,
    pub arm: ArmBase,
    pub client_id: Option<String>,
    pub tenant: String,
    /// Where Entra ID lives: the cloud's login host, or `loginEndpoint` (a test server).
    pub login: String,
    /// Where Entra sends the user back; `None`: the app's own address (its base URL).
    pub redirect_uri: Option<String>,
    /// The file names a cloud, an ARM endpoint or a client id: a real deployment,
    /// which opens on sign-in. An empty `{}` keeps the demo as the landing page.
    pub names_azure: bool,
    pub demo: DemoOptions,
}

/// Knobs for the demo estate, for benchmarks and for showing a big estate. They change
/// only the simulation, never where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoOptions {
    /// No simulated latency and no waits between polls.
    pub instant: bool,
    /// Adds `lb-scale` with one rule of this many backends (capped at 50,000).
    pub large_rule: Option<usize>,
    /// The demo's clock runs this many times faster (2 to 600): watch mode's intervals
    /// pass in seconds, for tests and for showing the feature.
    pub clock_rate: Option<u32>,
    /// This many more load balancers in 50 more subscriptions (capped at 5,000), for the
    /// estate overview at scale.
    pub large_estate: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    NotJson(JsonError),
    UnknownCloud(String),
    BadArmEndpoint(BaseError),
    BadClientId(String),
    BadTenant(String),
    BadLoginEndpoint(BaseError),
    /// Not an absolute URL on the page's own origin: the answer must come back to this app.
    BadRedirectUri(String),
    /// A field has the wrong JSON type (a number where a string belongs...).
    WrongType(String),
    /// The file is JSON but not an object.
    NotAnObject,
    /// A field given twice (`demo.instant` inside `demo`): which one wins is not ours to guess.
    Repeated(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::NotJson(e) => write!(f, "config.json is not valid JSON: {e}"),
            ConfigError::UnknownCloud(c) => write!(f, "config.json field \"cloud\": '{c}' is not one of public, china, usgov"),
            ConfigError::BadArmEndpoint(e) => write!(f, "config.json field \"armEndpoint\": {e}"),
            ConfigError::BadClientId(c) => write!(f, "config.json field \"clientId\": '{c}' is not an application (client) id GUID"),
            ConfigError::WrongType(field) => write!(f, "config.json field \"{field}\" has the wrong type (see the README for each field's form)"),
            ConfigError::Repeated(field) => write!(f, "config.json field \"{field}\" is given twice"),
            ConfigError::NotAnObject => write!(f, "config.json must be a JSON object, like {{ \"cloud\": \"public\" }}"),
            ConfigError::BadLoginEndpoint(e) => write!(f, "config.json field \"loginEndpoint\": {e}"),
            ConfigError::BadRedirectUri(u) => write!(f, "config.json field \"redirectUri\": '{u}' is not an absolute URL on this page's own origin"),
            ConfigError::BadTenant(t) => write!(f, "config.json field \"tenant\": '{t}' is not a tenant id, domain, 'organizations' or 'common'"),
        }
    }
}

/// config.json as written; `Config::parse` checks each field and fills in the rest.
/// Unknown fields are ignored, and null is the same as absent.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Raw {
    cloud: Option<String>,
    arm_endpoint: Option<String>,
    client_id: Option<String>,
    tenant: Option<String>,
    login_endpoint: Option<String>,
    redirect_uri: Option<String>,
    demo: Option<RawDemo>,
}

// `largeRule` reads as a u64 on every target (a usize would refuse more than u32::MAX
// only in the browser); it is capped at 50,000 anyway.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct RawDemo {
    instant: bool,
    large_rule: Option<u64>,
    clock_rate: Option<u32>,
    large_estate: Option<u64>,
}

/// A reader's error in config.json's words: a type error names the top-level field it
/// is in, which is what the README documents.
fn config_error(e: JsonError) -> ConfigError {
    if let Some(name) = e.duplicate() {
        let mut full = e.path.clone();
        full.push(name.to_owned());
        return ConfigError::Repeated(full.join("."));
    }
    match e.path.first() {
        Some(field) if e.is_type => ConfigError::WrongType(field.clone()),
        None if e.is_type => ConfigError::NotAnObject,
        _ => ConfigError::NotJson(e),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cloud: Cloud::Public,
            arm: Cloud::Public.arm_base(),
            client_id: None,
            tenant: "organizations".into(),
            login: Cloud::Public.login_origin().into(),
            redirect_uri: None,
            names_azure: false,
            demo: DemoOptions::default(),
        }
    }
}

impl Config {
    /// `page_origin` resolves a relative `armEndpoint` such as `/arm` (a same-origin proxy).
    pub fn parse(json: &str, page_origin: &str) -> Result<Config, ConfigError> {
        // serde also reads a struct from an array of its fields in order; config.json is an object.
        if json.trim_start().starts_with('[') {
            return Err(ConfigError::NotAnObject);
        }
        let Raw {
            cloud,
            arm_endpoint,
            client_id,
            tenant,
            login_endpoint,
            redirect_uri,
            demo,
        } = parse(json).map_err(config_error)?;
        let demo = demo.unwrap_or_default();
        let demo = DemoOptions {
            instant: demo.instant,
            large_rule: demo.large_rule.map(|n| n.min(50_000) as usize),
            clock_rate: demo.clock_rate.filter(|r| *r > 1).map(|r| r.min(600)),
            large_estate: demo.large_estate.map(|n| n.min(5_000) as usize),
        };
        let names_azure = cloud.is_some() || arm_endpoint.is_some() || client_id.is_some();
        let cloud_name = cloud.unwrap_or_default();
        let cloud = Cloud::parse(&cloud_name).ok_or(ConfigError::UnknownCloud(
            cloud_name.chars().take(40).collect(),
        ))?;
        let arm = match arm_endpoint
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(p) if p.starts_with('/') => {
                ArmBase::parse(&format!("{}{}", page_origin.trim_end_matches('/'), p))
            }
            Some(abs) => ArmBase::parse(abs),
            None => Ok(cloud.arm_base()),
        }
        .map_err(ConfigError::BadArmEndpoint)?;
        let client_id = match client_id
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
        {
            Some(c) if is_guid(&c) => Some(c),
            Some(c) => return Err(ConfigError::BadClientId(c.chars().take(40).collect())),
            None => None,
        };
        let tenant = tenant
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "organizations".into());
        if !is_tenant(&tenant) {
            return Err(ConfigError::BadTenant(tenant.chars().take(40).collect()));
        }
        let login = match login_endpoint
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(l) => ArmBase::parse(l)
                .map_err(ConfigError::BadLoginEndpoint)?
                .as_str()
                .to_owned(),
            None => cloud.login_origin().to_owned(),
        };
        let redirect_uri = match redirect_uri
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(u) if same_origin_url(u, page_origin) => Some(u.to_owned()),
            Some(u) => return Err(ConfigError::BadRedirectUri(u.chars().take(80).collect())),
            None => None,
        };
        Ok(Config {
            cloud,
            arm,
            client_id,
            tenant,
            login,
            redirect_uri,
            names_azure,
            demo,
        })
    }
}

/// What may stand as the tenant in a login URL's path (`{login}/{tenant}/oauth2/...`): a
/// directory (`is_directory`) or one of Entra's own words. Nothing else reaches the URL,
/// where a `/`, `?`, `#` or `..` would change which endpoint is asked.
pub fn is_tenant(t: &str) -> bool {
    is_directory(t) || matches!(t, "organizations" | "common" | "consumers")
}

/// A GUID in its 8-4-4-4-12 hex form: subscription, tenant and client ids.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A directory as ARM's `GET /tenants` names one: its id (a GUID) or a domain name
/// (`contoso.onmicrosoft.com`). The tenant switch takes only these from ARM's answer.
pub fn is_directory(t: &str) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    is_guid(t) || (t.len() <= 253 && t.split('.').count() >= 2 && t.split('.').all(label))
}

/// True when the app runs on a GitHub Pages origin (`<owner>.github.io`) with sign-in
/// configured. Every Pages site of that owner shares the origin, so any of them can
/// finish a sign-in in LB Health's name and take the token (docs/security.md): such a
/// deployment needs an origin of its own. `location` is the page's address.
pub fn shared_pages_origin(location: &str, config: &Config) -> bool {
    let host = location.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or("")
    });
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = host
        .split(':')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    config.client_id.is_some() && name.ends_with(".github.io")
}

/// The sign-in block's warning for `shared_pages_origin`, in an administrator's words.
pub const SHARED_PAGES_WARNING: &str = "This copy of LB Health runs on github.io, where every other GitHub Pages site of the same owner shares its address space (origin). A page on any of those sites could complete a sign-in in LB Health's name and take the token. Before people sign in here, an administrator should give LB Health an origin of its own: a custom domain on GitHub Pages, or an owner account whose Pages hold nothing else (see the README).";

/// `url` is an absolute http(s) URL on `origin` (the page's), without a fragment.
fn same_origin_url(url: &str, origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains('#')
        && url
            .strip_prefix(origin)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_means_public_cloud() {
        let c = Config::parse("{}", "https://app.example").unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn sovereign_cloud_moves_arm() {
        let c = Config::parse(r#"{"cloud":"china"}"#, "https://app.example").unwrap();
        assert_eq!(c.arm.as_str(), "https://management.chinacloudapi.cn");
        assert!(c.names_azure);
    }

    #[test]
    fn demo_knobs_do_not_make_a_deployment() {
        let c = Config::parse(r#"{"demo":{"instant":true,"largeRule":999999}}"#, "x").unwrap();
        assert!(c.demo.instant);
        assert_eq!(c.demo.large_rule, Some(50_000));
        let c = Config::parse(r#"{"demo":{"largeEstate":99999}}"#, "x").unwrap();
        assert_eq!(c.demo.large_estate, Some(5_000));
        assert!(!c.names_azure);
        let c = Config::parse(r#"{"demo":{"clockRate":100000}}"#, "x").unwrap();
        assert_eq!(c.demo.clock_rate, Some(600));
        assert_eq!(
            Config::parse(r#"{"demo":{"clockRate":1}}"#, "x")
                .unwrap()
                .demo
                .clock_rate,
            None
        );
        assert!(!c.names_azure);
    }

    #[test]
    fn relative_arm_endpoint_is_same_origin() {
        let c = Config::parse(r#"{"armEndpoint":"/arm/"}"#, "https://wiki.example").unwrap();
        assert_eq!(c.arm.as_str(), "https://wiki.example/arm");
    }

    #[test]
    fn bad_fields_are_named() {
        assert!(matches!(
            Config::parse("{", "x"),
            Err(ConfigError::NotJson(_))
        ));
        assert_eq!(
            Config::parse(r#"{"cloud":5}"#, "x"),
            Err(ConfigError::WrongType("cloud".into()))
        );
        assert_eq!(
            Config::parse(r#"{"demo":{"largeRule":-1}}"#, "x"),
            Err(ConfigError::WrongType("demo".into()))
        );
        assert_eq!(Config::parse("[1]", "x"), Err(ConfigError::NotAnObject));
        let e = Config::parse(r#"{"cloud":"mars"}"#, "x").unwrap_err();
        assert!(e.to_string().contains("\"cloud\""));
        let e = Config::parse(r#"{"armEndpoint":"http://evil.example"}"#, "x").unwrap_err();
        assert!(e.to_string().contains("\"armEndpoint\""));
        assert!(matches!(
            Config::parse(r#"{"clientId":"nope"}"#, "x"),
            Err(ConfigError::BadClientId(_))
        ));
        assert!(matches!(
            Config::parse(r#"{"tenant":"a/b"}"#, "x"),
            Err(ConfigError::BadTenant(_))
        ));
        assert!(matches!(
            Config::parse(r#"{"loginEndpoint":"http://login.evil"}"#, "x"),
            Err(ConfigError::BadLoginEndpoint(_))
        ));
        assert_eq!(
            Config::parse(r#"{"redirectUri":7}"#, "x"),
            Err(ConfigError::WrongType("redirectUri".into()))
        );
    }

    #[test]
    fn type_errors_name_the_top_level_field() {
        assert_eq!(
            Config::parse(r#"{"demo":{"instant":"yes"}}"#, "x"),
            Err(ConfigError::WrongType("demo".into()))
        );
        assert_eq!(
            Config::parse(r#"{"demo":{"clockRate":1.5}}"#, "x"),
            Err(ConfigError::WrongType("demo".into()))
        );
        assert_eq!(
            Config::parse(r#"{"tenant":["a"]}"#, "x"),
            Err(ConfigError::WrongType("tenant".into()))
        );
        assert_eq!(Config::parse("5", "x"), Err(ConfigError::NotAnObject));
        assert_eq!(Config::parse("null", "x"), Err(ConfigError::NotAnObject));
        let e = Config::parse(r#"{"cloud":"public"} x"#, "x").unwrap_err();
        assert!(matches!(e, ConfigError::NotJson(_)));
        assert_eq!(
            e.to_string(),
            "config.json is not valid JSON: unexpected text after the end at line 1 column 20"
        );
    }

    #[test]
    fn a_field_given_twice_is_named() {
        assert_eq!(
            Config::parse(r#"{"cloud":"public","cloud":"china"}"#, "x"),
            Err(ConfigError::Repeated("cloud".into()))
        );
        let e = Config::parse(r#"{"demo":{"instant":true,"instant":false}}"#, "x").unwrap_err();
        assert_eq!(e, ConfigError::Repeated("demo.instant".into()));
        assert!(e.to_string().contains("\"demo.instant\""));
    }

    #[test]
    fn unknown_fields_and_nulls_are_ignored() {
        let c = Config::parse(
            r#"{"cloud":null,"comment":{"any":[1,{"x":null}]},"demo":null}"#,
            "https://app.example",
        )
        .unwrap();
        assert_eq!(c, Config::default());
        let c = Config::parse(r#"{"demo":{"largeRule":5000000000,"other":true}}"#, "x").unwrap();
        assert_eq!(c.demo.large_rule, Some(50_000));
    }

    #[test]
    fn sign_in_endpoints_follow_the_cloud_unless_configured() {
        let c = Config::parse(
            r#"{"cloud":"usgov","clientId":"6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f"}"#,
            "https://app.example",
        )
        .unwrap();
        assert_eq!(c.login, "https://login.microsoftonline.us");
        assert_eq!(c.redirect_uri, None);
        let c = Config::parse(
            r#"{"loginEndpoint":"http://127.0.0.1:9/","redirectUri":"https://app.example/lbh/"}"#,
            "https://app.example",
        )
        .unwrap();
        assert_eq!(c.login, "http://127.0.0.1:9");
        assert_eq!(c.redirect_uri.as_deref(), Some("https://app.example/lbh/"));
    }

    #[test]
    fn tenants_are_guids_domains_or_entras_words() {
        for ok in [
            "organizations",
            "common",
            "consumers",
            "contoso.onmicrosoft.com",
            "3f2b8c1e-5d4a-4e6b-9c7d-8a1b2c3d4e5f",
            "a-b.example.org",
        ] {
            assert!(is_tenant(ok), "{ok}");
            assert!(
                Config::parse(&format!(r#"{{"tenant":"{ok}"}}"#), "x").is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "",
            "a/b",
            "evil.example/x?",
            "x#y",
            "..",
            "a..b",
            ".example",
            "-a.example",
            "contoso",
            "a b.example",
            "ünï.example",
            "evil.example%2F",
        ] {
            assert!(!is_tenant(bad), "{bad}");
        }
        // From ARM's tenant list, only a directory: never a keyword, never a path.
        assert!(!is_directory("common") && is_directory("fabrikam.onmicrosoft.com"));
    }

    #[test]
    fn a_sign_in_on_a_shared_github_pages_origin_is_warned_about() {
        let signin = Config::parse(
            r#"{"clientId":"6a1f0c2e-8b3d-4f5a-9e7c-1d2b3c4d5e6f"}"#,
            "https://owner.github.io",
        )
        .unwrap();
        for shared in [
            "https://owner.github.io/lb-health/",
            "https://Owner.GitHub.io/lb-health/?lb=x",
            "https://owner.github.io./lb-health/",
            "https://owner.github.io:443/",
            "https://owner.github.io",
        ] {
            assert!(shared_pages_origin(shared, &signin), "{shared}");
        }
        for own in [
            "https://lbh.contoso.com/",
            "https://github.io.evil.example/x",
            "https://evil.example/owner.github.io/",
            "http://127.0.0.1:8080/?x=.github.io",
        ] {
            assert!(!shared_pages_origin(own, &signin), "{own}");
        }
        // Without sign-in there is no token for another Pages site to take.
        assert!(!shared_pages_origin(
            "https://owner.github.io/lb-health/",
            &Config::default()
        ));
        assert!(
            SHARED_PAGES_WARNING.contains("github.io")
                && SHARED_PAGES_WARNING.contains("custom domain")
        );
    }

    #[test]
    fn the_redirect_uri_must_come_back_to_this_origin() {
        for bad in [
            "https://evil.example/",
            "https://app.example.evil/",
            "/relative",
            "https://app.example/#x",
        ] {
            let json = format!(r#"{{"redirectUri":"{bad}"}}"#);
            assert!(
                matches!(
                    Config::parse(&json, "https://app.example"),
                    Err(ConfigError::BadRedirectUri(_))
                ),
                "{bad}"
            );
        }
    }
}
