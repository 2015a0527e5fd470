//! The portal's data directory holds password hashes, sessions, the audit trail, the first
//! admin's password and the grants: nobody else's business on the machine. What the portal
//! creates there it creates owner-only (directory 0700, files 0600), whatever the umask.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::Context;

/// Creates the data directory (and any missing parents) owner-only. One that exists is left as
/// it is, with a warning when others may read it.
pub fn create(dir: &Path) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    if let Ok(meta) = std::fs::metadata(dir) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                mode = format!("{mode:o}"),
                "others may read the data directory (password hashes, sessions, audit trail): `chmod 700` it"
            );
        }
    }
    Ok(())
}

/// Writes a new file (or replaces one) readable and writable by the owner only.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only when the file is created: an existing one is narrowed too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn the_directory_and_files_are_owner_only() {
        let base = std::env::temp_dir().join(format!("data-dir-test-{}", std::process::id()));
        let dir = base.join("nested").join("data");
        create(&dir).expect("created");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&base.join("nested")), 0o700);
        let file = dir.join("secret");
        std::fs::write(&file, "old").expect("written");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_private(&file, "new").expect("rewritten");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read_to_string(&file).expect("read"), "new");
        let _ = std::fs::remove_dir_all(&base);
    }
}
