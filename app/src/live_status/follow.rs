//! Following a live stream in the browser with an EventSource (which reconnects by itself and
//! sends `Last-Event-ID`, so the server resumes where the stream broke).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use leptos::prelude::{on_cleanup, Effect, RwSignal, Set};
use send_wrapper::SendWrapper;

use super::Connection;
use crate::execution::event;

/// Follows `url` for as long as the calling component is on the page (opened by an effect, so
/// only in the browser; closed on cleanup). `connection` tells how the stream is doing.
pub fn follow_while_shown(
    url: String,
    on_event: impl Fn(&str, &str) + Clone + 'static,
    connection: RwSignal<Connection>,
) {
    Effect::new(move |_| {
        connection.set(Connection::Connecting);
        let stream = follow(&url, on_event.clone(), move |state| connection.set(state));
        let stream = SendWrapper::new(stream);
        on_cleanup(move || drop(stream));
    });
}

/// An open stream; dropping it closes the connection.
pub struct Follow {
    source: EventSource,
    _listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

impl Drop for Follow {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Opens `url` and hands each named event's data to `on_event`; `on_state` hears how the
/// connection is doing. The stream is closed once the server says `end`.
pub fn follow(
    url: &str,
    on_event: impl Fn(&str, &str) + 'static,
    on_state: impl Fn(Connection) + 'static,
) -> Option<Follow> {
    let source = EventSource::new(url).ok()?;
    let on_event = std::rc::Rc::new(on_event);
    let on_state = std::rc::Rc::new(on_state);
    let mut listeners = Vec::new();
    for name in [
        event::EXECUTION,
        event::STEP,
        event::CHILDREN,
        event::FAULT,
        event::END,
    ] {
        let on_event = on_event.clone();
        let on_state = on_state.clone();
        let es = source.clone();
        let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let data = e
                .dyn_ref::<MessageEvent>()
                .and_then(|m| m.data().as_string())
                .unwrap_or_default();
            on_event(name, &data);
            if name == event::END {
                es.close();
                on_state(Connection::Ended);
            }
        });
        source
            .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .ok()?;
        listeners.push(listener);
    }
    let opened = {
        let on_state = on_state.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| on_state(Connection::Live))
    };
    let errored = {
        let es = source.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if es.ready_state() != EventSource::CLOSED {
                on_state(Connection::Retrying);
            }
        })
    };
    source
        .add_event_listener_with_callback("open", opened.as_ref().unchecked_ref())
        .ok()?;
    source
        .add_event_listener_with_callback("error", errored.as_ref().unchecked_ref())
        .ok()?;
    listeners.push(opened);
    listeners.push(errored);
    Some(Follow {
        source,
        _listeners: listeners,
    })
}
