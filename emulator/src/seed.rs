//! The emulator's starting state, read from the files in `emulator/seed/` (compiled in) or from a
//! directory given at start.

use std::path::Path;

use serde::Deserialize;

use crate::identity::Principal;

const IDENTITIES: &str = include_str!("../seed/identities.json");

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identities {
    /// Requests signed with an access key the seed does not list act as this key's principal.
    pub default_access_key_id: String,
    pub principals: Vec<Principal>,
}

#[derive(Debug, Clone)]
pub struct Seed {
    pub identities: Identities,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read seed file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("seed file {path} is not valid: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("seed file {path}: default access key {key} is not among the principals")]
    NoDefaultPrincipal { path: String, key: String },
}

impl Seed {
    /// The seed shipped with the emulator.
    pub fn builtin() -> Result<Self, SeedError> {
        Self::from_texts("identities.json", IDENTITIES)
    }

    /// A seed read from `dir`; files it lacks fall back to the built-in ones.
    pub fn from_dir(dir: &Path) -> Result<Self, SeedError> {
        let path = dir.join("identities.json");
        let text = if path.exists() {
            std::fs::read_to_string(&path).map_err(|source| SeedError::Read {
                path: path.display().to_string(),
                source,
            })?
        } else {
            IDENTITIES.to_owned()
        };
        Self::from_texts(&path.display().to_string(), &text)
    }

    fn from_texts(path: &str, identities: &str) -> Result<Self, SeedError> {
        let identities: Identities =
            serde_json::from_str(identities).map_err(|source| SeedError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if !identities
            .principals
            .iter()
            .any(|p| p.access_key_id == identities.default_access_key_id)
        {
            return Err(SeedError::NoDefaultPrincipal {
                path: path.to_owned(),
                key: identities.default_access_key_id.clone(),
            });
        }
        Ok(Self { identities })
    }
}
