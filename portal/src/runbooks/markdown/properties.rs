//! Property test of a runbook description's HTML: whatever Markdown a runbook's author writes
//! (raw HTML, links and images to any URL, entities, tables, nesting), the page gets only the
//! elements Markdown makes, only their plain attributes, and no link or image that runs script.

use proptest::prelude::*;

use super::to_safe_html;

/// What Markdown turns into HTML, and what attacks try through it.
const PIECES: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<svg onload=alert(1)>",
    "<iframe src=//evil>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox)",
    "![i](javascript:alert(1))",
    "![i](https://example.com/i.png \"t\\\" onload=\\\"x\")",
    "[ref]\n\n[ref]: javascript:alert(1)\n",
    "[x](<javascript:alert(1)>)",
    "[x](https://docs.aws.amazon.com \"title\")",
    "<https://example.com>",
    "<javascript:alert(1)>",
    "# h\n",
    "| a | b |\n|:-|-:|\n| 1 | 2 |\n",
    "```\ncode\n```\n",
    "`x`",
    "**b** _i_ ~~s~~",
    "- item\n",
    "1. one\n",
    "> quote\n",
    "&amp; &lt; &#x3C;script&#x3E;",
    "\"'<>&",
    "\n\n",
    " ",
];

const ELEMENTS: &[&str] = &[
    "p",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
];
const ATTRIBUTES: &[&str] = &["href", "src", "alt", "title", "start", "style", "class"];

/// Decodes the entities pulldown-cmark writes in attribute values.
fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Whether a browser would run something on following `url`: its scheme, read as browsers do
/// (ASCII whitespace and controls removed, case ignored), is neither none nor a web one.
fn runs_script(url: &str) -> bool {
    let url: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = url.find(':');
    let path_start = url.find(['/', '?', '#']);
    match (scheme_end, path_start) {
        (Some(colon), Some(slash)) if slash < colon => false,
        (Some(colon), _) => !matches!(&url[..colon], "http" | "https" | "mailto"),
        (None, _) => false,
    }
}

/// Every problem with `html`: an element or attribute Markdown does not make, or a URL that runs.
fn problems(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tag_text = &rest[open + 1..];
        let end = tag_text.find('>').unwrap_or(tag_text.len());
        let tag = &tag_text[..end];
        rest = &tag_text[end..];
        let tag = tag.trim_end_matches('/').trim();
        let (name, mut attributes) = tag.split_once(' ').unwrap_or((tag, ""));
        let name = name.trim_start_matches('/');
        if !ELEMENTS.contains(&name) {
            found.push(format!("element <{name}>"));
        }
        while let Some((attribute, after)) = attributes.trim_start().split_once("=\"") {
            let Some((value, next)) = after.split_once('"') else {
                found.push(format!("unterminated attribute in <{tag}>"));
                break;
            };
            let attribute = attribute.trim();
            if !ATTRIBUTES.contains(&attribute) {
                found.push(format!("attribute {attribute} in <{tag}>"));
            }
            if matches!(attribute, "href" | "src") && runs_script(&unescape(value)) {
                found.push(format!("{attribute}={value:?}"));
            }
            attributes = next;
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn no_markdown_puts_script_in_the_page(
        pieces in prop::collection::vec(
            prop_oneof![4 => proptest::sample::select(PIECES).prop_map(str::to_owned), 1 => "\\PC{0,12}"],
            0..12,
        ),
    ) {
        let markdown = pieces.concat();
        let html = to_safe_html(&markdown);
        prop_assert!(problems(&html).is_empty(), "{:?}\n{}\n{:?}", markdown, html, problems(&html));
    }
}

#[test]
fn the_checker_sees_what_it_looks_for() {
    assert!(problems("<p><a href=\"https://x\">x</a></p>").is_empty());
    assert_eq!(problems("<script>x</script>").len(), 2);
    assert_eq!(problems("<a href=\"javascript:x\" onclick=\"y\">").len(), 2);
    assert!(runs_script(" JavaScript:alert(1)"));
    assert!(runs_script("java\tscript:alert(1)"));
    assert!(!runs_script("/a:b"));
    assert!(!runs_script("#"));
}
