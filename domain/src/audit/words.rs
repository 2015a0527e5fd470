//! The audit trail's words: what was done, and how it went. Stored and exported as their
//! kebab-case names (`request-approval`, `sign-in-failed`, …).

use serde::{Deserialize, Serialize};

macro_rules! words {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every one, in the order the audit page offers them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            /// The word as stored; `None` for a word the portal does not write.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

words! {
    /// What someone did (or tried to).
    Action {
        #[default]
        Start = "start",
        RequestApproval = "request-approval",
        ApproveRequest = "approve-request",
        RejectRequest = "reject-request",
        WithdrawRequest = "withdraw-request",
        Cancel = "cancel",
        ExecuteStep = "execute-step",
        Complete = "complete",
        Resume = "resume",
        Approve = "approve",
        Reject = "reject",
        SignIn = "sign-in",
        SignInFailed = "sign-in-failed",
        Refused = "refused",
        CreateSchedule = "create-schedule",
        PauseSchedule = "pause-schedule",
        ResumeSchedule = "resume-schedule",
    }
}

words! {
    /// How it went. `Pending` is written before the portal acts and completed after.
    Outcome {
        #[default]
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
        Refused = "refused",
        /// AWS's answer never reached the portal (it stopped between the record and the answer,
        /// or the answer was lost twice): whether it happened is unknown.
        Interrupted = "interrupted",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_reads_back_as_itself() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(*action));
            let json = serde_json::to_string(action).expect("json");
            assert_eq!(json, format!("\"{action}\""));
        }
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(*outcome));
        }
        assert_eq!(Action::parse("drop-table"), None);
    }
}
