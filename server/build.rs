//! The browser bundle (`site/`) is embedded into the binary. It is built before the server (see the
//! Makefile); an absent bundle still compiles, so `cargo check` and clippy work without it.

fn main() {
    let site = std::path::Path::new("../site");
    if !site.join("pkg").exists() {
        println!(
            "cargo::warning=site/pkg is missing: the portal will be served without its browser bundle \
             (run `make build` to build it)"
        );
        let _ = std::fs::create_dir_all(site);
    }
    println!("cargo::rerun-if-changed=../site");
    println!("cargo::rerun-if-changed=../site/pkg");
}
