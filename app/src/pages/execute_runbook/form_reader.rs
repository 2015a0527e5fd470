//! Reads the wizard's form out of the page (hydrated only; on the server there is no page).

use leptos::prelude::*;

use crate::wizard::WizardForm;

/// The name of the field an event came from.
pub fn target_name(ev: &leptos::ev::Event) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let target = ev.target()?;
        let element = target.dyn_ref::<leptos::web_sys::Element>()?;
        element.get_attribute("name")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// Every field of the form, as the browser would submit it.
pub fn read(form: NodeRef<leptos::html::Form>, document: &str) -> Option<WizardForm> {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let element = form.get_untracked()?;
        let data = web_sys::FormData::new_with_form(&element).ok()?;
        let mut pairs = Vec::new();
        for entry in data.entries().into_iter().flatten() {
            let entry: web_sys::js_sys::Array = entry.dyn_into().ok()?;
            if let (Some(key), Some(value)) = (entry.get(0).as_string(), entry.get(1).as_string()) {
                pairs.push((key, value));
            }
        }
        Some(WizardForm::from_pairs(
            document,
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (form, document);
        None
    }
}
