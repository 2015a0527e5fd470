//! The script that makes the page the server rendered interactive. Once the browser has painted it
//! and is idle, it asks for the bundle's main script, its main module and the chunks of the
//! page's islands side by side, then hydrates each island whose chunks came; once someone uses
//! the page, it has the chunks of the page it leads to prefetched. An island whose code does not load (a deploy
//! replaced the bundle, or the network failed) stays as the server rendered it, which works
//! without JavaScript; the others hydrate all the same.
//!
//! Nothing of the bundle but the stylesheet is asked for before the first paint: preloads in the
//! head would share the connection with the stylesheet and hold the paint back on a slow network.
//! Leptos's own `HydrationScripts` reads which chunks a page needs from a file on disk, and the
//! bundle here is embedded in the binary.

use leptos::prelude::*;

/// The inline module script; `dir` is the bundle's directory (`pkg/<hash>`), `name` the name of
/// its main script and module.
pub fn hydration_script(dir: &str, name: &str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (nonce, (islands, next)) = (
        leptos::nonce::use_nonce().map(|nonce| nonce.to_string()),
        crate::routes::chunks_of_this_page(),
    );
    #[cfg(not(feature = "ssr"))]
    let (nonce, (islands, next)) = (
        None::<String>,
        (crate::routes::Chunks::default(), Vec::<String>::new()),
    );
    let script = without_comments(&format!(
        r#"(() => {{
  const dir = "/{dir}";
  // Each lazy island's chunk files, by the island's name in snake case.
  const chunks = {chunks};
  const link = (attributes) => document.head.append(Object.assign(document.createElement("link"), attributes));
  const module = (file, rel) => link({{ rel, as: "fetch", type: "application/wasm", crossOrigin: "anonymous", href: `${{dir}}/${{file}}.wasm` }});
  // An island is named `<Component>_<digits>`; its chunks, `<component in snake case>`.
  const island = (element) => (element.dataset.component ?? "").replace(/_\d+$/, "").replace(/[A-Z]/g, (c, i) => (i ? "_" : "") + c.toLowerCase());
  // The next page's chunks are fetched once someone uses the page (a pointer moves, a key, a
  // touch): the network stays with the page while it loads, and a page nobody is at (a tab in the
  // background) spends nothing on them.
  const whenSomeoneIsThere = (then) => {{
    const signs = ["pointermove", "pointerdown", "keydown", "touchstart"];
    const once = () => {{
      for (const type of signs) window.removeEventListener(type, once, true);
      then();
    }};
    for (const type of signs) window.addEventListener(type, once, {{ capture: true, passive: true }});
  }};
  // A chunk, fetched once with the main module: whether it came (the chunks' loader then takes it
  // from the cache). The loader cannot be asked: a chunk it does not get stops the page's code.
  const asked = new Map();
  const chunk = (file) => {{
    if (!asked.has(file)) asked.set(file, fetch(`${{dir}}/${{file}}.wasm`).then((r) => r.ok && r.arrayBuffer().then(() => true)).catch(() => false));
    return asked.get(file);
  }};
  const start = () => {{
    const islands = [...document.querySelectorAll("leptos-island")];
    const needed = new Set(islands.flatMap((element) => chunks[island(element)] ?? []));
    if (needed.size > 0) link({{ rel: "modulepreload", href: `${{dir}}/__wasm_split.js` }});
    module("{name}", "preload");
    for (const file of needed) chunk(file);
    import(`${{dir}}/{name}.js`)
      .then(async (bundle) => {{
        await bundle.default({{ module_or_path: `${{dir}}/{name}.wasm` }});
        bundle.hydrate();
        // The browser gets the thread back between islands: input is answered while a page
        // hydrates, and no single task holds the page for all of them.
        const breathe = () => new Promise((resolve) => setTimeout(resolve, 0));
        for (const element of islands) {{
          await breathe();
          const came = await Promise.all((chunks[island(element)] ?? []).map(chunk));
          // An island whose code did not come stays as the server rendered it: its forms post,
          // its links load pages.
          if (came.every(Boolean)) await bundle[element.dataset.component]?.(element);
          else console.warn("A part of the page stays as the server sent it: its code did not load.", element.dataset.component);
        }}
        await breathe();
        bundle.hydrated();
        whenSomeoneIsThere(() => {{ for (const file of {next}) module(file, "prefetch"); }});
      }})
      .catch((error) => console.error("The page stays as the server sent it: its script did not load or stopped.", error));
  }};
  // At the latest 2 s after the page is parsed, should the browser never be idle.
  if ("requestIdleCallback" in window) requestIdleCallback(start, {{ timeout: 2000 }});
  else setTimeout(start, 0);
}})();"#,
        chunks = js_chunks(islands.by_island()),
        next = js_list(&next),
    ));
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// A JavaScript object of each island's chunk files. Names are letters, digits and `_` (the
/// build's); anything else is left out rather than written into a script.
fn js_chunks(islands: &[(String, Vec<String>)]) -> String {
    let entries: Vec<String> = islands
        .iter()
        .filter(|(island, _)| plain(island))
        .map(|(island, files)| format!("\"{island}\":{}", js_list(files)))
        .collect();
    format!("{{{}}}", entries.join(","))
}

fn plain(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A JavaScript array of the files' names. The build names them with letters, digits and `_`;
/// anything else is left out rather than written into a script.
fn js_list(files: &[String]) -> String {
    let names: Vec<String> = files
        .iter()
        .filter(|file| plain(file))
        .map(|file| format!("\"{file}\""))
        .collect();
    format!("[{}]", names.join(","))
}

/// The script as pages carry it: without its comments (whole lines that start with `//`) and its
/// indentation, which are for the people who read this file. The script has no string that spans
/// lines, whose lines this would change.
fn without_comments(script: &str) -> String {
    script
        .lines()
        .map(str::trim_start)
        .filter(|line| !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}
