//! aws:approve: waits for MinRequiredApprovals Approve signals from listed approvers; one Reject
//! fails the step.

use serde_json::{json, Value};

use crate::automation::outputs::Outputs;
use crate::automation::step_run::{string_list, Done, StepRun};
use crate::world::execution::{Decision, Failure, Status};

pub async fn approve(run: &StepRun<'_>) -> Result<Done, Failure> {
    let approvers = string_list(run.input("Approvers"));
    let needed = match run.input("MinRequiredApprovals") {
        None => 1,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(_) => 0,
    };
    if approvers.is_empty()
        || approvers.len() > 10
        || needed == 0
        || needed > approvers.len() as u64
    {
        return Err(Failure::inputs(format!(
            "aws:approve needs 1 to 10 Approvers and MinRequiredApprovals between 1 and their number (got {} and {needed}).",
            approvers.len()
        )));
    }
    run.with_execution(|exec| {
        exec.status = Status::Waiting;
        exec.decisions.clear();
    });
    let verdict = run
        .wait_until(None, |exec| {
            if let Some(rejection) = exec.decisions.iter().find(|d| !d.approved) {
                return Some(Err(rejection.clone()));
            }
            let approvals = exec.decisions.iter().filter(|d| d.approved).count() as u64;
            (approvals >= needed).then(|| Ok(exec.decisions.clone()))
        })
        .await;
    run.with_execution(|exec| {
        if exec.status == Status::Waiting {
            exec.status = Status::InProgress;
        }
    });
    let verdict = verdict.map_err(|failure| {
        if failure.kind == "TimedOut" {
            Failure::timed_out("Step timed out while waiting for approval.")
        } else {
            failure
        }
    })?;
    match verdict {
        Some(Ok(decisions)) => {
            let mut outputs = Outputs::new();
            outputs.insert("ApprovalStatus".into(), vec!["Approved".into()]);
            outputs.insert("ApproverDecisions".into(), vec![decisions_json(&decisions)]);
            Ok(outputs.into())
        }
        Some(Err(rejection)) => Err(Failure::verification(format!(
            "Step was rejected by {}{}.",
            rejection.approver,
            rejection
                .comment
                .map(|c| format!(" with comment: {c}"))
                .unwrap_or_default()
        ))),
        None => Err(Failure::timed_out(
            "Step timed out while waiting for approval.",
        )),
    }
}

fn decisions_json(decisions: &[Decision]) -> String {
    Value::Array(
        decisions
            .iter()
            .map(|d| {
                json!({
                    "Approver": d.approver,
                    "Decision": if d.approved { "Approved" } else { "Rejected" },
                    "Comment": d.comment,
                })
            })
            .collect(),
    )
    .to_string()
}
