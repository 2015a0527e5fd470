//! Packs the browser bundle that `scripts/build-site` builds:
//! - `site-pack split` cuts the linked WebAssembly module at its split points (the lazy islands)
//!   into a main module and one chunk per split point (and chunks of code they share), and writes
//!   which files each split point needs, so that a page asks for its islands' chunks with the
//!   main module;
//! - `site-pack seal` names the bundle by its content, so browsers may keep it for good, and
//!   writes Brotli and gzip copies of its files (where smaller), so the server never compresses
//!   them per request.

mod seal;
mod split;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Packs the portal's browser bundle")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Splits a module linked with `--emit-relocs` at its `#[lazy]` split points.
    Split {
        /// The module cargo linked (before wasm-bindgen).
        input: PathBuf,
        /// Where the chunks, their loader (`__wasm_split.js`) and `split-manifest.json` go.
        out_dir: PathBuf,
        /// Where the main module goes, for wasm-bindgen to finish.
        #[arg(long)]
        main_out: PathBuf,
        /// The script wasm-bindgen makes of the main module, relative to `out_dir`.
        #[arg(long)]
        main_module: String,
    },
    /// Names the bundle in `<site>/pkg/<name>/` by its content (`<site>/pkg/<hash>/`),
    /// precompresses its files, and writes `<site>/bundle.json` for the server.
    Seal {
        site: PathBuf,
        #[arg(long)]
        name: String,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Split {
            input,
            out_dir,
            main_out,
            main_module,
        } => split::split(&input, &out_dir, &main_out, &main_module),
        Command::Seal { site, name } => seal::seal(&site, &name),
    }
}
