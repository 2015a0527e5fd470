//! One page per route.

mod approval_request;
mod approval_requests;
mod audit_trail;
mod automation_home;
mod choose_runbook;
mod execute_runbook;
mod execution_status;
mod not_found;
mod notification_deliveries;
mod notification_settings;
mod runbook_page;
mod schedules;
mod sign_in;
mod step_status;

pub use approval_request::ApprovalRequestPage;
pub use approval_requests::ApprovalRequests;
pub use audit_trail::AuditTrail;
pub use automation_home::AutomationHome;
pub use choose_runbook::ChooseRunbook;
pub use execute_runbook::ExecuteRunbook;
pub use execution_status::ExecutionStatus;
pub use not_found::NotFound;
pub use notification_deliveries::NotificationDeliveries;
pub use notification_settings::NotificationSettings;
pub use runbook_page::RunbookPage;
pub use schedules::SchedulesPage;
pub use sign_in::SignIn;
pub use step_status::StepStatus;
