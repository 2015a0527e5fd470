//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), and generated passwords.
//!
//! Checking a password fills 19 MiB of argon2's blocks. They are allocated once per concurrent
//! check and kept (`Blocks`): glibc's malloc, once a freed block of that size raised its mmap
//! threshold, served the next ones from per-thread arenas it never returned, and 40 sign-ins
//! left a portal holding 376 MB instead of 34.

use std::sync::Mutex;

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::distr::{Alphanumeric, SampleString};

pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` is the one `hash` (a PHC string) was made from; compared in constant time.
pub fn verify(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm),
    ) else {
        return false;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let computed = BLOCKS.with(blocks, |memory| {
        Output::init_with(expected.len(), |out| {
            Ok(argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, memory)?)
        })
    });
    computed.is_ok_and(|computed| computed == expected)
}

/// Block memory kept for the next check, one set per check that ran at once (the sign-in
/// limits them to one per core).
struct Blocks(Mutex<Vec<Vec<Block>>>);

static BLOCKS: Blocks = Blocks(Mutex::new(Vec::new()));

impl Blocks {
    fn with<T>(&self, count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let kept = self.0.lock().map(|mut kept| kept.pop()).unwrap_or_default();
        let mut memory = kept.unwrap_or_default();
        if memory.len() < count {
            memory.resize(count, Block::default());
        }
        let answer = f(&mut memory[..count]);
        if let Ok(mut kept) = self.0.lock() {
            kept.push(memory);
        }
        answer
    }
}

/// 24 letters and digits (about 143 bits).
pub fn random_password() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_checks_against_its_hash_only() {
        let stored = hash("correct horse").expect("hashed");
        assert!(verify("correct horse", &stored));
        assert!(!verify("correct hors", &stored));
        assert!(!verify("correct horse", "not a hash"));
        // A hash made elsewhere with other parameters (argon2's reference vector, m=64 KiB t=3).
        let other = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 3, 1, Some(24)).expect("params"),
        )
        .hash_password(b"other", &SaltString::generate(&mut OsRng))
        .expect("hashed")
        .to_string();
        assert!(verify("other", &other));
        assert!(!verify("Other", &other));
        // The memory is kept for the next check, not allocated again.
        assert!(!BLOCKS.0.lock().expect("lock").is_empty());
    }
}
