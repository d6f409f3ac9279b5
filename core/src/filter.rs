//! What the driver asked for, applied per EVSE during a query (never by rebuilding the index).

use serde::{Deserialize, Serialize};

use crate::plug::PlugSet;
use crate::station::EvseSummary;

/// A driver's filter. The default matches every EVSE.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Any of these plug families; empty means any plug.
    pub plugs: PlugSet,
    /// Minimum power of the EVSE, kW.
    pub min_power_kw: f32,
    /// Only EVSEs a driver could plug into now.
    pub available_now: bool,
    /// Leave out broken, removed and planned EVSEs.
    pub working_only: bool,
}

impl Filter {
    /// Does this EVSE satisfy the filter?
    #[inline]
    pub fn matches(&self, e: &EvseSummary) -> bool {
        (self.plugs.is_empty() || self.plugs.intersects(e.plugs))
            && e.max_power_kw >= self.min_power_kw
            && (!self.available_now || e.status.is_available())
            && (!self.working_only || e.status.is_working())
    }
}
