//! Who is signed in: set by the server's sign-in gate on every request it lets through, read by
//! pages and server functions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub name: String,
    pub groups: Vec<String>,
}

/// Whether two portal user names may be one person, for four-eyes checks: the same name, or the
/// same name before '@' in any case — a local `bob` and `bob@login.example.com` (single sign-on,
/// or a proxy's user) may well be the same Bob, who must not approve his own request under his
/// other name. Errs on the side of "same": at worst another approver is needed. So it may only
/// ever refuse (self-approval), never grant: `bob@login.example.com` is any provider user who
/// calls themself bob, and must not see or control local `bob`'s executions.
pub fn same_person(a: &str, b: &str) -> bool {
    let handle = |name: &str| name.split('@').next().unwrap_or(name).to_lowercase();
    a == b || handle(a) == handle(b)
}

/// Where a request came from, for the audit trail (set by the server on every request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub address: String,
    pub user_agent: String,
}

#[cfg(test)]
mod tests {
    use super::same_person;

    #[test]
    fn one_person_under_a_local_and_a_single_sign_on_name_is_one_person() {
        assert!(same_person("bob", "bob"));
        assert!(same_person("bob", "bob@login.example.com"));
        assert!(same_person("Bob@login.example.com", "bob"));
        assert!(same_person(
            "bob@login.example.com",
            "bob@other.example.com"
        ));
        assert!(same_person("bob@x@y", "bob"));
    }

    #[test]
    fn different_names_are_different_people() {
        assert!(!same_person("bob", "alice"));
        assert!(!same_person("bob", "bobby@login.example.com"));
        assert!(!same_person(
            "bob-2@login.example.com",
            "alice@login.example.com"
        ));
        assert!(!same_person("", "bob"));
    }
}
