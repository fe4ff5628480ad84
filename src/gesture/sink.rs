//! Where the detectors put their output: events for the user, gesture edges for the switch map.

use crate::event::{EventKind, Gesture};

/// Receiver of detector output within one frame; the engine stamps time and frame.
pub trait GestureSink {
    /// Report an event (blink, wink, gaze, face...).
    fn event(&mut self, kind: EventKind);
    /// A mappable gesture fired: a switch may press.
    fn start(&mut self, gesture: Gesture);
    /// A mappable gesture that fired has ended: a `follow` switch releases.
    fn end(&mut self, gesture: Gesture);
}

/// Milliseconds as the event schema's `u32`, saturating (a 49-day closure will not happen).
pub fn ms(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}
