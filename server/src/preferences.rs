//! `POST /preferences`: the theme, clock and guide switches. Each sets its cookie and sends the
//! browser back to the page it was on, so they work without JavaScript. The cookies are plain
//! (not HttpOnly): the hydrated page reads them to render as the server did, and the guide's
//! toggle writes its own without a reload.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use domain::preferences::{Clock, Theme, GUIDE_COOKIE, GUIDE_OPEN, PATH};
use serde::Deserialize;

/// A year: the theme and the clock are the browser's until changed.
const KEPT_FOR: u32 = 31_536_000;

#[derive(Clone, Copy)]
struct Cookies {
    /// Sent over HTTPS only (`--secure-cookies`).
    secure: bool,
}

pub fn routes(secure: bool) -> Router {
    Router::new()
        .route(PATH, post(switch))
        .with_state(Cookies { secure })
}

#[derive(Deserialize)]
struct SwitchForm {
    theme: Option<String>,
    clock: Option<String>,
    guide: Option<String>,
    #[serde(default)]
    back: String,
}

async fn switch(State(cookies): State<Cookies>, Form(form): Form<SwitchForm>) -> Response {
    let set = match chosen(&form) {
        Ok(set) => set,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let secure = if cookies.secure { "; Secure" } else { "" };
    let mut response = Redirect::to(crate::sign_in::local_path(&form.back)).into_response();
    for (name, value, kept) in set {
        // The guide's cookie has no Max-Age: it ends with the browser's session.
        let age = kept.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
        let cookie = format!("{name}={value}; Path=/; SameSite=Lax{age}{secure}");
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
    }
    response
}

type Setting = (&'static str, &'static str, Option<u32>);

/// The cookies the form asks for, or what is wrong with it.
fn chosen(form: &SwitchForm) -> Result<Vec<Setting>, &'static str> {
    let mut set = Vec::new();
    if let Some(theme) = &form.theme {
        let theme = Theme::parse(theme).ok_or("theme must be system, light or dark")?;
        set.push((Theme::COOKIE, theme.as_str(), Some(KEPT_FOR)));
    }
    if let Some(clock) = &form.clock {
        let clock = Clock::parse(clock).ok_or("clock must be local or utc")?;
        set.push((Clock::COOKIE, clock.as_str(), Some(KEPT_FOR)));
    }
    if let Some(guide) = &form.guide {
        let value = match guide.as_str() {
            "open" => GUIDE_OPEN,
            "closed" => "closed",
            _ => return Err("guide must be open or closed"),
        };
        set.push((GUIDE_COOKIE, value, None));
    }
    if set.is_empty() {
        return Err("say which preference to change: theme, clock or guide");
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(theme: Option<&str>, clock: Option<&str>, guide: Option<&str>) -> SwitchForm {
        SwitchForm {
            theme: theme.map(str::to_owned),
            clock: clock.map(str::to_owned),
            guide: guide.map(str::to_owned),
            back: String::new(),
        }
    }

    #[test]
    fn each_switch_sets_its_cookie_and_a_wrong_value_says_what_is_allowed() {
        assert_eq!(
            chosen(&form(Some("dark"), None, None)),
            Ok(vec![("portal_theme", "dark", Some(KEPT_FOR))])
        );
        assert_eq!(
            chosen(&form(None, Some("utc"), Some("open"))),
            Ok(vec![
                ("portal_clock", "utc", Some(KEPT_FOR)),
                ("portal_guide", "open", None)
            ])
        );
        assert_eq!(
            chosen(&form(Some("purple"), None, None)),
            Err("theme must be system, light or dark")
        );
        assert!(chosen(&form(None, None, None)).is_err());
    }
}
