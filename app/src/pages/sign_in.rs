//! The sign-in page (`/login`). The form posts to the server's `/session`, which answers by going
//! back to the page that was asked for, or here with what went wrong.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::notice::Carried;
use crate::shell_info::sign_in_methods;

#[component]
pub fn SignIn() -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let next = q.get("next").unwrap_or_else(|| "/automation".to_owned());
    let message = match q.get("error").as_deref() {
        Some("invalid") => Some("The user name or password is wrong.".to_owned()),
        Some("locked") => Some(format!(
            "Too many failed sign-ins for this account or address: try again in {} minutes, or ask an administrator.",
            // A number only: the address is anyone's to write.
            q.get("wait")
                .and_then(|w| w.parse::<u32>().ok())
                .filter(|w| *w <= 24 * 60)
                .unwrap_or(15)
        )),
        Some("too-long") => Some(
            "The user name (at most 256 characters) or the password (at most 1,024) is too long.".to_owned(),
        ),
        Some("unavailable") => Some(
            "Sign-in is unavailable: the portal could not reach its database. Try again shortly.".to_owned(),
        ),
        // Shown below, with the reason if the portal sealed it.
        Some("sso") => None,
        _ => None,
    };
    let single_sign_on_failed = q.get("error").as_deref() == Some("sso");
    let reason = crate::notice::message("reason");
    let sso_failure = move || {
        let text = match reason.get()? {
            Carried::Sealed(reason) => format!(
                "Single sign-on did not complete: {reason} Try again, or sign in with a portal account."
            ),
            Carried::Unsealed | Carried::Nothing => {
                "Single sign-on did not complete. Try again, or sign in with a portal account.".to_owned()
            }
        };
        Some(view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })
    };
    let signed_out = q.get("signed_out").is_some();
    let methods = Resource::new_serde_wb(|| (), |()| sign_in_methods());
    let sso_href = format!("/login/oidc?next={}", crate::wizard::form::encode(&next));
    view! {
        <Title text="Sign in" />
        <section class="panel sign-in">
            <h1>"Sign in"</h1>
            {signed_out.then(|| view! { <div class="alert" role="status"><p>"You are signed out."</p></div> })}
            {message.map(|m| view! { <div class="alert alert-error" role="alert"><p>{m}</p></div> })}
            {single_sign_on_failed.then(|| view! { <Suspense fallback=|| ()>{sso_failure}</Suspense> })}
            <form method="post" action="/session">
                <input type="hidden" name="next" value=next />
                <label class="field">
                    <span>"User name"</span>
                    <input type="text" name="name" autocomplete="username" required autofocus />
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required />
                </label>
                <button type="submit" class="button button-primary">"Sign in"</button>
            </form>
            <Suspense fallback=|| ()>
                {move || methods.get().and_then(Result::ok).and_then(|m| m.single_sign_on).map(|label| view! {
                    <p class="sign-in-or">"or"</p>
                    <a class="button sso" rel="external" href=sso_href.clone()>{format!("Sign in with {label}")}</a>
                })}
            </Suspense>
        </section>
    }
}
