//! The module cut at its split points.

use anyhow::Context;
use std::collections::BTreeMap;
use std::path::Path;

/// The file the map from split point to the chunk files it needs is written to, in `out_dir`.
pub const MANIFEST: &str = "split-manifest.json";

pub fn split(
    input: &Path,
    out_dir: &Path,
    main_out: &Path,
    main_module: &str,
) -> anyhow::Result<()> {
    let wasm = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    std::fs::create_dir_all(out_dir)?;
    let mut options = wasm_split_cli_support::Options::new(&wasm);
    options.output_dir = out_dir;
    options.main_out_path = main_out;
    options.main_module = main_module;
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow::anyhow!("cannot split {}: {e:?}", input.display()))?;
    // Sorted, so that the same build writes the same file.
    let needs: BTreeMap<String, Vec<String>> = split
        .prefetch_map
        .into_iter()
        .map(|(point, mut files)| {
            files.sort();
            (point, files)
        })
        .collect();
    std::fs::write(out_dir.join(MANIFEST), serde_json::to_vec_pretty(&needs)?)?;
    let main = std::fs::metadata(main_out)?.len();
    eprintln!(
        "site-pack: main module {main} B, {} chunks, {} split points",
        split.split_modules.len(),
        needs.len()
    );
    Ok(())
}
