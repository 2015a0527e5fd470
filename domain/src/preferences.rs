//! How a viewer likes the portal shown: the theme, the clock times are read on, and whether the
//! guide panel is open. Each is a cookie of the browser (a preference, not a right), set by one
//! form post so it works without JavaScript, and read by the server as it renders a page.

/// Where the preference switches post (`theme`, `clock` or `guide`, and `back`).
pub const PATH: &str = "/preferences";

/// Light or dark, or as the operating system says (`prefers-color-scheme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub const COOKIE: &'static str = "portal_theme";
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// What the switch says.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "As the system",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The `data-theme` of the page: none follows the operating system.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            theme => Some(theme.as_str()),
        }
    }
}

/// Times on the viewer's own clock (their browser's time zone), or in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    Local,
    Utc,
}

impl Clock {
    pub const COOKIE: &'static str = "portal_clock";

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "local" => Some(Clock::Local),
            "utc" => Some(Clock::Utc),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Local => "local",
            Clock::Utc => "utc",
        }
    }
}

/// The guide panel: closed unless opened, for the rest of the browser's session.
pub const GUIDE_COOKIE: &str = "portal_guide";
pub const GUIDE_OPEN: &str = "open";

/// A cookie's value in a `Cookie` header (the first, as browsers send the most specific first).
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// The viewer's preferences, read from a `Cookie` header (unknown values read as the defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Preferences {
    pub theme: Theme,
    pub clock: Clock,
    pub guide_open: bool,
}

impl Preferences {
    pub fn from_cookies(header: &str) -> Self {
        Self {
            theme: cookie(header, Theme::COOKIE)
                .and_then(Theme::parse)
                .unwrap_or_default(),
            clock: cookie(header, Clock::COOKIE)
                .and_then(Clock::parse)
                .unwrap_or_default(),
            guide_open: cookie(header, GUIDE_COOKIE) == Some(GUIDE_OPEN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_come_from_their_cookies_and_unknown_values_read_as_defaults() {
        let read = Preferences::from_cookies(
            "portal_tz=Europe/Paris; portal_theme=dark; portal_clock=utc; portal_guide=open",
        );
        assert_eq!(
            read,
            Preferences {
                theme: Theme::Dark,
                clock: Clock::Utc,
                guide_open: true
            }
        );
        assert_eq!(
            Preferences::from_cookies("portal_theme=purple; portal_clock=mars; portal_guide=1"),
            Preferences::default()
        );
        // A cookie whose name only ends like one of ours is not it.
        assert_eq!(
            Preferences::from_cookies("xportal_theme=dark").theme,
            Theme::System
        );
    }
}
