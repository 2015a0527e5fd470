//! The script that makes the page the server rendered interactive: once the browser has painted
//! it and is idle, it fetches the bundle's main module and the chunks of the page's area side by
//! side, then hydrates.
//!
//! Nothing of the bundle is asked for before the first paint: preloads in the head would share the
//! connection with the stylesheet and hold the paint back on a slow network. Leptos's own
//! `HydrationScripts` preloads the main module in the head and knows nothing of the chunks.

use leptos::prelude::*;

/// The inline module script; `dir` is the bundle's directory (`pkg/<hash>`), `name` the name of
/// its main script and module.
pub fn hydration_script(dir: &str, name: &str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let (nonce, chunks) = (
        leptos::nonce::use_nonce().map(|nonce| nonce.to_string()),
        crate::routes::chunks_of_this_page(),
    );
    #[cfg(not(feature = "ssr"))]
    let (nonce, chunks) = (None::<String>, Vec::<String>::new());
    // Names the build made: hex, digits, letters and underscores, nothing to escape in a script.
    let chunks = chunks
        .iter()
        .map(|chunk| format!("\"{chunk}\""))
        .collect::<Vec<_>>()
        .join(",");
    let script = format!(
        r#"(() => {{
  const dir = "/{dir}";
  const start = () => {{
    for (const chunk of [{chunks}]) {{
      const link = document.createElement("link");
      Object.assign(link, {{ rel: "preload", as: "fetch", type: "application/wasm", crossOrigin: "anonymous", href: `${{dir}}/${{chunk}}.wasm` }});
      document.head.append(link);
    }}
    import(`${{dir}}/{name}.js`).then((bundle) =>
      bundle.default({{ module_or_path: `${{dir}}/{name}.wasm` }}).then(() => bundle.hydrate()));
  }};
  // At the latest 2 s after the page is parsed, should the browser never be idle.
  if ("requestIdleCallback" in window) requestIdleCallback(start, {{ timeout: 2000 }});
  else setTimeout(start, 0);
}})();"#
    );
    view! { <script type="module" nonce=nonce>{script}</script> }
}
