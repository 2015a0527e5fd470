//! Runbook stars: the runbooks each person starred, which their catalog lists first. A person's
//! own preference: nobody else's catalog is ordered by it.

use std::collections::BTreeSet;

use sqlx::{AnyPool, Row};

use crate::database::Database;

#[derive(Clone)]
pub struct RunbookStars {
    pool: AnyPool,
}

impl RunbookStars {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
        }
    }

    /// Stars `runbook` for `user`; starring it again changes nothing.
    pub async fn star(&self, user: &str, runbook: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO runbook_stars (user_name, runbook) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(user)
        .bind(runbook)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes `user`'s star off `runbook`, if it has one.
    pub async fn unstar(&self, user: &str, runbook: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM runbook_stars WHERE user_name = $1 AND runbook = $2")
            .bind(user)
            .bind(runbook)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The runbooks `user` starred.
    pub async fn of(&self, user: &str) -> Result<BTreeSet<String>, sqlx::Error> {
        sqlx::query("SELECT runbook FROM runbook_stars WHERE user_name = $1")
            .bind(user)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>(0))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[tokio::test]
    async fn each_person_stars_runbooks_of_their_own() {
        for database in crate::test_databases::each("runbook_stars").await {
            let stars = RunbookStars::new(&database);
            stars
                .star("ann", "AWS-RestartEC2Instance")
                .await
                .expect("star");
            stars.star("ann", "Ops-Backup").await.expect("star");
            // A second star on the same runbook is the same star.
            stars.star("ann", "Ops-Backup").await.expect("star again");
            stars.star("bob", "Ops-Backup").await.expect("star");
            assert_eq!(
                stars.of("ann").await.expect("read"),
                names(&["AWS-RestartEC2Instance", "Ops-Backup"])
            );

            stars.unstar("ann", "Ops-Backup").await.expect("unstar");
            // Unstarring what has no star changes nothing.
            stars
                .unstar("ann", "Ops-Backup")
                .await
                .expect("unstar again");
            assert_eq!(
                stars.of("ann").await.expect("read"),
                names(&["AWS-RestartEC2Instance"])
            );
            // Ann's unstarring left Bob's star alone; someone who starred nothing has none.
            assert_eq!(stars.of("bob").await.expect("read"), names(&["Ops-Backup"]));
            assert!(stars.of("carol").await.expect("read").is_empty());
        }
    }
}
