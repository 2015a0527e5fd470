//! Presentation mode's books: per presenting browser, the masked forms it was shown and the
//! value each stands for. A form is claimed by one statement, so concurrent requests (on one
//! replica or several) never give one form to two values.

use sqlx::{AnyPool, Row};

use crate::database::Database;
use crate::users::now;

/// Books untouched this long are deleted (a browser session does not last longer).
const KEPT_FOR_SECS: i64 = 7 * 24 * 3600;

#[derive(Clone)]
pub struct PresentationAliases {
    pool: AnyPool,
}

impl PresentationAliases {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
        }
    }

    /// Who the book belongs to (`None` for a book with nothing in it yet) and its (masked,
    /// original) pairs, in one read.
    pub async fn load(
        &self,
        book: &str,
    ) -> Result<(Option<String>, Vec<(String, String)>), sqlx::Error> {
        let rows =
            sqlx::query("SELECT owner, masked, original FROM presentation_aliases WHERE book = $1")
                .bind(book)
                .fetch_all(&self.pool)
                .await?;
        let owner = rows
            .first()
            .map(|r| r.try_get::<String, _>(0))
            .transpose()?;
        let pairs = rows
            .iter()
            .map(|r| Ok((r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((owner, pairs))
    }

    /// Claims each (masked, original) pair for `owner`'s book; `false` when another request
    /// claimed one of the forms (or gave one of the values another form) first.
    pub async fn claim(
        &self,
        book: &str,
        owner: &str,
        pairs: &[(String, String)],
    ) -> Result<bool, sqlx::Error> {
        let mut all = true;
        for (masked, original) in pairs {
            sqlx::query(
                "INSERT INTO presentation_aliases (book, owner, masked, original, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(book)
            .bind(owner)
            .bind(masked)
            .bind(original)
            .bind(now())
            .execute(&self.pool)
            .await?;
            let kept = sqlx::query(
                "SELECT masked FROM presentation_aliases WHERE book = $1 AND original = $2",
            )
            .bind(book)
            .bind(original)
            .fetch_optional(&self.pool)
            .await?;
            let kept: Option<String> = kept.map(|r| r.try_get(0)).transpose()?;
            all &= kept.as_deref() == Some(masked.as_str());
        }
        Ok(all)
    }

    /// Forgets a book (presentation mode turned off), and every book past its time.
    pub async fn forget(&self, book: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM presentation_aliases WHERE book = $1 OR created_at < $2")
            .bind(book)
            .bind(now() - KEPT_FOR_SECS)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_form_stands_for_one_value_even_when_two_requests_claim_it() {
        for database in crate::test_databases::each("presentation_aliases").await {
            let books = PresentationAliases::new(&database);
            let pair = |m: &str, o: &str| (m.to_owned(), o.to_owned());
            assert!(books
                .claim("b1", "ann", &[pair("•••.•••.•••.5", "10.0.1.5")])
                .await
                .expect("claim"));
            // Another request gave the same form to another value: refused.
            assert!(!books
                .claim("b1", "ann", &[pair("•••.•••.•••.5", "10.0.2.5")])
                .await
                .expect("claim"));
            // The same pair again is fine; another book is separate.
            assert!(books
                .claim("b1", "ann", &[pair("•••.•••.•••.5", "10.0.1.5")])
                .await
                .expect("claim"));
            assert!(books
                .claim("b2", "bob", &[pair("•••.•••.•••.5", "10.0.2.5")])
                .await
                .expect("claim"));
            assert_eq!(
                books.load("b1").await.expect("load"),
                (Some("ann".into()), vec![pair("•••.•••.•••.5", "10.0.1.5")])
            );
            assert_eq!(
                books.load("b2").await.expect("load").0.as_deref(),
                Some("bob")
            );
            books.forget("b1").await.expect("forget");
            assert_eq!(books.load("b1").await.expect("load"), (None, Vec::new()));
        }
    }
}
