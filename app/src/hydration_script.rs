//! The script that makes the page the server rendered interactive. Once the browser has painted it
//! and is idle, it asks for the bundle's main script, its main module and the chunks of the page's
//! area side by side and hydrates; once someone uses the page, it has the chunks of the area the
//! page leads to prefetched. A page whose chunks do not load (a deploy replaced the bundle, or the
//! network failed) goes to another area with a page load.
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
    let script = without_comments(&format!(
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
  // The next area's chunks are fetched once someone uses the page (a pointer moves, a key, a
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
  // A deploy replaces the bundle, and a page from before it finds the chunks of another area gone
  // (404) when the router takes a link there; or the network fails them. Either would stop the
  // page's code for good, so the page follows the link with a page load instead (which brings the
  // new bundle, or the browser's own word on the network); anything else that does not get them
  // loads this page again. (The chunks' loader fetches with the page's `fetch`.)
  const whenChunksFail = () => {{
    let going = null;
    // After the router's own listener: a link it took over is one it is going to.
    window.addEventListener("click", (event) => {{
      const href = event.target.closest?.("a[href]")?.href;
      if (event.defaultPrevented && typeof href === "string") going = href;
    }});
    window.addEventListener("popstate", () => {{ going = null; }});
    const loadThePage = (why, url) => {{
      console.warn(`${{why}}: loading the page again.`, url.pathname);
      if (going === null) location.reload();
      else location.assign(going);
      // The loader waits for the page load rather than failing the page.
      return new Promise(() => {{}});
    }};
    const fetchOf = window.fetch;
    window.fetch = async (input, init) => {{
      const url = new URL(input instanceof Request ? input.url : String(input), location.href);
      if (url.origin !== location.origin || !url.pathname.startsWith(`${{dir}}/`)) return fetchOf(input, init);
      let response;
      try {{
        response = await fetchOf(input, init);
      }} catch {{
        return loadThePage("A part of the page's code did not load", url);
      }}
      if (response.status === 404) return loadThePage("The page's code is gone (a deploy replaced it)", url);
      return response;
    }};
  }};
  const start = () => {{
    link({{ rel: "modulepreload", href: `${{dir}}/__wasm_split.js` }});
    for (const file of ["{name}", ...{needed}]) module(file, "preload");
    import(`${{dir}}/{name}.js`)
      .then((bundle) => bundle.default({{ module_or_path: `${{dir}}/{name}.wasm` }}).then(() => bundle.hydrate()))
      .then(() => {{
        interactive();
        whenChunksFail();
        whenSomeoneIsThere(() => {{ for (const file of {next}) module(file, "prefetch"); }});
      }})
      // Clicks and submissions stay the browser's own: a page half hydrated is no place for the
      // router.
      .catch((error) => console.error("The page stays as the server sent it: its script did not load.", error));
  }};
  // At the latest 2 s after the page is parsed, should the browser never be idle.
  if ("requestIdleCallback" in window) requestIdleCallback(start, {{ timeout: 2000 }});
  else setTimeout(start, 0);
}})();"#,
        needed = js_list(&needed),
        next = js_list(&next),
    ));
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
