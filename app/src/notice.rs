//! Messages that reach a page through its address: a refusal after a post without JavaScript
//! (`?refused=`), why single sign-on failed (`?reason=`), a server function's error (`__err`).
//! Anyone can write such an address, and a link to the portal that shows "Your session expired,
//! call +1 …" in the portal's own alert would lend it the portal's voice. So the server seals each
//! message it puts in an address (`&seal=`: an HMAC-SHA256 over the message, the user it was made
//! for and its expiry, keyed by a secret made when the portal starts), and a page shows a
//! message only when its seal checks; otherwise a neutral line that something was left out.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

/// The query parameter a message's seal travels in.
pub const SEAL: &str = "seal";

/// What a page's address carried under one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Carried {
    Nothing,
    /// A message the portal made for this user a short while ago.
    Sealed(String),
    /// Text the portal cannot vouch for: made up, too old, or made for someone else.
    Unsealed,
}

/// Whether `seal` is the portal's seal of `value` (under `subject`) for the signed-in user.
#[server(endpoint = "check_notice", output = domain::wire::Json)]
pub async fn check_notice(
    subject: String,
    value: String,
    seal: String,
) -> Result<bool, PortalError> {
    Ok(ssr::opens(&ssr::user(), &subject, &value, &seal))
}

/// The message in `?<param>=…`, checked against its seal.
pub fn message(param: &'static str) -> Resource<Carried, crate::transfer::Json> {
    let query = use_query_map();
    Resource::new_serde_wb(
        move || {
            let q = query.read();
            (q.get(param), q.get(SEAL))
        },
        move |(value, seal)| open(param.to_owned(), value, seal),
    )
}

/// The refusal a post without JavaScript came back with (`?refused=`), shown as the portal
/// sealed it.
#[component]
pub fn Refused() -> impl IntoView {
    let refused = message("refused");
    let alert = move || match refused.get()? {
        Carried::Sealed(text) => Some(
            view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> }.into_any(),
        ),
        Carried::Unsealed => Some(view! { <Unverified /> }.into_any()),
        Carried::Nothing => None,
    };
    view! { <Suspense fallback=|| ()>{alert}</Suspense> }
}

/// The error the server function at `path` sent back in the address (`__path`, `__err`) after a
/// post without JavaScript, checked against its seal; [`Carried::Sealed`] holds it encoded (see
/// `ServerFnUrlError::decode_err`).
pub fn form_error(path: &'static str) -> Resource<Carried, crate::transfer::Json> {
    let query = use_query_map();
    Resource::new_serde_wb(
        move || {
            let q = query.read();
            let err = (q.get("__path").as_deref() == Some(path))
                .then(|| q.get("__err"))
                .flatten();
            (err, q.get(SEAL))
        },
        move |(value, seal)| open(form_error_subject(path), value, seal),
    )
}

/// What a server function's error is sealed under: its path, so it is shown only for that form.
pub fn form_error_subject(path: &str) -> String {
    format!("__err {path}")
}

async fn open(subject: String, value: Option<String>, seal: Option<String>) -> Carried {
    let Some(value) = value else {
        return Carried::Nothing;
    };
    let Some(seal) = seal else {
        return Carried::Unsealed;
    };
    match check_notice(subject, value.clone(), seal).await {
        Ok(true) => Carried::Sealed(value),
        _ => Carried::Unsealed,
    }
}

/// The line shown in place of a message the portal cannot vouch for.
#[component]
pub fn Unverified() -> impl IntoView {
    view! {
        <div class="alert" role="status" data-notice="unverified">
            <p>"This page's address carried a message the portal did not make for you (or made too long ago), so it is not shown."</p>
        </div>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::OnceLock;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    use sha2::Sha256;

    use super::{form_error_subject, PortalError, SEAL};

    /// How long a sealed message can be shown: the redirect is followed at once, a reload soon.
    pub const LIFETIME: Duration = Duration::from_secs(15 * 60);

    /// Made when the portal starts: a restart only hides the messages of pages still open.
    fn key() -> &'static [u8; 32] {
        static KEY: OnceLock<[u8; 32]> = OnceLock::new();
        KEY.get_or_init(rand::random)
    }

    fn now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    /// The signed-in user of this request; empty for an anonymous one (the sign-in page).
    pub fn user() -> String {
        crate::service::ssr::signed_in()
            .map(|u| u.name)
            .unwrap_or_default()
    }

    fn mac(key: &[u8], user: &str, subject: &str, value: &str, expires: u64) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
        // Lengths first: no two different inputs run together into the same bytes.
        for part in [user, subject, value] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.update(&expires.to_be_bytes());
        mac
    }

    pub(crate) fn seal_with(
        key: &[u8],
        user: &str,
        subject: &str,
        value: &str,
        now: u64,
    ) -> String {
        let expires = now + LIFETIME.as_secs();
        let tag = mac(key, user, subject, value, expires)
            .finalize()
            .into_bytes();
        format!("{expires}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    pub(crate) fn opens_with(
        key: &[u8],
        user: &str,
        subject: &str,
        value: &str,
        seal: &str,
        now: u64,
    ) -> bool {
        let Some((expires, tag)) = seal.split_once('.') else {
            return false;
        };
        let (Ok(expires), Ok(tag)) = (expires.parse::<u64>(), URL_SAFE_NO_PAD.decode(tag)) else {
            return false;
        };
        expires >= now
            && expires <= now + LIFETIME.as_secs()
            && mac(key, user, subject, value, expires)
                .verify_slice(&tag)
                .is_ok()
    }

    /// The seal of `value` for `user` (empty: anonymous).
    pub fn seal_for(user: &str, subject: &str, value: &str) -> String {
        seal_with(key(), user, subject, value, now())
    }

    pub fn opens(user: &str, subject: &str, value: &str, seal: &str) -> bool {
        opens_with(key(), user, subject, value, seal, now())
    }

    /// `param=<text>&seal=<seal>` for `user`, to end a redirect's address with.
    pub fn query_for(user: &str, param: &str, text: &str) -> String {
        let encode = crate::wizard::form::encode;
        format!(
            "{param}={}&{SEAL}={}",
            encode(text),
            encode(&seal_for(user, param, text))
        )
    }

    /// After a form post: done, to `done`; refused, a browser's post goes back to `page`, which
    /// says why (sealed, `?refused=`), and a script (or the hydrated page) gets the error with
    /// its status.
    pub fn after_post(
        result: Result<(), PortalError>,
        done: &str,
        page: &str,
    ) -> Result<(), PortalError> {
        match result {
            Ok(()) => {
                leptos_axum::redirect(done);
                Ok(())
            }
            Err(e) if crate::service::ssr::from_a_page() => {
                let notice = query("refused", &e.to_string());
                leptos_axum::redirect(&format!("{page}?{notice}"));
                Ok(())
            }
            Err(e) => Err(crate::service::ssr::answered(e)),
        }
    }

    /// `param=<text>&seal=<seal>` for the signed-in user of this request.
    pub fn query(param: &str, text: &str) -> String {
        query_for(&user(), param, text)
    }

    /// Seals the server function error a redirect carries (`__path`, `__err`, as `server_fn`
    /// appends them to the page's address after a post without JavaScript) for `user`. Only the
    /// last pair is the one made for this answer: any earlier one, and any earlier message and
    /// seal, came with the page's address and are dropped. `None` when there is none.
    pub fn seal_form_error(location: &str, user: &str) -> Option<String> {
        seal_form_error_with(key(), location, user, now())
    }

    pub(crate) fn seal_form_error_with(
        key: &[u8],
        location: &str,
        user: &str,
        now: u64,
    ) -> Option<String> {
        let (base, query) = location.split_once('?')?;
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(&s.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        let pairs: Vec<(&str, String, String)> = query
            .split('&')
            .map(|raw| {
                let (k, v) = raw.split_once('=').unwrap_or((raw, ""));
                (raw, decode(k), decode(v))
            })
            .collect();
        let last = |name: &str| {
            pairs
                .iter()
                .rev()
                .find(|(_, k, _)| k == name)
                .map(|(_, _, v)| v.clone())
        };
        let err = last("__err")?;
        let path = last("__path").unwrap_or_default();
        let kept = pairs
            .iter()
            .filter(|(_, k, _)| !matches!(k.as_str(), "__err" | "__path" | "refused" | SEAL))
            .map(|(raw, _, _)| *raw);
        let encode = crate::wizard::form::encode;
        let seal = seal_with(key, user, &form_error_subject(&path), &err, now);
        let ours = [
            format!("__path={}", encode(&path)),
            format!("__err={}", encode(&err)),
            format!("{SEAL}={}", encode(&seal)),
        ];
        let query: Vec<String> = kept.map(str::to_owned).chain(ours).collect();
        Some(format!("{base}?{}", query.join("&")))
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::ssr::*;
    use super::*;

    const KEY: &[u8] = b"a key for the tests, 32 bytes ok";
    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_sealed_message_opens_for_its_user_only() {
        let seal = seal_with(KEY, "bob", "refused", "AWS refused it", NOW);
        assert!(opens_with(
            KEY,
            "bob",
            "refused",
            "AWS refused it",
            &seal,
            NOW
        ));
        assert!(opens_with(
            KEY,
            "bob",
            "refused",
            "AWS refused it",
            &seal,
            NOW + 60
        ));
        // Another user, another text, another parameter, another key: nothing.
        assert!(!opens_with(
            KEY,
            "alice",
            "refused",
            "AWS refused it",
            &seal,
            NOW
        ));
        assert!(!opens_with(
            KEY,
            "bob",
            "refused",
            "Call +1 555 0100",
            &seal,
            NOW
        ));
        assert!(!opens_with(
            KEY,
            "bob",
            "reason",
            "AWS refused it",
            &seal,
            NOW
        ));
        let other = b"another key for the tests, 32 by";
        assert!(!opens_with(
            other,
            "bob",
            "refused",
            "AWS refused it",
            &seal,
            NOW
        ));
    }

    #[test]
    fn a_seal_expires_and_cannot_be_stretched() {
        let seal = seal_with(KEY, "bob", "refused", "x", NOW);
        assert!(!opens_with(
            KEY,
            "bob",
            "refused",
            "x",
            &seal,
            NOW + LIFETIME.as_secs() + 1
        ));
        let (_, tag) = seal.split_once('.').expect("expiry.tag");
        let later = format!("{}.{tag}", NOW + 10 * LIFETIME.as_secs());
        assert!(!opens_with(
            KEY,
            "bob",
            "refused",
            "x",
            &later,
            NOW + 5 * LIFETIME.as_secs()
        ));
    }

    #[test]
    fn made_up_seals_do_not_open() {
        for seal in ["", ".", "123", "abc.def", &format!("{}.AAAA", NOW + 60)] {
            assert!(
                !opens_with(KEY, "", "reason", "text", seal, NOW),
                "{seal:?}"
            );
        }
    }

    #[test]
    fn parts_do_not_run_together() {
        let seal = seal_with(KEY, "bo", "brefused", "x", NOW);
        assert!(!opens_with(KEY, "bob", "refused", "x", &seal, NOW));
    }

    #[test]
    fn the_form_error_made_for_this_answer_is_sealed_and_earlier_ones_dropped() {
        let location = "http://portal/automation/executions/x?__path=%2Fapi%2Ffake&__err=RkFLRQ%3D%3D&refused=Call%20us&seal=1.x&keep=a+b&__path=%2Fapi%2Fcontrol_execution&__err=UkVBTA%3D%3D";
        let sealed = seal_form_error_with(KEY, location, "bob", NOW).expect("sealed");
        assert!(sealed.starts_with("http://portal/automation/executions/x?keep=a+b&__path=%2Fapi%2Fcontrol_execution&__err=UkVBTA%3D%3D&seal="), "{sealed}");
        assert!(
            !sealed.contains("RkFLRQ") && !sealed.contains("Call"),
            "{sealed}"
        );
        let seal = sealed
            .rsplit_once("seal=")
            .map(|(_, s)| s.replace("%2E", "."))
            .expect("seal");
        let seal = percent_encoding::percent_decode_str(&seal)
            .decode_utf8_lossy()
            .into_owned();
        let subject = form_error_subject("/api/control_execution");
        assert!(opens_with(KEY, "bob", &subject, "UkVBTA==", &seal, NOW));
        assert!(!opens_with(
            KEY,
            "bob",
            &form_error_subject("/api/other"),
            "UkVBTA==",
            &seal,
            NOW
        ));
        assert_eq!(
            seal_form_error_with(KEY, "/automation/executions/x?a=1", "bob", NOW),
            None
        );
    }
}
