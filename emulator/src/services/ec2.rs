//! Amazon EC2 (EC2's query dialect, version 2016-11-15).

use crate::protocol::query::{Dialect, QueryParams};
use crate::protocol::RequestContext;
use crate::server::State;
use crate::AwsError;

pub const VERSION: &str = "2016-11-15";
pub const DIALECT: Dialect = Dialect::Ec2 {
    namespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
};

pub fn handle(
    _state: &State,
    _ctx: &RequestContext,
    action: &str,
    _params: &QueryParams,
) -> Result<Vec<u8>, AwsError> {
    Err(AwsError::not_implemented("EC2", action))
}
