//! The address users reach the portal at (`--public-url`), when it is not the one it listens on:
//! behind a reverse proxy that terminates TLS, the browser's `Origin` names the proxy, and the
//! `Host` the proxy forwards may have lost its port, so neither can be compared with the other.

use std::fmt;

/// `https://portal.example.com` or `http://127.0.0.1:8443`: a scheme and a host (and a port),
/// nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    https: bool,
    /// `scheme://host[:port]` in lower case, the port left out when it is the scheme's default:
    /// how browsers write their `Origin` header.
    origin: String,
}

impl PublicUrl {
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let wrong = |why: &str| {
            anyhow::anyhow!(
                "--public-url {text:?} {why}: give the scheme and host users reach the portal at, \
                 such as https://portal.example.com (or https://portal.example.com:8443)"
            )
        };
        let uri: http::Uri = text.trim().parse().map_err(|_| wrong("is not a URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            Some(_) => return Err(wrong("has a scheme other than http or https")),
            None => return Err(wrong("has no scheme")),
        };
        let authority = uri.authority().ok_or_else(|| wrong("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(wrong("holds a user name or password"));
        }
        if authority.host().is_empty() {
            return Err(wrong("has no host"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(wrong(
                "has a path or query: the portal is served at the root of its host",
            ));
        }
        let default_port = if https { 443 } else { 80 };
        let scheme = if https { "https" } else { "http" };
        let host = authority.host().to_ascii_lowercase();
        let origin = match authority.port_u16() {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        };
        Ok(Self { https, origin })
    }

    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The origin browsers send from the portal's own pages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// A path of the portal at this address, e.g. the single sign-on callback.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Whether an `Origin` header names this address (any case; a default port written out or
    /// not).
    pub fn is_origin_of(&self, origin: &str) -> bool {
        Self::parse(origin).is_ok_and(|other| other == *self)
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.origin())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheme_and_a_host_make_the_origin_browsers_send() {
        let url = PublicUrl::parse("https://Portal.Example.com/").expect("valid");
        assert!(url.is_https());
        assert_eq!(url.origin(), "https://portal.example.com");
        assert_eq!(
            url.join("/login/oidc/callback"),
            "https://portal.example.com/login/oidc/callback"
        );
        let url = PublicUrl::parse("https://portal.example.com:443").expect("valid");
        assert_eq!(url.origin(), "https://portal.example.com");
        let url = PublicUrl::parse("http://127.0.0.1:8080").expect("valid");
        assert!(!url.is_https());
        assert_eq!(url.origin(), "http://127.0.0.1:8080");
        assert_eq!(
            PublicUrl::parse("https://[::1]:8443")
                .expect("valid")
                .origin(),
            "https://[::1]:8443"
        );
    }

    #[test]
    fn anything_but_a_scheme_and_a_host_is_refused_saying_what_to_give() {
        for (bad, why) in [
            ("portal.example.com", "no scheme"),
            ("ftp://portal.example.com", "other than http or https"),
            ("https://portal.example.com/portal", "path"),
            ("https://portal.example.com/?a=b", "path or query"),
            ("https://admin:secret@portal.example.com", "user name"),
            ("https://", "not a URL"),
            ("", "not a URL"),
        ] {
            let err = PublicUrl::parse(bad).expect_err(bad).to_string();
            assert!(err.contains(why), "{bad}: {err}");
            assert!(err.contains("such as https://portal.example.com"), "{err}");
        }
    }

    #[test]
    fn only_its_own_origin_matches() {
        let url = PublicUrl::parse("https://portal.example.com").expect("valid");
        assert!(url.is_origin_of("https://portal.example.com"));
        assert!(url.is_origin_of("https://PORTAL.example.com:443"));
        for other in [
            "http://portal.example.com",
            "https://portal.example.com:8443",
            "https://evil.example",
            "https://portal.example.com.evil.example",
            "null",
            "",
        ] {
            assert!(!url.is_origin_of(other), "{other}");
        }
    }
}
