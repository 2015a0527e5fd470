//! "Run on a schedule": instead of running the form now, keep it as a schedule — a name, a cron
//! expression in a time zone, what to do with runs missed while the portal was down, and
//! whether runs may overlap. Posted with the form by the Schedule… button.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::mode_sections::{error_id, invalid, FieldMistake};

/// Zones offered as suggestions (any IANA name may be typed).
const ZONES: [&str; 8] = [
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// What the address gives of the schedule's fields: after a refused post it carries what was
/// typed. The page reads it on the server (the form is an island, which has no router).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleGiven(pub Vec<(String, String)>);

impl ScheduleGiven {
    /// The schedule's fields among the address's.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self(
            pairs
                .into_iter()
                .filter(|(k, _)| k.starts_with("schedule."))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

#[component]
pub fn SchedulePanel(given: ScheduleGiven) -> impl IntoView {
    let given = move |name: &str| given.get(name);
    let open = !given("schedule.cron").is_empty() || !given("schedule.name").is_empty();
    let zone = Some(given("schedule.time_zone"))
        .filter(|z| !z.is_empty())
        .unwrap_or_else(|| "UTC".into());
    let run_once = given("schedule.missed") == "run-once";
    let text = move |field: &'static str,
                     label: &'static str,
                     value: String,
                     hint: &'static str| {
        let id = format!("field-{}", error_id(field).trim_start_matches("error-"));
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type="text" name=field value=value aria-describedby=error_id(field) aria-invalid=invalid(field) autocomplete="off" />
                <small class="hint">{hint}</small>
                <FieldMistake field=field />
            </div>
        }
    };
    view! {
        <details class="panel schedule" open=open>
            <summary><h2>"Run on a schedule"</h2></summary>
            <p class="hint">
                "Keep this form as a schedule instead of running it now: it runs as you at the \
                 times the cron expression names, checked against your grants at every run. A \
                 schedule cannot keep a secret value."
            </p>
            {text("schedule.name", "Schedule name", given("schedule.name"), "Such as Nightly restart of web-1.")}
            {text("schedule.cron", "Cron expression", given("schedule.cron"),
                "Minute, hour, day of month, month, day of week: 30 6 * * 1-5 runs on weekdays at 06:30.")}
            <div class="field">
                <label for="field-schedule-time_zone">"Time zone"</label>
                <input id="field-schedule-time_zone" type="text" name="schedule.time_zone" value=zone list="time-zones"
                    aria-describedby=error_id("schedule.time_zone") aria-invalid=invalid("schedule.time_zone") />
                <datalist id="time-zones">
                    {ZONES.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                </datalist>
                <FieldMistake field="schedule.time_zone" />
            </div>
            <fieldset class="field">
                <legend>"Runs missed while the portal was not running"</legend>
                <label><input type="radio" name="schedule.missed" value="skip" checked=!run_once /> " Skip them"</label>
                <label><input type="radio" name="schedule.missed" value="run-once" checked=run_once /> " Run once when it is back"</label>
            </fieldset>
            <label class="check">
                <input type="checkbox" name="schedule.overlap" checked=!given("schedule.overlap").is_empty() />
                " A run may start while the previous one is still going"
            </label>
        </details>
    }
}
