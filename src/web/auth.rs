//! Who may use the page: a request carries the token (`?token=` once, then the cookie that
//! sets), and a request that changes anything also comes from the page's own origin, so another
//! site open in the carer's browser cannot press, tune or calibrate.

use tiny_http::{Header, Method, Request};

/// The cookie's name.
pub const COOKIE: &str = "eyeswitch_token";

/// What the checks decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The cookie carried the token.
    Cookie,
    /// The query carried it: the answer sets the cookie.
    Query,
    /// No token, or a wrong one: 401.
    Denied,
    /// A POST whose `Origin` is missing or not this host: 403.
    ForeignOrigin,
}

/// Checks `request` against `token`.
pub fn check(request: &Request, token: &str) -> Access {
    let access = if query_token(request.url()).is_some_and(|t| same(t, token)) {
        Access::Query
    } else if cookie_token(request).is_some_and(|t| same(t, token)) {
        Access::Cookie
    } else {
        return Access::Denied;
    };
    if *request.method() != Method::Get && !same_origin(request) {
        return Access::ForeignOrigin;
    }
    access
}

/// The `Set-Cookie` header that keeps the token: HttpOnly (no script reads it), SameSite=Strict
/// (no other site's request carries it), for every path.
/// `None` only for a token that is not a header value, which [`crate::web::token`] never makes.
pub fn set_cookie(token: &str) -> Option<Header> {
    let value = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    Header::from_bytes("Set-Cookie", value).ok()
}

/// The path without its query, for routing.
pub fn path(url: &str) -> &str {
    url.split_once('?').map_or(url, |(p, _)| p)
}

fn query_token(url: &str) -> Option<&str> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

fn cookie_token(request: &Request) -> Option<&str> {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Cookie"))
        .flat_map(|h| h.value.as_str().split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// `Origin` names the host the request was sent to: the page's own origin. A POST without
/// `Origin` is refused too (every browser sends it on a POST).
fn same_origin(request: &Request) -> bool {
    match (header(request, "Origin"), header(request, "Host")) {
        (Some(origin), Some(host)) => origin
            .strip_prefix("http://")
            .is_some_and(|o| o.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

fn header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Compares in time independent of where the strings differ, so timing tells nothing. Letters
/// in either case match: the token is hex, and the status screen's QR code carries it in
/// capitals, which pack small enough for the 64-pixel screen (`display::setup_code`).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| {
            acc | (x.to_ascii_lowercase() ^ y.to_ascii_lowercase())
        }) == 0
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn tokens_match_in_either_case_and_only_whole() {
        assert!(same("3f9cab", "3F9CAB"));
        assert!(!same("3f9cab", "3f9cac"));
        assert!(!same("3f9ca", "3f9cab"));
    }
}
