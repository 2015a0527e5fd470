//! The runbook actions the engine performs, each in the domain's words. An action the emulator
//! cannot perform faithfully fails its step and says so.

mod approve;
mod aws_api;
mod branch;
mod child;
mod instances;
mod waits;

use std::time::Duration;

use super::step_run::{Done, StepRun};
use crate::world::execution::Failure;

/// The longest an action may run when its step sets no `timeoutSeconds`.
pub fn default_timeout(action: &str) -> Option<Duration> {
    match action {
        "aws:changeInstanceState" | "aws:waitForAwsResourceProperty" | "aws:createImage" => {
            Some(Duration::from_secs(3600))
        }
        "aws:approve" => Some(Duration::from_secs(7 * 24 * 3600)),
        _ => None,
    }
}

pub async fn perform(run: &StepRun<'_>, action: &str) -> Result<Done, Failure> {
    match action {
        "aws:sleep" => waits::sleep(run).await,
        "aws:pause" => waits::pause(run).await,
        "aws:approve" => approve::approve(run).await,
        "aws:changeInstanceState" => instances::change_instance_state(run).await,
        "aws:createImage" => instances::create_image(run).await,
        "aws:createTags" => instances::create_tags(run),
        "aws:executeAwsApi" => aws_api::execute(run),
        "aws:waitForAwsResourceProperty" => aws_api::wait_for_property(run).await,
        "aws:assertAwsResourceProperty" => aws_api::assert_property(run),
        "aws:branch" => branch::branch(run),
        "aws:executeAutomation" => child::execute_automation(run).await,
        other => Err(Failure::verification(format!(
            "The emulator does not perform {other}: it cannot run this action faithfully, so the step fails rather than pretend."
        ))),
    }
}
