//! `runbook-portal users …`: the local accounts, managed from the server's shell.

use std::io::BufRead;
use std::path::Path;

use accounts::{random_password, Database, Users};
use anyhow::Context;

use crate::cli::{ServeArgs, UsersAction, UsersArgs};
use crate::config::ServeConfig;

/// The file the first administrator's generated password is written to.
pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password";

/// The portal's database (the data directory is made first: SQLite's file is in it by default).
pub async fn open(config: &ServeConfig) -> anyhow::Result<Database> {
    crate::data_dir::create(&config.data_dir)?;
    Database::connect(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                accounts::redacted_url(&config.database_url)
            )
        })
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((random_password(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

pub async fn run(args: UsersArgs) -> anyhow::Result<()> {
    let config = ServeConfig::resolve(ServeArgs {
        data_dir: args.data_dir,
        config: args.config,
        database_url: args.database_url,
        ..ServeArgs::default()
    })?;
    let users = Users::new(&open(&config).await?);
    match args.action {
        UsersAction::Add {
            name,
            groups,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            users.add(&name, &groups, &password).await?;
            println!("Added {name} (groups: {}).", groups.join(", "));
            if generated {
                println!("Password (shown once): {password}");
            }
        }
        UsersAction::List => {
            for user in users.list().await? {
                println!("{}\t{}", user.name, user.groups.join(","));
            }
        }
        UsersAction::Remove { name } => {
            users.remove(&name).await?;
            println!("Removed {name}; their sessions have ended (open pages sign in again).");
        }
        UsersAction::SetPassword {
            name,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            users.set_password(&name, &password).await?;
            println!("Set the password of {name}; their sessions have ended (they sign in again).");
            if generated {
                println!("Password (shown once): {password}");
            }
            if name == "admin" {
                // The generated first password is no longer the password: do not leave it lying around.
                let _ = std::fs::remove_file(config.data_dir.join(INITIAL_PASSWORD_FILE));
            }
        }
    }
    Ok(())
}

/// On a first start (no accounts at all), creates `admin` in the `admins` group with a random
/// password, written to `<data-dir>/initial-admin-password` (readable by the owner only) and
/// shown once when standard output is a terminal. Of replicas starting together on an empty
/// database, one creates it (and has the file); the others find accounts there.
pub async fn ensure_first_admin(users: &Users, data_dir: &Path) -> anyhow::Result<()> {
    if users.count().await? > 0 {
        return Ok(());
    }
    let password = random_password();
    if !users.add_first_admin(&password).await? {
        return Ok(());
    }
    let path = data_dir.join(INITIAL_PASSWORD_FILE);
    crate::data_dir::write_private(&path, &format!("{password}\n"))
        .with_context(|| format!("cannot write {}", path.display()))?;
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    println!("{}", first_admin_notice(&password, &path, terminal));
    Ok(())
}

/// What a first start says about the admin's password. Standard output that is not a terminal
/// usually ends in a container's or a service's log, kept and read by others: there, only where
/// the password is.
fn first_admin_notice(password: &str, file: &Path, terminal: bool) -> String {
    let change =
        "change it with `runbook-portal users set-password admin`, which deletes that file";
    if terminal {
        format!(
            "First start: created the account `admin` with password {password}\n\
             (also in {}; {change})",
            file.display()
        )
    } else {
        format!(
            "First start: created the account `admin`; its password is in {} \
             (readable by this user only; {change})",
            file.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_password_is_shown_only_on_a_terminal() {
        let file = Path::new("/data/initial-admin-password");
        let shown = first_admin_notice("s3cretPassw0rd", file, true);
        assert!(shown.contains("s3cretPassw0rd"), "{shown}");
        let logged = first_admin_notice("s3cretPassw0rd", file, false);
        assert!(!logged.contains("s3cretPassw0rd"), "{logged}");
        assert!(logged.contains("/data/initial-admin-password"), "{logged}");
    }
}
