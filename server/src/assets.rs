//! The browser bundle and public files, embedded at build time so the binary is the whole
//! deployment.
//!
//! The bundle's files live under a directory named by their content (`/pkg/<hash>/`, see
//! `scripts/site-pack`), so they are cached for good; each comes precompressed (Brotli and gzip,
//! made at build time) and is sent in the encoding the browser accepts, never compressed per
//! request. Public files (the icon) keep their names and are revalidated by ETag.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(rust_embed::Embed)]
#[folder = "../site"]
struct Site;

/// What `scripts/site-pack` wrote about the bundle (`site/bundle.json`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Bundle {
    /// The bundle's directory under the site, `pkg/<hash>`.
    pub dir: String,
    /// For each split point of the module, the chunk files (without `.wasm`) it needs.
    pub needs: HashMap<String, Vec<String>>,
}

const BUNDLE_FILE: &str = "bundle.json";

/// The embedded bundle's description; none when the site was not built (the pages are then
/// served without their bundle, as `server/build.rs` warned).
pub fn bundle() -> Option<&'static Bundle> {
    static BUNDLE: OnceLock<Option<Bundle>> = OnceLock::new();
    BUNDLE
        .get_or_init(|| {
            let file = Site::get(BUNDLE_FILE)?;
            serde_json::from_slice(&file.data)
                .inspect_err(|e| {
                    tracing::error!(error = %e, "the embedded site/{BUNDLE_FILE} is not the bundle's description: pages are served without their bundle (rebuild with `make build`)");
                })
                .ok()
        })
        .as_ref()
}

/// An encoding a file is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    fn extension(self) -> &'static str {
        match self {
            Coding::Brotli => ".br",
            Coding::Gzip => ".gz",
            Coding::Identity => "",
        }
    }

    fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }
}

/// Whether `path` is an embedded file of the site.
pub fn is_file(path: &str) -> bool {
    let name = path.trim_start_matches('/');
    !name.split('/').any(|segment| segment == "..") && Site::get(name).is_some()
}

/// The embedded file at `path`.
pub fn serve(path: &str, request_headers: &HeaderMap) -> Option<Response> {
    let name = path.trim_start_matches('/');
    // The description and the compressed copies are not files of the site in their own right.
    if name == BUNDLE_FILE
        || name.ends_with(".br")
        || name.ends_with(".gz")
        || name.split('/').any(|segment| segment == "..")
    {
        return None;
    }
    let original = Site::get(name)?;
    let in_bundle = bundle().is_some_and(|bundle| {
        name.strip_prefix(bundle.dir.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    });
    let accepted = request_headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // A client that refuses every coding there is still gets the file as it is: a 406 for a file
    // a page needs would only break the page. (Cloning an embedded file copies no bytes.)
    let (coding, file) = preferred_codings(accepted)
        .into_iter()
        .find_map(|coding| match coding {
            Coding::Identity => Some((coding, original.clone())),
            _ => Site::get(&format!("{name}{}", coding.extension())).map(|f| (coding, f)),
        })
        .unwrap_or((Coding::Identity, original.clone()));

    let mut headers = HeaderMap::new();
    let hash: String = file
        .metadata
        .sha256_hash()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let etag = format!("\"{hash}\"");
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if in_bundle {
            // The name changes with the content: a browser never needs to ask again.
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if coding != Coding::Identity {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(coding.token()),
        );
    }
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    if not_modified {
        return Some((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    if let Ok(value) = HeaderValue::from_str(original.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // The embedded bytes themselves, not a copy of them per request.
    Some((headers, Body::from(file.data)).into_response())
}

/// The codings to answer in, best first, for an `Accept-Encoding` header (RFC 9110 §12.5.3):
/// Brotli before gzip at equal weight, a weight of 0 refusing a coding, `*` standing for the
/// codings not named, and identity acceptable unless refused.
fn preferred_codings(accept_encoding: &str) -> Vec<Coding> {
    let mut weights: Vec<(String, f32)> = Vec::new();
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let mut token = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        if token.is_empty() {
            continue;
        }
        // RFC 9110 §8.4.1.3: x-gzip is gzip.
        if token == "x-gzip" {
            token = "gzip".into();
        }
        let weight = match parts.find_map(|p| {
            let p = p.trim();
            p.strip_prefix("q=").or(p.strip_prefix("Q="))
        }) {
            None => 1.0,
            // A weight is 0 to 1 with at most three decimals; an item with another is ignored.
            Some(q) => match q.trim().parse::<f32>() {
                Ok(w) if (0.0..=1.0).contains(&w) && q.trim().len() <= 5 => w,
                _ => continue,
            },
        };
        weights.push((token, weight));
    }
    let weight_of = |name: &str| -> Option<f32> {
        weights
            .iter()
            .find(|(token, _)| token == name)
            .or_else(|| weights.iter().find(|(token, _)| token == "*"))
            .map(|(_, w)| *w)
    };
    let mut codings: Vec<(Coding, f32)> = [Coding::Brotli, Coding::Gzip]
        .into_iter()
        .filter_map(|c| weight_of(c.token()).map(|w| (c, w)))
        .chain(std::iter::once((
            Coding::Identity,
            // Identity stays acceptable unless refused by name, or by `*` without naming it.
            weight_of("identity").map_or(0.001, |w| w),
        )))
        .filter(|(_, w)| *w > 0.0)
        .collect();
    // Stable: at equal weight the order above (smallest first) stands.
    codings.sort_by(|a, b| b.1.total_cmp(&a.1));
    codings.into_iter().map(|(c, _)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_is_preferred_at_equal_weight() {
        assert_eq!(
            preferred_codings("gzip, deflate, br, zstd"),
            [Coding::Brotli, Coding::Gzip, Coding::Identity]
        );
    }

    #[test]
    fn weights_order_the_codings() {
        assert_eq!(
            preferred_codings("br;q=0.5, gzip;q=0.8"),
            [Coding::Gzip, Coding::Brotli, Coding::Identity]
        );
    }

    #[test]
    fn a_zero_weight_refuses_a_coding() {
        assert_eq!(
            preferred_codings("br;q=0, gzip"),
            [Coding::Gzip, Coding::Identity]
        );
        assert_eq!(preferred_codings("gzip;q=0"), [Coding::Identity]);
    }

    #[test]
    fn x_gzip_is_gzip_and_a_malformed_weight_is_ignored() {
        assert_eq!(
            preferred_codings("x-gzip"),
            [Coding::Gzip, Coding::Identity]
        );
        assert_eq!(
            preferred_codings("br;q=abc, gzip;q=2, gzip;q=0.5"),
            [Coding::Gzip, Coding::Identity]
        );
    }

    #[test]
    fn no_header_means_the_file_as_it_is() {
        assert_eq!(preferred_codings(""), [Coding::Identity]);
        assert_eq!(preferred_codings("deflate"), [Coding::Identity]);
    }

    #[test]
    fn a_star_stands_for_the_codings_not_named() {
        assert_eq!(
            preferred_codings("*"),
            [Coding::Brotli, Coding::Gzip, Coding::Identity]
        );
        assert_eq!(preferred_codings("gzip, *;q=0"), [Coding::Gzip]);
        assert_eq!(
            preferred_codings("identity;q=0, *"),
            [Coding::Brotli, Coding::Gzip]
        );
    }
}
