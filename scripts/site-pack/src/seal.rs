//! The bundle named by its content and precompressed.
//!
//! The files are named together, by a directory whose name is their hash: the main script imports
//! the chunks' loader, which imports the main script back, and the splitter's output is only valid
//! as a whole (any change to the code renames every chunk anyway), so one name for the set is as
//! precise as one per file and keeps the references between them as they are. The stylesheet
//! rides along (18 KB, 5 KB gzip): a change to it alone has browsers fetch the modules again.

use crate::split::MANIFEST;
use anyhow::Context;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the server reads to refer to the bundle (`<site>/bundle.json`).
#[derive(Serialize)]
struct Bundle {
    /// The directory of the bundle's files, relative to the site (`pkg/<hash>`).
    dir: String,
    /// Per split point, the chunk files (without `.wasm`) it needs.
    needs: BTreeMap<String, Vec<String>>,
}

pub fn seal(site: &Path, name: &str) -> anyhow::Result<()> {
    let pkg = site.join("pkg");
    let scripts = pkg.join(name);
    let manifest = scripts.join(MANIFEST);
    let text = std::fs::read(&manifest)
        .with_context(|| format!("no {}: run `site-pack split` first", manifest.display()))?;
    std::fs::remove_file(&manifest)?;
    let needs: BTreeMap<String, Vec<String>> =
        serde_json::from_slice(&text).context("the split manifest is not a map of lists")?;

    let dir = format!("pkg/{}", hash_tree(&scripts)?);
    std::fs::rename(&scripts, site.join(&dir))?;

    let mut raw = 0;
    let mut brotli = 0;
    // This bundle's files only: a site sealed before keeps its own copies. One thread per file:
    // Zopfli takes seconds on a module.
    let sizes = std::thread::scope(|scope| {
        let work: Vec<_> = files(&site.join(&dir))?
            .into_iter()
            .map(|file| scope.spawn(move || precompress(&file)))
            .collect();
        work.into_iter()
            .map(|w| w.join().expect("precompressing does not panic"))
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    for (size, compressed) in sizes {
        raw += size;
        brotli += compressed;
    }
    eprintln!("site-pack: {dir}: {raw} B, {brotli} B with Brotli");
    let bundle = Bundle { dir, needs };
    std::fs::write(
        site.join("bundle.json"),
        serde_json::to_vec_pretty(&bundle)?,
    )?;
    Ok(())
}

/// Writes `<file>.br` and `<file>.gz` where they are smaller; the sizes of the file and of its
/// Brotli copy (or of itself when that is not smaller).
fn precompress(file: &Path) -> anyhow::Result<(usize, usize)> {
    let data = std::fs::read(file)?;
    let mut brotli = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 24,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut data.as_slice(), &mut brotli, &params)?;
    }
    // Zopfli writes gzip any browser reads, about 5 % smaller than zlib's best. No name and no
    // time in the header: the same file makes the same bytes.
    let mut gzip = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        data.as_slice(),
        &mut gzip,
    )?;
    let mut smallest = data.len();
    for (extension, compressed) in [("br", &brotli), ("gz", &gzip)] {
        if compressed.len() < data.len() {
            std::fs::write(with_extension(file, extension), compressed)?;
            if extension == "br" {
                smallest = compressed.len();
            }
        }
    }
    Ok((data.len(), smallest))
}

fn with_extension(file: &Path, extension: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

/// Every file under `dir`, sorted.
fn files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The hash of the files under `dir`, with their places in it.
fn hash_tree(dir: &Path) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    for file in files(dir)? {
        let place = file.strip_prefix(dir)?.to_string_lossy().into_owned();
        parts.push(place.into_bytes());
        parts.push(std::fs::read(&file)?);
    }
    Ok(hash_bytes(
        &parts.iter().map(Vec::as_slice).collect::<Vec<_>>(),
    ))
}

/// 16 hex digits of SHA-256: enough that two bundles never share a name.
fn hash_bytes(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
