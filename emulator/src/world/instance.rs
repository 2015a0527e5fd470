//! EC2 instances and images. A state change is a transition that completes after a while on the
//! emulator's clock: the observed state is computed from the time asked.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstanceState {
    Pending,
    Running,
    ShuttingDown,
    Terminated,
    Stopping,
    Stopped,
}

impl InstanceState {
    /// EC2's numeric state code.
    pub fn code(self) -> u16 {
        match self {
            Self::Pending => 0,
            Self::Running => 16,
            Self::ShuttingDown => 32,
            Self::Terminated => 48,
            Self::Stopping => 64,
            Self::Stopped => 80,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::ShuttingDown => "shutting-down",
            Self::Terminated => "terminated",
            Self::Stopping => "stopping",
            Self::Stopped => "stopped",
        }
    }
}

/// How long each transition takes on the emulator's clock.
pub const BOOT_TIME: Duration = Duration::from_secs(15);
pub const STOP_TIME: Duration = Duration::from_secs(30);
pub const FORCED_STOP_TIME: Duration = Duration::from_secs(5);
pub const TERMINATE_TIME: Duration = Duration::from_secs(20);
pub const IMAGE_TIME: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub instance_type: String,
    pub image_id: String,
    pub platform: String,
    pub launch_time: SystemTime,
    pub private_ip: Option<String>,
    pub availability_zone: String,
    pub tags: BTreeMap<String, String>,
    state: InstanceState,
    /// The state being moved to, and when it is reached.
    transition: Option<(InstanceState, SystemTime)>,
}

impl Instance {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        instance_type: String,
        image_id: String,
        platform: String,
        state: InstanceState,
        launch_time: SystemTime,
        private_ip: Option<String>,
        availability_zone: String,
        tags: BTreeMap<String, String>,
    ) -> Self {
        Self {
            id,
            instance_type,
            image_id,
            platform,
            launch_time,
            private_ip,
            availability_zone,
            tags,
            state,
            transition: None,
        }
    }

    /// The state at `now`, completing a transition whose time has come.
    pub fn state(&self, now: SystemTime) -> InstanceState {
        match self.transition {
            Some((target, at)) if now >= at => target,
            _ => self.state,
        }
    }

    /// Moves to `through` now and to `target` after `takes`.
    pub fn begin(
        &mut self,
        now: SystemTime,
        through: InstanceState,
        target: InstanceState,
        takes: Duration,
    ) {
        self.state = through;
        self.transition = Some((target, now + takes));
    }

    /// Settles any finished transition (keeps the record small and the answer stable).
    pub fn settle(&mut self, now: SystemTime) {
        self.state = self.state(now);
        if self.transition.is_some_and(|(_, at)| now >= at) {
            self.transition = None;
        }
    }

    pub fn platform_details(&self) -> &'static str {
        if self.platform.eq_ignore_ascii_case("windows") {
            "Windows"
        } else {
            "Linux/UNIX"
        }
    }
}

#[derive(Debug, Clone)]
pub struct Image {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub owner: String,
    pub created: SystemTime,
    pub available_at: SystemTime,
    pub platform: String,
    pub tags: BTreeMap<String, String>,
}

impl Image {
    pub fn state(&self, now: SystemTime) -> &'static str {
        if now >= self.available_at {
            "available"
        } else {
            "pending"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transition_completes_when_its_time_comes() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut i = Instance::new(
            "i-1".into(),
            "t3.micro".into(),
            "ami-1".into(),
            "Linux".into(),
            InstanceState::Running,
            t0,
            None,
            "us-east-1a".into(),
            BTreeMap::new(),
        );
        i.begin(
            t0,
            InstanceState::Stopping,
            InstanceState::Stopped,
            STOP_TIME,
        );
        assert_eq!(
            i.state(t0 + Duration::from_secs(29)),
            InstanceState::Stopping
        );
        assert_eq!(i.state(t0 + STOP_TIME), InstanceState::Stopped);
        i.settle(t0 + STOP_TIME);
        assert_eq!(i.state(t0), InstanceState::Stopped);
    }
}
