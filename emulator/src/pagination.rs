//! Opaque page tokens (`NextToken`, IAM's `Marker`): the offset into a listing, bound to the query
//! that produced it, so a token from another query, or a made-up one, is refused.

use std::hash::{DefaultHasher, Hash, Hasher};

/// A token for the page starting at `offset` of the listing described by `query`.
pub fn token(offset: usize, query: &impl Hash) -> String {
    format!("{:016x}{offset:x}", fingerprint(query))
}

/// The offset a token stands for, if it was issued for `query`.
pub fn offset(token: &str, query: &impl Hash) -> Option<usize> {
    let (print, offset) = token.split_at_checked(16)?;
    if u64::from_str_radix(print, 16).ok()? != fingerprint(query) {
        return None;
    }
    usize::from_str_radix(offset, 16).ok()
}

fn fingerprint(query: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    query.hash(&mut hasher);
    hasher.finish()
}

/// One page of `items` from `start`, and the token for the next page if there is one.
pub fn page<T: Clone>(
    items: &[T],
    start: usize,
    size: usize,
    query: &impl Hash,
) -> (Vec<T>, Option<String>) {
    let end = start.saturating_add(size).min(items.len());
    let page = items.get(start..end).map(<[T]>::to_vec).unwrap_or_default();
    let next = (end < items.len()).then(|| token(end, query));
    (page, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_only_for_its_own_query() {
        let t = token(50, &("Owner", "Self"));
        assert_eq!(offset(&t, &("Owner", "Self")), Some(50));
        assert_eq!(offset(&t, &("Owner", "Amazon")), None);
        assert_eq!(offset("garbage", &("Owner", "Self")), None);
    }

    #[test]
    fn pages_cover_the_listing_once() {
        let items: Vec<u32> = (0..7).collect();
        let (first, next) = page(&items, 0, 3, &"q");
        assert_eq!(first, [0, 1, 2]);
        let start = offset(&next.expect("more pages"), &"q").expect("valid token");
        let (second, next) = page(&items, start, 3, &"q");
        assert_eq!(second, [3, 4, 5]);
        let (third, next) = page(
            &items,
            offset(&next.expect("more"), &"q").expect("valid"),
            3,
            &"q",
        );
        assert_eq!(third, [6]);
        assert!(next.is_none());
    }
}
