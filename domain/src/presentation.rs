//! Presentation mode, for screen shares: the server hides account ids, IP and e-mail addresses
//! and the operator's patterns in everything it sends a presenting session.

/// Where the top bar's switch posts (`on=1` or `on=0`, and `back`, the page to return to).
pub const SWITCH_PATH: &str = "/presentation";

/// `?present=1` on any link turns presentation mode on for the session (a link cannot turn it
/// off: only the switch can, so a shared link never uncovers a presenter's screen).
pub const QUERY_PARAMETER: &str = "present";

/// The keyboard shortcut that flips presentation mode (as `aria-keyshortcuts` spells it).
pub const SHORTCUT: &str = "Alt+Shift+P";

/// Marks a request of a presenting session (a request extension the pages read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presenting;
