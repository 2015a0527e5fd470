//! A notice in each channel's shape: an e-mail's subject and text, Slack's JSON with blocks, and
//! the signed webhook's JSON. Every message links to the page to act on.

use serde_json::{json, Map, Value};

use domain::notification::Notice;

/// The link to the page the notice is about.
pub fn link(portal_url: &str, notice: &Notice) -> String {
    format!("{portal_url}{}", notice.path)
}

/// Subject and plain-text body.
pub fn email(portal_url: &str, notice: &Notice) -> (String, String) {
    let mut body = format!("{}\n\n", notice.title);
    for (name, value) in &notice.facts {
        body.push_str(&format!("{name}: {value}\n"));
    }
    body.push_str(&format!(
        "\nOpen it in the portal: {}\n\n-- \nRunbook Portal. You get this because of your \
         notification settings: {portal_url}/notifications\n",
        link(portal_url, notice)
    ));
    // A header may not carry a line break.
    let subject = notice.title.replace(['\r', '\n'], " ");
    (subject, body)
}

/// Slack's `mrkdwn` treats `&`, `<` and `>` as markup.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Slack's incoming-webhook body: `text` for notifications and clients without blocks, and
/// blocks: the title linked, the facts as fields (at most ten), a button to the page.
pub fn slack(portal_url: &str, notice: &Notice) -> Value {
    let url = link(portal_url, notice);
    let fields: Vec<Value> = notice
        .facts
        .iter()
        .take(10)
        .map(|(name, value)| {
            json!({"type": "mrkdwn", "text": format!("*{}*\n{}", escaped(name), escaped(value))})
        })
        .collect();
    let mut blocks = vec![json!({
        "type": "section",
        "text": {"type": "mrkdwn", "text": format!("*<{url}|{}>*", escaped(&notice.title))}
    })];
    if !fields.is_empty() {
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    blocks.push(json!({
        "type": "actions",
        "elements": [{
            "type": "button",
            "text": {"type": "plain_text", "text": "Open in Runbook Portal"},
            "url": url
        }]
    }));
    json!({"text": format!("{}: {url}", escaped(&notice.title)), "blocks": blocks})
}

/// The signed webhook's body: the event, what happened, the facts by name, the link, and the
/// delivery's id (the same on every retry, for receivers to drop duplicates).
pub fn webhook(portal_url: &str, notice: &Notice, delivery: &str, created_at: i64) -> Value {
    let facts: Map<String, Value> = notice
        .facts
        .iter()
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    json!({
        "event": notice.event.key(),
        "title": notice.title,
        "facts": facts,
        "url": link(portal_url, notice),
        "delivery": delivery,
        "created_at_ms": created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::notification::{Audience, Event};

    fn notice() -> Notice {
        Notice {
            event: Event::ExecutionFailed,
            title: "Execution failed: <AWS-RestartEC2Instance> & more".into(),
            facts: vec![("Runbook".into(), "AWS-RestartEC2Instance".into())],
            path: "/automation/executions/abc".into(),
            audience: Audience::default(),
            grant: String::new(),
        }
    }

    #[test]
    fn slack_gets_text_blocks_and_a_button_with_markup_escaped() {
        let body = slack("https://portal.example.com", &notice());
        assert!(body["text"]
            .as_str()
            .is_some_and(|t| t.ends_with("https://portal.example.com/automation/executions/abc")));
        let title = body["blocks"][0]["text"]["text"].as_str().expect("title");
        assert!(
            title.contains("&lt;AWS-RestartEC2Instance&gt; &amp; more"),
            "{title}"
        );
        assert_eq!(
            body["blocks"][1]["fields"][0]["text"],
            "*Runbook*\nAWS-RestartEC2Instance"
        );
        assert_eq!(
            body["blocks"][2]["elements"][0]["url"],
            "https://portal.example.com/automation/executions/abc"
        );
    }

    #[test]
    fn an_email_subject_has_no_line_break() {
        let mut n = notice();
        n.title = "one\r\nBcc: eve@example.com".into();
        let (subject, body) = email("http://p", &n);
        assert_eq!(subject, "one  Bcc: eve@example.com");
        assert!(body.contains("Open it in the portal: http://p/automation/executions/abc"));
    }
}
