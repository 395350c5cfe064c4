//! Azure clouds and the one check that decides where the token may go.

use serde::{Deserialize, Serialize};

/// On the wire (the sign-in worker's settings) by its [`Cloud::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    #[default]
    Public,
    China,
    UsGov,
}

impl Cloud {
    pub fn parse(s: &str) -> Option<Cloud> {
        match s.trim().to_ascii_lowercase().as_str() {
            "public" | "azurecloud" | "" => Some(Cloud::Public),
            "china" | "azurechinacloud" => Some(Cloud::China),
            "usgov" | "azureusgovernment" => Some(Cloud::UsGov),
            _ => None,
        }
    }
    /// The name `parse` reads back (the sign-in worker receives the cloud by it).
    pub fn key(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::China => "china",
            Cloud::UsGov => "usgov",
        }
    }
    pub fn arm_origin(self) -> &'static str {
        match self {
            Cloud::Public => "https://management.azure.com",
            Cloud::China => "https://management.chinacloudapi.cn",
            Cloud::UsGov => "https://management.usgovcloudapi.net",
        }
    }
    /// The cloud's own ARM origin as a base: a constant that `ArmBase::parse` accepts
    /// (tested), so no parse and no error path (its `Debug` links `char` escaping).
    pub fn arm_base(self) -> ArmBase {
        ArmBase(self.arm_origin().to_owned())
    }
    pub fn login_origin(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::China => "https://login.chinacloudapi.cn",
            Cloud::UsGov => "https://login.microsoftonline.us",
        }
    }
    /// The `aud` values ARM accepts in this cloud.
    pub fn arm_audiences(self) -> &'static [&'static str] {
        match self {
            Cloud::Public => &[
                "https://management.azure.com/",
                "https://management.core.windows.net/",
            ],
            Cloud::China => &[
                "https://management.chinacloudapi.cn/",
                "https://management.core.chinacloudapi.cn/",
            ],
            Cloud::UsGov => &[
                "https://management.usgovcloudapi.net/",
                "https://management.core.usgovcloudapi.net/",
            ],
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Public => "Azure public cloud",
            Cloud::China => "Azure China",
            Cloud::UsGov => "Azure US Government",
        }
    }
}

/// The base every ARM URL starts with: an origin, optionally followed by a path prefix
/// (a same-origin reverse proxy such as `https://wiki.example/arm`). No trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmBase(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseError {
    NotAbsolute(String),
    InsecureScheme(String),
    HasQuery(String),
    /// `.` or `..` (or an encoded `/` or `\`) in the path: `owns` refuses every URL with
    /// one, so such a base could never be called.
    DotSegment(String),
}

impl std::fmt::Display for BaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BaseError::NotAbsolute(s) => write!(f, "'{s}' is not an absolute http(s) URL"),
            BaseError::InsecureScheme(s) => write!(
                f,
                "'{s}' must use https (http is allowed only for localhost)"
            ),
            BaseError::HasQuery(s) => {
                write!(f, "'{s}' must not carry a query, fragment or credentials")
            }
            BaseError::DotSegment(s) => write!(
                f,
                "'{s}' must not have . or .. segments, %2F or %5C in its path"
            ),
        }
    }
}

impl ArmBase {
    pub fn parse(s: &str) -> Result<Self, BaseError> {
        let s = s.trim().trim_end_matches('/');
        let Some((scheme, rest)) = s.split_once("://") else {
            return Err(BaseError::NotAbsolute(s.to_owned()));
        };
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() {
            return Err(BaseError::NotAbsolute(s.to_owned()));
        }
        if rest.contains(['?', '#', '@', '\\', ' ']) {
            return Err(BaseError::HasQuery(s.to_owned()));
        }
        let path = &rest[host.len()..];
        if !plain_path(path) {
            return Err(BaseError::DotSegment(s.to_owned()));
        }
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" => return Err(BaseError::InsecureScheme(s.to_owned())),
            _ => return Err(BaseError::NotAbsolute(s.to_owned())),
        }
        Ok(ArmBase(format!(
            "{}://{}",
            scheme.to_ascii_lowercase(),
            rest
        )))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.0, path_and_query)
    }
    /// True when `url` is under this base. ARM hands us URLs (`nextLink`, `Location`)
    /// and the token must never follow one to another host, so the comparison is on the
    /// whole base including the boundary after it (`management.azure.com.evil` fails).
    pub fn owns(&self, url: &str) -> bool {
        if url.contains(['\\', ' ', '\n', '\r', '\t']) {
            return false;
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return false;
        };
        let (base_scheme, base_rest) = self.0.split_once("://").unwrap_or(("", ""));
        if !scheme.eq_ignore_ascii_case(base_scheme) {
            return false;
        }
        let (host, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        let (base_host, base_path) =
            base_rest.split_at(base_rest.find('/').unwrap_or(base_rest.len()));
        if !host.eq_ignore_ascii_case(base_host) {
            return false;
        }
        if !plain_path(path.split(['?', '#']).next().unwrap_or("")) {
            return false;
        }
        base_path.is_empty() || path == base_path || path.starts_with(&format!("{base_path}/"))
    }
    /// Rewrites an ARM URL from the public ARM origin onto this base: used when the base
    /// is a reverse proxy and ARM's own `Location` names management.azure.com.
    pub fn adopt(&self, url: &str, cloud: Cloud) -> String {
        match url.strip_prefix(cloud.arm_origin()) {
            Some(rest) if !self.0.starts_with(cloud.arm_origin()) && rest.starts_with('/') => {
                self.url(rest)
            }
            _ => url.to_owned(),
        }
    }
}

/// No dot segment (literal or `%2e`) and no encoded `/` or `\` (`%2F`, `%5C`). The browser
/// removes dot segments before sending, which would climb out of a proxy path; it keeps
/// `..%2F` as one segment, but a proxy that decodes it before routing climbs out all the same.
fn plain_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !["%2e", "%2f", "%5c"].iter().any(|e| lower.contains(e))
        && !path.split('/').any(|seg| seg == "." || seg == "..")
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_with_dot_segments_is_refused() {
        // Found by tests/fuzz_parsers.rs: accepted, such a base owned none of its own URLs.
        for s in [
            "https://a/.",
            "https://proxy.example/arm/../x",
            "https://proxy.example/%2E%2E/arm",
        ] {
            assert!(
                matches!(ArmBase::parse(s), Err(BaseError::DotSegment(_))),
                "{s}"
            );
        }
        let b = ArmBase::parse("https://proxy.example/arm.v2/").unwrap();
        assert!(b.owns(&b.url("/subscriptions")));
    }

    #[test]
    fn token_guard_accepts_only_the_arm_base() {
        let b = ArmBase::parse("https://management.azure.com/").unwrap();
        assert!(b.owns("https://management.azure.com/subscriptions?api-version=1"));
        assert!(b.owns("https://MANAGEMENT.azure.com/x"));
        assert!(!b.owns("https://management.azure.com.evil.example/x"));
        assert!(!b.owns("https://management.azure.com@evil.example/x"));
        assert!(!b.owns("http://management.azure.com/x"));
        assert!(!b.owns("https://evil.example/https://management.azure.com/"));
        assert!(!b.owns("/relative"));
        assert!(!b.owns("https://management.azure.com\\@evil.example/"));
    }

    #[test]
    fn token_guard_respects_a_proxy_path() {
        let b = ArmBase::parse("https://wiki.example/arm").unwrap();
        assert!(b.owns("https://wiki.example/arm/subscriptions"));
        assert!(!b.owns("https://wiki.example/armory/x"));
        assert!(!b.owns("https://wiki.example/other"));
        assert!(!b.owns("https://wiki.example/arm/../x"));
        assert!(!b.owns("https://wiki.example/arm/%2E%2E/x"));
    }

    #[test]
    fn encoded_slashes_and_backslashes_are_refused_in_the_path() {
        // The browser sends `..%2F` as one segment; a proxy that decodes it before routing
        // would resolve it to `../` and leave the proxy path with the token.
        let b = ArmBase::parse("https://wiki.example/arm").unwrap();
        for url in [
            "https://wiki.example/arm/..%2Fadmin",
            "https://wiki.example/arm/..%2fadmin",
            "https://wiki.example/arm/..%5Cadmin",
            "https://wiki.example/arm/x%5cy",
        ] {
            assert!(!b.owns(url), "{url}");
        }
        assert!(
            b.owns("https://wiki.example/arm/subscriptions?filter=a%2Fb"),
            "an encoded slash in the query is no path"
        );
        assert!(matches!(
            ArmBase::parse("https://proxy.example/a%2Fb"),
            Err(BaseError::DotSegment(_))
        ));
        assert_eq!(
            b.adopt(
                "https://management.azure.com/subscriptions/x",
                Cloud::Public
            ),
            "https://wiki.example/arm/subscriptions/x"
        );
    }

    #[test]
    fn bases_must_be_https_except_loopback() {
        assert!(ArmBase::parse("http://127.0.0.1:9000").is_ok());
        assert!(matches!(
            ArmBase::parse("http://example.com"),
            Err(BaseError::InsecureScheme(_))
        ));
        assert!(matches!(
            ArmBase::parse("management.azure.com"),
            Err(BaseError::NotAbsolute(_))
        ));
        assert!(matches!(
            ArmBase::parse("https://a.example/?x"),
            Err(BaseError::HasQuery(_))
        ));
    }

    #[test]
    fn clouds_change_login_and_arm_together() {
        assert_eq!(Cloud::parse("usgov"), Some(Cloud::UsGov));
        assert_eq!(
            Cloud::UsGov.arm_origin(),
            "https://management.usgovcloudapi.net"
        );
        assert_eq!(
            Cloud::China.login_origin(),
            "https://login.chinacloudapi.cn"
        );
        assert_eq!(Cloud::parse("mars"), None);
    }

    #[test]
    fn cloud_bases_are_what_parsing_their_origin_gives() {
        for cloud in [Cloud::Public, Cloud::China, Cloud::UsGov] {
            assert_eq!(ArmBase::parse(cloud.arm_origin()), Ok(cloud.arm_base()));
        }
    }
}
