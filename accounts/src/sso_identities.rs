//! People who sign in by single sign-on. They are not local accounts: an identity is the
//! provider's stable (issuer, subject) pair, and its portal name — the one grants, sessions, the
//! audit trail and "Started by" use — is `<handle>@<issuer host>`, given at its first sign-in and
//! kept for good. A local name never contains '@' (see `Users::add`), so no provider can name one
//! of its users into a local account; a provider's user who is renamed keeps their portal name,
//! and one who takes over a name someone else had gets a name of their own.

use sqlx::AnyPool;

use crate::database::Database;

use crate::users::now;

/// How many names ending `-2`, `-3`, … are tried before giving up (only a provider that hands the
/// same user name to that many people gets there).
const SUFFIXES: u32 = 1000;
/// The longest handle kept (the part before '@').
const HANDLE_LENGTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum SsoIdentityError {
    #[error("the single sign-on identities could not be read or written: {0}")]
    Database(#[from] sqlx::Error),
    #[error(
        "every name from {0:?} to its -{SUFFIXES} form is taken: the identity provider gives the \
         same user name to too many people; give this user another preferred_username there"
    )]
    NoFreeName(String),
}

/// The portal name for a provider's user called `handle` (their preferred user name, say) at an
/// issuer on `issuer_host`: lower case, letters, digits, '.', '_' and '-' only (anything else
/// becomes '-', so a name cannot pass for another in a page, a tag or a spreadsheet), at most
/// 64 characters, then `@` and the host.
pub fn sso_name(handle: &str, issuer_host: &str) -> String {
    let mut kept = String::new();
    for c in handle.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '-'
        };
        if !(c == '-' && kept.ends_with('-')) {
            kept.push(c);
        }
    }
    let mut handle: String = kept
        .trim_matches(|c| matches!(c, '-' | '.'))
        .chars()
        .take(HANDLE_LENGTH)
        .collect();
    if handle.is_empty() {
        handle = "user".into();
    }
    // An IPv6 host's brackets are not allowed in AWS tag values (the portal:user tag).
    let host = issuer_host.trim_matches(['[', ']']).to_ascii_lowercase();
    format!("{handle}@{host}")
}

/// The `n`th name for a wanted one: `olivia@idp` → `olivia-2@idp`, `olivia-3@idp`, …
fn numbered(wanted: &str, n: u32) -> String {
    if n < 2 {
        return wanted.to_owned();
    }
    match wanted.split_once('@') {
        Some((handle, host)) => format!("{handle}-{n}@{host}"),
        None => format!("{wanted}-{n}"),
    }
}

#[derive(Clone)]
pub struct SsoIdentities {
    pool: AnyPool,
}

impl SsoIdentities {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
        }
    }

    /// The portal name of the provider's user (`issuer`, `subject`), who is signing in: the name
    /// they were given at their first sign-in, else `wanted` (see [`sso_name`]) if nobody — no
    /// other identity, no local account — has it, else the first free `wanted` with a number.
    pub async fn sign_in(
        &self,
        issuer: &str,
        subject: &str,
        wanted: &str,
    ) -> Result<String, SsoIdentityError> {
        if let Some(name) = self.seen(issuer, subject).await? {
            return Ok(name);
        }
        for n in 1..=SUFFIXES {
            let candidate = numbered(wanted, n);
            // One statement, so two first sign-ins at once cannot take the same name, and a
            // name a local account has (from before local names lost '@') is never given.
            let inserted = sqlx::query(
                "INSERT INTO sso_identities (issuer, subject, name, first_seen, last_seen) \
                 SELECT $1, $2, $3, $4, $4 \
                 WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(name) = lower($3)) \
                 ON CONFLICT (issuer, subject) DO NOTHING",
            )
            .bind(issuer)
            .bind(subject)
            .bind(&candidate)
            .bind(now())
            .execute(&self.pool)
            .await;
            match inserted {
                Ok(done) if done.rows_affected() == 1 => return Ok(candidate),
                // Either this identity's first sign-in just happened elsewhere, or a local
                // account has the name.
                Ok(_) => {
                    if let Some(name) = self.seen(issuer, subject).await? {
                        return Ok(name);
                    }
                }
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(SsoIdentityError::NoFreeName(wanted.to_owned()))
    }

    /// The name of an identity seen before (noting that it is seen again).
    async fn seen(&self, issuer: &str, subject: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "UPDATE sso_identities SET last_seen = $1 WHERE issuer = $2 AND subject = $3 \
             RETURNING name",
        )
        .bind(now())
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Users;

    const ISSUER: &str = "https://idp.example.com/realms/company";

    async fn databases(test: &str) -> Vec<Database> {
        crate::test_databases::each(&format!("sso_{test}")).await
    }

    #[test]
    fn a_name_is_the_handle_at_the_issuer_host_in_safe_characters() {
        assert_eq!(
            sso_name("olivia", "idp.example.com"),
            "olivia@idp.example.com"
        );
        assert_eq!(
            sso_name("Olivia.Smith", "IdP.Example.com"),
            "olivia.smith@idp.example.com"
        );
        assert_eq!(sso_name("=cmd|' /c calc'!A0", "idp"), "cmd-c-calc-a0@idp");
        assert_eq!(sso_name("olivia admin\n", "idp"), "olivia-admin@idp");
        // A look-alike letter does not pass for the plain one.
        assert_eq!(sso_name("\u{430}dmin", "idp"), "dmin@idp");
        assert_eq!(sso_name("@@", "idp"), "user@idp");
        assert_eq!(sso_name("o", "[::1]"), "o@::1");
        assert_eq!(sso_name(&"x".repeat(500), "idp").len(), 64 + "@idp".len());
    }

    #[test]
    fn numbered_names_keep_the_host_last() {
        assert_eq!(numbered("olivia@idp", 1), "olivia@idp");
        assert_eq!(numbered("olivia@idp", 2), "olivia-2@idp");
        assert_eq!(numbered("olivia", 3), "olivia-3");
    }

    #[tokio::test]
    async fn an_identity_keeps_its_first_name_and_nobody_else_gets_it() {
        for database in databases("keeps").await {
            keeps_its_name(SsoIdentities::new(&database)).await;
        }
    }

    async fn keeps_its_name(identities: SsoIdentities) {
        let first = identities
            .sign_in(ISSUER, "sub-1", "olivia@idp.example.com")
            .await
            .expect("named");
        assert_eq!(first, "olivia@idp.example.com");
        // Renamed at the provider: still the same person, the same name.
        let renamed = identities
            .sign_in(ISSUER, "sub-1", "olivia.smith@idp.example.com")
            .await
            .expect("named");
        assert_eq!(renamed, "olivia@idp.example.com");
        // Another person the provider now calls olivia (in any case) does not become her.
        let other = identities
            .sign_in(ISSUER, "sub-2", "OLIVIA@idp.example.com")
            .await
            .expect("named");
        assert_eq!(other, "OLIVIA-2@idp.example.com");
        let third = identities
            .sign_in(ISSUER, "sub-3", "olivia@idp.example.com")
            .await
            .expect("named");
        assert_eq!(third, "olivia-3@idp.example.com");
        // The same subject at another issuer is another person.
        let elsewhere = identities
            .sign_in(
                "https://other.example.com",
                "sub-1",
                "olivia@idp.example.com",
            )
            .await
            .expect("named");
        assert_eq!(elsewhere, "olivia-4@idp.example.com");
    }

    #[tokio::test]
    async fn a_local_account_name_is_never_given_to_a_provider_user() {
        for database in databases("local").await {
            never_a_local_name(database).await;
        }
    }

    async fn never_a_local_name(database: Database) {
        // A local account from before local names lost '@'.
        sqlx::query(
            "INSERT INTO users (name, groups, password_hash, created_at, password_changed_at) \
             VALUES ('olivia@idp.example.com', '[\"admins\"]', 'x', 0, 0)",
        )
        .execute(database.pool())
        .await
        .expect("inserted");
        let identities = SsoIdentities::new(&database);
        let name = identities
            .sign_in(ISSUER, "sub-1", "olivia@idp.example.com")
            .await
            .expect("named");
        assert_eq!(name, "olivia-2@idp.example.com");
        assert_eq!(Users::new(&database).count().await.expect("counted"), 1);
    }

    #[tokio::test]
    async fn a_local_account_cannot_take_a_single_sign_on_name() {
        let users = Users::new(&crate::test_databases::sqlite("sso_no_at").await);
        let refused = users
            .add("olivia@idp.example.com", &[], "a long enough password")
            .await
            .expect_err("refused");
        assert!(
            matches!(refused, crate::AccountError::SingleSignOnName(_)),
            "{refused}"
        );
        assert!(refused.to_string().contains("without '@'"), "{refused}");
        assert_eq!(users.count().await.expect("counted"), 0);
    }

    #[tokio::test]
    async fn first_sign_ins_at_once_get_one_name_each() {
        for database in databases("race").await {
            one_name_each(SsoIdentities::new(&database)).await;
        }
    }

    async fn one_name_each(identities: SsoIdentities) {
        let mut names = Vec::new();
        let tries: Vec<_> = (0..8)
            .map(|i| {
                let identities = identities.clone();
                tokio::spawn(async move {
                    identities
                        .sign_in(ISSUER, &format!("sub-{}", i % 4), "sam@idp")
                        .await
                })
            })
            .collect();
        for one in tries {
            names.push(one.await.expect("ran").expect("named"));
        }
        // Four people, each always under one name, no name shared.
        for i in 0..4 {
            assert_eq!(names[i], names[i + 4]);
        }
        let mut distinct = names[..4].to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "{names:?}");
    }
}
