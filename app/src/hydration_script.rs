//! The script that makes the page the server rendered interactive. Once the browser has painted it
//! and is idle, it asks for the bundle's main script, its main module and the chunks of the page's
//! area side by side, hydrates, and has the chunks of the area the page leads to prefetched.
//!
//! Nothing of the bundle but the stylesheet is asked for before the first paint: preloads in the
//! head would share the connection with the stylesheet and hold the paint back on a slow network.
//! Leptos's own `HydrationScripts` can defer too, but reads which chunks a page needs from a file
//! on disk, and the bundle here is embedded in the binary.

use leptos::prelude::*;

/// The inline module script; `dir` is the bundle's directory (`pkg/<hash>`), `name` the name of
/// its main script and module.
pub fn hydration_script(dir: &str, name: &str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (nonce, (needed, next)) = (
        leptos::nonce::use_nonce().map(|nonce| nonce.to_string()),
        crate::routes::chunks_of_this_page(),
    );
    #[cfg(not(feature = "ssr"))]
    let (nonce, (needed, next)) = (None::<String>, (Vec::<String>::new(), Vec::<String>::new()));
    let script = format!(
        r#"(() => {{
  const dir = "/{dir}";
  const link = (attributes) => document.head.append(Object.assign(document.createElement("link"), attributes));
  const module = (file, rel) => link({{ rel, as: "fetch", type: "application/wasm", crossOrigin: "anonymous", href: `${{dir}}/${{file}}.wasm` }});
  // Until the page is interactive a click or a submission is the browser's own (a page load), as
  // without JavaScript: the router listens from the start of hydration, and a navigation it took
  // over before the page's code has met the page would leave parts of the page behind.
  const untilInteractive = (event) => event.stopImmediatePropagation();
  for (const type of ["click", "submit"]) window.addEventListener(type, untilInteractive, true);
  const interactive = () => {{
    for (const type of ["click", "submit"]) window.removeEventListener(type, untilInteractive, true);
  }};
  const start = () => {{
    link({{ rel: "modulepreload", href: `${{dir}}/__wasm_split.js` }});
    for (const file of ["{name}", ...{needed}]) module(file, "preload");
    import(`${{dir}}/{name}.js`)
      .then((bundle) => bundle.default({{ module_or_path: `${{dir}}/{name}.wasm` }}).then(() => bundle.hydrate()))
      .then(() => {{
        interactive();
        for (const file of {next}) module(file, "prefetch");
      }})
      .catch((error) => {{
        interactive();
        console.error("The page stays as the server sent it: its script did not load.", error);
      }});
  }};
  // At the latest 2 s after the page is parsed, should the browser never be idle.
  if ("requestIdleCallback" in window) requestIdleCallback(start, {{ timeout: 2000 }});
  else setTimeout(start, 0);
}})();"#,
        needed = js_list(&needed),
        next = js_list(&next),
    );
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// A JavaScript array of the files' names. The build names them with letters, digits and `_`;
/// anything else is left out rather than written into a script.
fn js_list(files: &[String]) -> String {
    let names: Vec<String> = files
        .iter()
        .filter(|file| file.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .map(|file| format!("\"{file}\""))
        .collect();
    format!("[{}]", names.join(","))
}
