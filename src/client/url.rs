//! The few URLs the client makes, and the rule that keeps the bearer token on the base URL's
//! origin. Hand-written (no `url` crate: wasm size matters) and deliberately strict: anything
//! it does not understand is refused, never guessed at.
//!
//! Safety does not rest on parsing alone: every URL this module returns is the base URL's
//! own `scheme://host[:port]` followed by a path, so a link can at worst be refused, never
//! redirect the token. Imports only `error`.

use crate::error::{Error, Result};

/// The default base URL, `https://api.partner.microsoft.com/v1.0/`.
pub const DEFAULT_BASE_URL: &str = "https://api.partner.microsoft.com/v1.0/";

/// The collection path below the base URL.
const REFERRALS: &str = "engagements/referrals";

/// Longest id accepted by [`BaseUrl::item_url`] (ids are 36-character GUIDs).
pub const MAX_ID_LEN: usize = 256;

/// A parsed base URL: `http` or `https`, a host, an optional port and a path ending in `/`.
///
/// The token only ever goes to this URL's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    https: bool,
    /// Lower-case; IPv6 literals keep their brackets.
    host: String,
    /// The port as written, when it is not the scheme's default.
    port: Option<u16>,
    /// Starts and ends with `/`.
    path: String,
}

/// `scheme://authority` + the rest, split without interpretation.
struct Absolute<'a> {
    scheme: &'a str,
    authority: &'a str,
    /// Path, query and fragment (may be empty).
    rest: &'a str,
}

impl BaseUrl {
    /// Parses a base URL such as `https://api.partner.microsoft.com/v1.0/`.
    ///
    /// Surrounding whitespace is ignored and a missing trailing `/` is added
    /// (`…/v1.0` means `…/v1.0/`). Only `http` and `https` are accepted; `http` is allowed for
    /// local proxies and test servers.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (code `InvalidArgument`) for anything else: another scheme, user
    /// info, a query or fragment, a malformed host or port, control characters.
    ///
    /// ```
    /// # use partner_referrals::client::BaseUrl;
    /// let base = BaseUrl::parse("HTTPS://API.Partner.Microsoft.com/v1.0").unwrap();
    /// assert_eq!(base.as_string(), "https://api.partner.microsoft.com/v1.0/");
    /// assert!(BaseUrl::parse("https://user:pw@api.partner.microsoft.com/").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<BaseUrl> {
        let invalid =
            |reason| Error::InvalidOption { name: "baseUrl", value: truncate(text), reason };
        let text = text.trim();
        if has_control(text) || text.contains('\\') {
            return Err(invalid("contains control characters or a backslash"));
        }
        let parts = split_absolute(text).ok_or_else(|| invalid("is not an absolute URL"))?;
        let https = scheme_is_https(parts.scheme).ok_or_else(|| invalid("is not http or https"))?;
        if parts.authority.contains('@') {
            return Err(invalid("must not contain user info"));
        }
        let (host, port) = parse_authority(parts.authority)
            .ok_or_else(|| invalid("has no valid host and port"))?;
        if parts.rest.contains(['?', '#']) {
            return Err(invalid("must not have a query or fragment"));
        }
        let mut path = if parts.rest.is_empty() { "/".to_string() } else { parts.rest.to_string() };
        if !path.ends_with('/') {
            path.push('/');
        }
        let port = port.filter(|&p| p != default_port(https));
        Ok(BaseUrl { https, host, port, path })
    }

    /// The base URL, normalised: lower-case scheme and host, no default port, trailing `/`.
    pub fn as_string(&self) -> String {
        format!("{}{}", self.origin(), self.path)
    }

    /// `scheme://host[:port]`, where the token may go.
    pub fn origin(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        match self.port {
            Some(port) => format!("{scheme}://{}:{port}", self.host),
            None => format!("{scheme}://{}", self.host),
        }
    }

    /// `<base>engagements/referrals` plus `?query` when `query` is not empty.
    ///
    /// `query` is the output of the query builder (`$filter=…&$orderby=…`, already
    /// percent-encoded, no leading `?`; one leading `?` is tolerated).
    pub fn list_url(&self, query: &str) -> String {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut url = format!("{}{}{REFERRALS}", self.origin(), self.path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        url
    }

    /// `<base>engagements/referrals/<id>`, the id percent-encoded (everything but
    /// `A-Z a-z 0-9 - . _ ~`).
    ///
    /// # Errors
    /// [`Error::InvalidId`] (code `InvalidArgument`: the caller's input) when the id is empty,
    /// longer than [`MAX_ID_LEN`], or contains `/`, `\`, `?`, `#`, `..` (or is `.`), an
    /// encoded `/`, `\` or `.` (`%2F`, `%5C`, `%2E`, any case) that a server might decode
    /// into a path step, or a control character (no referral id has one). Nothing is sent.
    ///
    /// ```
    /// # use partner_referrals::client::BaseUrl;
    /// let base = BaseUrl::parse("https://api.partner.microsoft.com/v1.0/").unwrap();
    /// assert_eq!(
    ///     base.item_url("a b").unwrap(),
    ///     "https://api.partner.microsoft.com/v1.0/engagements/referrals/a%20b"
    /// );
    /// assert!(base.item_url("../../me").is_err());
    /// ```
    pub fn item_url(&self, id: &str) -> Result<String> {
        let invalid = |reason| Error::InvalidId { id: truncate(id), reason };
        if id.is_empty() {
            return Err(invalid("it is empty"));
        }
        if id.chars().count() > MAX_ID_LEN {
            return Err(invalid("it is longer than 256 characters"));
        }
        if id.contains(['/', '\\']) {
            return Err(invalid("it contains a path separator"));
        }
        if id.contains(['?', '#']) {
            return Err(invalid("it contains `?` or `#`"));
        }
        if id.chars().any(char::is_control) {
            return Err(invalid("it contains a control character"));
        }
        if id == "." || id.contains("..") {
            return Err(invalid("it contains a dot segment"));
        }
        let lower = id.to_ascii_lowercase();
        if ["%2f", "%5c", "%2e"].iter().any(|e| lower.contains(e)) {
            return Err(invalid("it contains an encoded separator or dot"));
        }
        let mut url = format!("{}{}{REFERRALS}/", self.origin(), self.path);
        for b in id.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                url.push(char::from(b));
            } else {
                url.push('%');
                url.push(char::from(HEX[usize::from(b >> 4)]));
                url.push(char::from(HEX[usize::from(b & 0xF)]));
            }
        }
        Ok(url)
    }

    /// The URL to request for a server `nextLink` (or a continuation token), or why not.
    ///
    /// Followed: an absolute `http`/`https` link whose host equals the base URL's (ASCII
    /// case-insensitive) and whose port is the base URL's port or its own scheme's default;
    /// it is requested over the base URL's scheme and port, so the documented
    /// `http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=…` goes out over `https`.
    /// Also followed: an absolute path (`/v1.0/…`), resolved against the base URL's origin.
    /// Either way the path must lie under the base URL's path ([`BaseUrl::check_path`]): the
    /// token is for the API, not for everything else on its host. The path and query are kept
    /// exactly as sent (not rebuilt); a fragment is dropped.
    ///
    /// # Errors
    /// [`Error::UnsafeNextLink`], before anything is sent, for another host or port, a path
    /// outside the base URL's, user info (`https://api.partner.microsoft.com@evil.com/`),
    /// protocol-relative (`//host/…`) and path-relative (`referrals?…`) links, other schemes,
    /// backslashes before the query, and control characters.
    ///
    /// ```
    /// # use partner_referrals::client::BaseUrl;
    /// let base = BaseUrl::parse("https://api.partner.microsoft.com/v1.0/").unwrap();
    /// assert_eq!(
    ///     base.follow("http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k1").unwrap(),
    ///     "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k1"
    /// );
    /// assert!(base.follow("https://api.partner.microsoft.com@evil.com/x").is_err());
    /// ```
    pub fn follow(&self, link: &str) -> Result<String> {
        let unsafe_link = |reason| Error::UnsafeNextLink { url: truncate(link), reason };
        if link.is_empty() {
            return Err(unsafe_link("it is empty"));
        }
        if has_control(link) {
            return Err(unsafe_link("it contains control characters"));
        }
        let before_query = link.split(['?', '#']).next().unwrap_or("");
        if before_query.contains('\\') {
            return Err(unsafe_link("it contains a backslash"));
        }
        if link.starts_with("//") {
            return Err(unsafe_link("protocol-relative links are not followed"));
        }
        if link.starts_with('/') {
            let rest = strip_fragment(link);
            self.check_path(rest).map_err(unsafe_link)?;
            return Ok(format!("{}{rest}", self.origin()));
        }
        let Some(parts) = split_absolute(link) else {
            return Err(unsafe_link("relative links other than absolute paths are not followed"));
        };
        let Some(https) = scheme_is_https(parts.scheme) else {
            return Err(unsafe_link("it is not an http or https URL"));
        };
        if parts.authority.contains('@') {
            return Err(unsafe_link("it contains user info"));
        }
        let Some((host, port)) = parse_authority(parts.authority) else {
            return Err(unsafe_link("its host is not recognised"));
        };
        if host != self.host {
            return Err(unsafe_link("it points at another host than the base URL"));
        }
        if let Some(port) = port {
            let base_port = self.port.unwrap_or(default_port(self.https));
            if port != base_port && port != default_port(https) {
                return Err(unsafe_link("it points at another port than the base URL"));
            }
        }
        let rest = strip_fragment(parts.rest);
        let rest = if rest.starts_with('/') { rest.to_string() } else { format!("/{rest}") };
        self.check_path(&rest).map_err(unsafe_link)?;
        Ok(format!("{}{rest}", self.origin()))
    }

    /// Whether the path of `rest` (a link's path, query and no fragment) stays under the
    /// base URL's path, also for a server or a `fetch` that normalises it: it must start with
    /// the base path exactly (`/v1.0/`, so `/v1.0x/` and `/V1.0/` do not), and after it have no
    /// dot segment (`.`, `..`, also percent-encoded, as WHATWG URL parsing decodes `%2e`, and
    /// with `;params`, which some servers strip), no encoded `/` or `\` (`%2F`, `%5C`, and
    /// the same encoded twice) and no empty segment (`//`, which some servers collapse).
    fn check_path(&self, rest: &str) -> std::result::Result<(), &'static str> {
        let path = rest.split('?').next().unwrap_or("");
        let Some(under) = path.strip_prefix(self.path.as_str()) else {
            return Err("its path is not under the base URL's path");
        };
        let segments: Vec<&str> = under.split('/').collect();
        for (n, segment) in segments.iter().enumerate() {
            if segment.is_empty() && n + 1 < segments.len() {
                return Err("its path has an empty segment");
            }
            let lower = segment.to_ascii_lowercase();
            if ["%2f", "%5c", "%252f", "%255c", "%252e"].iter().any(|e| lower.contains(e)) {
                return Err("its path has an encoded separator");
            }
            let name = lower.split(';').next().unwrap_or("").replace("%2e", ".");
            if name == "." || name == ".." {
                return Err("its path has a dot segment");
            }
        }
        Ok(())
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn default_port(https: bool) -> u16 {
    if https {
        443
    } else {
        80
    }
}

fn has_control(s: &str) -> bool {
    s.bytes().any(|b| b < 0x20 || b == 0x7F)
}

fn strip_fragment(s: &str) -> &str {
    s.split('#').next().unwrap_or("")
}

/// `Some(true)` for `https`, `Some(false)` for `http` (any case), `None` otherwise.
fn scheme_is_https(scheme: &str) -> Option<bool> {
    if scheme.eq_ignore_ascii_case("https") {
        Some(true)
    } else if scheme.eq_ignore_ascii_case("http") {
        Some(false)
    } else {
        None
    }
}

/// Splits `scheme://authority/rest`. `None` when there is no scheme followed by `//`.
/// A scheme without `//` (`javascript:…`, `http:host/…`) is returned with an empty authority
/// so that the caller refuses it for its scheme or its missing host.
fn split_absolute(s: &str) -> Option<Absolute<'_>> {
    let colon = s.find(':')?;
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    let after = &s[colon + 1..];
    let Some(after) = after.strip_prefix("//") else {
        return Some(Absolute { scheme, authority: "", rest: after });
    };
    let end = after.find(['/', '?', '#', '\\']).unwrap_or(after.len());
    Some(Absolute { scheme, authority: &after[..end], rest: &after[end..] })
}

/// `host[:port]` → lower-case host and explicit port. Hosts are ASCII letters, digits, `-`,
/// `.`, `_`, `~`, or a bracketed IPv6 literal; anything else (percent-encoding, Unicode,
/// spaces) is refused. An empty port (`host:`) counts as no port.
fn parse_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let inner = &authority[1..close];
        if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_hexdigit() || ":.".contains(c)) {
            return None;
        }
        let tail = &authority[close + 1..];
        let port = match tail {
            "" => None,
            _ => Some(tail.strip_prefix(':')?),
        };
        (&authority[..=close], port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        if host.is_empty() || !host.chars().all(valid) {
            return None;
        }
        (host, port)
    };
    let port = match port {
        None | Some("") => None,
        Some(p) if p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    Some((host.to_ascii_lowercase(), port))
}

/// At most 256 characters of `s`, for error messages.
fn truncate(s: &str) -> String {
    match s.char_indices().nth(256) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn base() -> BaseUrl {
        BaseUrl::parse(DEFAULT_BASE_URL).unwrap()
    }

    #[test]
    fn base_urls_are_normalised() {
        let cases = [
            (DEFAULT_BASE_URL, DEFAULT_BASE_URL),
            (" https://api.partner.microsoft.com/v1.0\n", DEFAULT_BASE_URL),
            ("https://api.partner.microsoft.com:443/v1.0/", DEFAULT_BASE_URL),
            ("http://localhost:8080", "http://localhost:8080/"),
            ("http://LOCALHOST:80/api", "http://localhost/api/"),
            ("http://[::1]:3000/v1.0/", "http://[::1]:3000/v1.0/"),
            ("https://host:/x/", "https://host/x/"),
        ];
        for (input, expected) in cases {
            assert_eq!(BaseUrl::parse(input).unwrap().as_string(), expected, "{input}");
        }
    }

    #[test]
    fn bad_base_urls_are_invalid_options() {
        for input in [
            "",
            "api.partner.microsoft.com/v1.0/",
            "ftp://host/",
            "https://user:pw@host/",
            "https://host/v1.0/?x=1",
            "https://host/#f",
            "https://host:99999/",
            "https://host:12a/",
            "https://ho st/",
            "https://h\\ost/",
            "https:///v1.0/",
            "https://[zz]/",
            "https://h%6Fst/",
            "javascript:alert(1)",
        ] {
            let err = BaseUrl::parse(input).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidArgument, "{input}");
            assert!(matches!(err, Error::InvalidOption { name: "baseUrl", .. }), "{input}");
        }
    }

    #[test]
    fn list_urls() {
        assert_eq!(base().list_url(""), format!("{DEFAULT_BASE_URL}engagements/referrals"));
        assert_eq!(
            base().list_url("$top=10&$orderby=createdDateTime%20desc"),
            format!(
                "{DEFAULT_BASE_URL}engagements/referrals?$top=10&$orderby=createdDateTime%20desc"
            )
        );
        assert_eq!(
            base().list_url("?$top=1"),
            format!("{DEFAULT_BASE_URL}engagements/referrals?$top=1")
        );
    }

    #[test]
    fn ids_are_encoded_or_refused() {
        let b = base();
        assert_eq!(
            b.item_url("c5fbb3b6-be74-4795-9fb5-4324c73fed37").unwrap(),
            format!("{DEFAULT_BASE_URL}engagements/referrals/c5fbb3b6-be74-4795-9fb5-4324c73fed37")
        );
        assert!(b.item_url("é%").unwrap().ends_with("/referrals/%C3%A9%25"));
        for bad in [
            "",
            "a/b",
            "..",
            ".",
            "a..b",
            "a\\b",
            "a?b",
            "a#b",
            "a%2Fb",
            "a%2fb",
            "%5C",
            "%2e%2e",
            "a\r\nX-Evil: 1",
            "\u{7f}",
            "a\u{85}b",
            &"x".repeat(257),
        ] {
            let err = b.item_url(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidArgument, "{bad:?}");
            assert_eq!(err.status(), None);
        }
    }

    #[test]
    fn next_links_on_the_same_host_are_followed_over_the_base_scheme() {
        let b = base();
        let cases = [
            (
                "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX",
                "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX",
            ),
            (
                "https://API.PARTNER.MICROSOFT.COM:443/v1.0/engagements/referrals?$skiptoken=a#frag",
                "https://api.partner.microsoft.com/v1.0/engagements/referrals?$skiptoken=a",
            ),
            ("http://api.partner.microsoft.com:80/v1.0/x", "https://api.partner.microsoft.com/v1.0/x"),
            ("HTTP://api.partner.microsoft.com/v1.0/?$skiptoken=1", "https://api.partner.microsoft.com/v1.0/?$skiptoken=1"),
            ("/v1.0/referrals?$skiptoken=2", "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2"),
            // Path and query kept exactly as sent, including a space or odd characters; dots
            // and slashes in the query are not path steps.
            (
                "https://api.partner.microsoft.com/v1.0/we%20ird/pa.th/...x/?$orderby=a desc&x=\\&y=/../..",
                "https://api.partner.microsoft.com/v1.0/we%20ird/pa.th/...x/?$orderby=a desc&x=\\&y=/../..",
            ),
            ("/v1.0/a;b=c/%2E%2Ex", "https://api.partner.microsoft.com/v1.0/a;b=c/%2E%2Ex"),
        ];
        for (link, expected) in cases {
            assert_eq!(b.follow(link).unwrap(), expected, "{link}");
        }
        let local = BaseUrl::parse("http://localhost:8080/v1.0/").unwrap();
        assert_eq!(
            local.follow("https://localhost:8080/v1.0/r?s=1").unwrap(),
            "http://localhost:8080/v1.0/r?s=1"
        );
        assert_eq!(
            local.follow("http://localhost/v1.0/r").unwrap(),
            "http://localhost:8080/v1.0/r"
        );
    }

    #[test]
    fn unsafe_next_links_are_refused() {
        let b = base();
        for link in [
            "",
            "https://evil.com/v1.0/referrals",
            "https://api.partner.microsoft.com.evil.com/",
            "https://api.partner.microsoft.com./v1.0/",
            "https://api.partner.microsoft.com@evil.com/",
            "https://user@api.partner.microsoft.com/",
            "https://evil.com\\@api.partner.microsoft.com/",
            "https://api.partner.microsoft.com\\x",
            "https://api.partner.microsoft.com:8443/x",
            "//evil.com/x",
            "//api.partner.microsoft.com/x",
            "referrals?$skiptoken=1",
            "?$skiptoken=1",
            "ftp://api.partner.microsoft.com/x",
            "javascript:alert(1)",
            "data:text/plain,hi",
            "http:api.partner.microsoft.com/x",
            "https://api.partner.micro\tsoft.com/x",
            "https://api.partner.microsoft.com/x\n",
            "https://api.partner.microsoft%2Ecom/x",
            "https://xn--api-partner.microsoft.com/x",
        ] {
            let err = b.follow(link).unwrap_err();
            assert_eq!(err.code(), ErrorCode::UnsafeNextLink, "{link:?}");
        }
    }

    #[test]
    fn next_links_outside_the_base_path_are_refused() {
        let b = base();
        for path in [
            "/admin/anything",
            "/",
            "",
            "?$skiptoken=1",
            "/v1.0",
            "/v1.0?x=1",
            "/v1.0x/referrals",
            "/v1.00/referrals",
            "/V1.0/referrals",
            "/v2.0/referrals",
            "/v1.0/../admin",
            "/v1.0/..",
            "/v1.0/.",
            "/v1.0/./referrals",
            "/v1.0/referrals/../../admin",
            "/v1.0/%2e%2e/admin",
            "/v1.0/%2E%2E/admin",
            "/v1.0/.%2e/admin",
            "/v1.0/%2e./admin",
            "/v1.0/%2e/admin",
            "/v1.0/..;/admin",
            "/v1.0/..;x=1/admin",
            "/v1.0/%252e%252e/admin",
            "/v1.0/..%2fadmin",
            "/v1.0/..%2Fadmin",
            "/v1.0/x%5c..%5cadmin",
            "/v1.0/x%255c..",
            "/v1.0/x%252f..",
            "/v1.0//admin",
            "/v1.0/referrals//x",
            "/v1.0\\..\\admin",
            "/v1.0/..\\admin",
            "/%761.0/referrals",
            "/admin/v1.0/referrals",
        ] {
            for link in [path.to_string(), format!("https://api.partner.microsoft.com{path}")] {
                if link.is_empty() {
                    continue;
                }
                let err = b.follow(&link).unwrap_err();
                assert_eq!(err.code(), ErrorCode::UnsafeNextLink, "{link:?}");
            }
        }
        // A base URL at the root: every path of the origin is under it, dot segments still not.
        let root = BaseUrl::parse("http://localhost:8080").unwrap();
        assert_eq!(root.follow("/admin/x").unwrap(), "http://localhost:8080/admin/x");
        assert!(root.follow("/a/../../etc").is_err());
        // The base path's own trailing slash is all that is needed.
        assert_eq!(b.follow("/v1.0/").unwrap(), "https://api.partner.microsoft.com/v1.0/");
    }

    #[test]
    fn error_urls_are_truncated() {
        let link = format!("https://evil.com/{}", "a".repeat(1000));
        let Error::UnsafeNextLink { url, .. } = base().follow(&link).unwrap_err() else {
            panic!("wrong variant")
        };
        assert_eq!(url.chars().count(), 257);
    }
}
