//! What every handler and the Automation engine share: the emulated world behind its lock, the
//! clock, the counters, Automation's quotas, and the two layers that call each other at run time.

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::faults::Faults;
use crate::metrics::RequestCounters;
use crate::protocol::RequestContext;
use crate::world::execution::ChildKey;
use crate::world::World;
use crate::AwsError;

/// An emulated API called in-process with boto3's names and JSON parameters (`ec2`,
/// `DescribeInstances`); `None` when the emulator does not serve that service.
pub type CallApi =
    fn(&Arc<State>, &RequestContext, &str, &str, &Map<String, Value>) -> Option<ApiAnswer>;
pub type ApiAnswer = Result<Vec<u8>, AwsError>;

/// The engine and the API layer, plugged in by the server. The API layer starts executions that the
/// engine runs, and the engine runs steps that call the API layer (aws:executeAwsApi): reaching
/// each through [`State`] keeps the modules' dependencies one way, so the engine does not depend on
/// the API layer, nor starting an execution on the engine that runs it.
#[derive(Debug, Clone, Copy)]
pub struct Layers {
    /// Runs an admitted execution in the background (the engine).
    pub run_execution: fn(Arc<State>, ChildKey),
    /// The API layer, for runbook steps.
    pub call_api: CallApi,
}

/// How many executions may run at once, and wait, per account (AWS's quotas).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub running: usize,
    pub rate_control: usize,
    pub queued: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            running: 100,
            rate_control: 25,
            queued: 1000,
        }
    }
}

/// Everything the handlers and the engine share.
#[derive(Debug)]
pub struct State {
    pub clock: Clock,
    world: Mutex<World>,
    pub counters: RequestCounters,
    pub default_region: String,
    pub limits: Limits,
    /// Faults injected on demand (none unless the emulator was started with fault injection).
    pub faults: Faults,
    layers: Layers,
}

impl State {
    pub fn new(
        clock: Clock,
        world: World,
        default_region: String,
        limits: Limits,
        faults: Faults,
        layers: Layers,
    ) -> Self {
        Self {
            clock,
            world: Mutex::new(world),
            counters: RequestCounters::default(),
            default_region,
            limits,
            faults,
            layers,
        }
    }

    /// The emulated AWS. Handlers hold the lock for one operation and never across an await.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts running the admitted execution `key` in the background.
    pub fn run_execution(self: &Arc<Self>, key: ChildKey) {
        (self.layers.run_execution)(self.clone(), key);
    }

    /// Calls `service`'s `api` in-process as `ctx.caller`.
    pub fn call_api(
        self: &Arc<Self>,
        ctx: &RequestContext,
        service: &str,
        api: &str,
        parameters: &Map<String, Value>,
    ) -> Option<ApiAnswer> {
        (self.layers.call_api)(self, ctx, service, api, parameters)
    }
}
