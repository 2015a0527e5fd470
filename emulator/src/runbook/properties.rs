//! Property tests of runbook content: any tree survives JSON and YAML both ways, any text is read
//! or refused with a reason (never a panic), and nesting or aliases cannot make a small document
//! cost without bound.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::*;

/// Scalars YAML readers are known to get wrong: YAML 1.1 booleans, null spellings, numbers in
/// other bases, special floats, indicators and comment starts.
const TRICKY: &[&str] = &[
    "",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "false",
    "True",
    "null",
    "Null",
    "~",
    "0",
    "0.5",
    "1e3",
    "0x1F",
    "0o17",
    "012",
    ".inf",
    "-.inf",
    ".nan",
    "-",
    "- a",
    ": ",
    "a: b",
    "#",
    "# c",
    "&a",
    "*a",
    "!tag",
    "|",
    ">",
    "'",
    "\"",
    "%",
    "@",
    "`",
    "{",
    "}",
    "[",
    "]",
    ",",
    "?",
    "---",
    "...",
    " lead",
    "trail ",
    "\t",
    "line\nbreak",
    "\r\n",
    "\u{feff}",
    "日本語",
    "{{ x }}",
    "2001-12-14",
    "12:30:00",
    "1_000",
    "+1",
    "0b101",
];

fn scalar_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => proptest::sample::select(TRICKY).prop_map(str::to_owned),
        2 => "\\PC{0,24}",
        1 => any::<String>().prop_map(|s| s.chars().take(24).collect()),
    ]
}

/// Any tree JSON can hold, with numbers both formats write exactly.
fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1_000_000i64..1_000_000).prop_map(|n| Value::from(n as f64 / 8.0)),
        scalar_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((scalar_text(), inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Text shaped like documents: fragments of YAML and JSON syntax and tricky scalars.
fn document_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        proptest::sample::select(TRICKY).prop_map(str::to_owned),
        proptest::sample::select(vec![
            "schemaVersion: '0.3'\n",
            "mainSteps:\n",
            "  - name: a\n",
            "    action: aws:sleep\n",
            "    inputs: {Duration: PT1S}\n",
            "parameters:\n",
            "  P: {type: String}\n",
            "{\"schemaVersion\":\"0.3\",",
            "\"mainSteps\":[",
            "{\"name\":\"a\",\"action\":\"aws:branch\",\"inputs\":{\"Choices\":[{\"Not\":",
            "]}",
            "}",
            "&anchor ",
            "*anchor",
            "<<: *anchor\n",
            "\n",
            "  ",
            "- ",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

fn nodes(tree: &Value) -> usize {
    1 + match tree {
        Value::Array(items) => items.iter().map(nodes).sum(),
        Value::Object(map) => map.values().map(nodes).sum(),
        _ => 0,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_tree_survives_json_and_yaml_both_ways(tree in tree()) {
        for format in [Format::Json, Format::Yaml] {
            let text = render(&tree, format);
            let back = parse(&text, format);
            prop_assert_eq!(back.as_ref(), Ok(&tree), "{:?}:\n{}", format, text);
        }
    }

    #[test]
    fn any_text_is_read_or_refused_with_a_reason(text in document_text(), yaml in any::<bool>()) {
        let format = if yaml { Format::Yaml } else { Format::Json };
        match parse(&text, format) {
            Ok(tree) => {
                // Whatever was read, the checks answer (with a reason when they refuse).
                if let Err(reason) = validate(&tree) {
                    prop_assert!(!reason.is_empty());
                }
                let _ = parameters(&tree);
            }
            Err(reason) => prop_assert!(reason.starts_with("The content is not valid"), "{}", reason),
        }
    }
}

/// 64 KB of openers (the largest content CreateDocument takes): refused by depth, not by the
/// stack running out, and quickly.
#[test]
fn deep_nesting_is_refused_not_followed() {
    let depth = MAX_NESTING * 200;
    let cases = [
        ("[".repeat(depth), Format::Json),
        ("{\"a\":".repeat(depth), Format::Json),
        ("[".repeat(depth), Format::Yaml),
        ("{a: ".repeat(depth), Format::Yaml),
        (
            (0..400)
                .map(|i| format!("{}- \n", " ".repeat(i * 2)))
                .collect(),
            Format::Yaml,
        ),
        (
            (0..400)
                .map(|i| format!("{}a:\n", " ".repeat(i * 2)))
                .collect(),
            Format::Yaml,
        ),
    ];
    for (text, format) in cases {
        let started = std::time::Instant::now();
        let refused = parse(&text, format).expect_err("too deep");
        assert!(refused.starts_with("The content is not valid"), "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
    // The deepest a document may be still reads.
    let ok = format!(
        "{}1{}",
        "[".repeat(MAX_NESTING - 1),
        "]".repeat(MAX_NESTING - 1)
    );
    assert!(parse(&ok, Format::Yaml).is_ok());
    assert!(parse(&ok, Format::Json).is_ok());
}

/// The "billion laughs": ten aliases of ten aliases, nine levels, in under 1 KB. Refused, not
/// expanded; and what aliases may expand to stays small next to the 64 KB a document may be.
#[test]
fn alias_expansion_is_bounded() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..9 {
        let previous = format!("*a{}", level - 1);
        let list = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{list}]\n"));
    }
    assert!(text.len() < 1024);
    let refused = parse(&text, Format::Yaml).expect_err("bomb refused");
    assert!(
        refused.starts_with("The content is not valid YAML"),
        "{refused}"
    );

    // Just under the limit: what a document gets from its aliases is bounded.
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..4 {
        let previous = format!("*a{}", level - 1);
        let list = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{list}]\n"));
    }
    let tree = parse(&text, Format::Yaml).expect("ten thousand expansions read");
    assert!(nodes(&tree) <= MAX_REPLAYED_EVENTS, "{}", nodes(&tree));
    text.push_str("a4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]\n");
    text.push_str("a5: [*a4, *a4]\n");
    assert!(parse(&text, Format::Yaml).is_err(), "past the budget");
}
