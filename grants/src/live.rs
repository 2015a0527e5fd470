//! The grants in force: read at start, read again when the file changes or on demand (SIGHUP).
//! A file with mistakes is refused and the grants in force stay as they were.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use crate::file::{Grants, GrantsError};

pub struct LiveGrants {
    path: Option<PathBuf>,
    state: RwLock<State>,
}

struct State {
    grants: Arc<Grants>,
    /// The file's modification time when it was last read (successfully or not).
    read_at: Option<SystemTime>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl LiveGrants {
    /// The grants of `path`; a file that does not exist means no grants (admins only).
    pub fn load(path: &Path) -> Result<Self, GrantsError> {
        let read_at = modified(path);
        let grants = if path.exists() {
            Grants::read(path)?
        } else {
            Grants::default()
        };
        Ok(Self {
            path: Some(path.to_owned()),
            state: RwLock::new(State {
                grants: Arc::new(grants),
                read_at,
            }),
        })
    }

    /// Fixed grants, not read from a file.
    pub fn fixed(grants: Grants) -> Self {
        Self {
            path: None,
            state: RwLock::new(State {
                grants: Arc::new(grants),
                read_at: None,
            }),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn current(&self) -> Arc<Grants> {
        match self.state.read() {
            Ok(state) => state.grants.clone(),
            Err(poisoned) => poisoned.into_inner().grants.clone(),
        }
    }

    /// Reads the file again. `Ok(Some(n))`: n grants now in force; `Ok(None)`: unchanged since
    /// the last read (only when `only_if_changed`).
    pub fn reload(&self, only_if_changed: bool) -> Result<Option<usize>, GrantsError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        let now = modified(path);
        let mut state = match self.state.write() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        if only_if_changed && now == state.read_at {
            return Ok(None);
        }
        // A failed read is not retried until the file changes again.
        state.read_at = now;
        let grants = if path.exists() {
            Grants::read(path)?
        } else {
            Grants::default()
        };
        let count = grants.grants.len();
        state.grants = Arc::new(grants);
        Ok(Some(count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "[[grant]]\nname = \"A\"\nusers = [\"ann\"]\nrunbooks = [\"X\"]\nroles = [\"arn:aws:iam::123456789012:role/R\"]\n";

    #[test]
    fn a_changed_file_is_read_again_and_a_broken_one_keeps_the_grants_in_force() {
        let dir = std::env::temp_dir().join(format!("grants-live-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("grants.toml");
        std::fs::write(&path, ONE).expect("write");
        let live = LiveGrants::load(&path).expect("valid");
        assert_eq!(live.current().grants.len(), 1);
        assert_eq!(live.reload(true).expect("unchanged"), None);

        std::fs::write(&path, "[[grant]]\nname = \"\"\n").expect("write");
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(later))
            .expect("touch");
        assert!(live.reload(true).is_err());
        assert_eq!(live.current().grants.len(), 1, "the grants in force stay");

        std::fs::write(&path, format!("{ONE}\n{}", ONE.replace("\"A\"", "\"B\""))).expect("write");
        assert_eq!(live.reload(false).expect("valid"), Some(2));
        assert_eq!(live.current().grants.len(), 2);
        std::fs::remove_dir_all(&dir).ok();
    }
}
