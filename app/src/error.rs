//! Errors that cross from server functions to the page (defined with the domain's types).

pub use domain::error::{FieldError, PortalError};
