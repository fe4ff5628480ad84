//! What `run` tells the outputs about the camera: a pure state machine fed with frames, waits
//! without a frame, and the statuses the camera source reports from its own thread.
//!
//! A camera that hangs without an error gives no status at all, so the wait itself counts:
//! no frame for the stall time is a lost camera, whatever the source says.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::event::CameraStatus;

/// What to do after a wait without a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idle {
    /// Stream time now: the last frame's plus the wait.
    pub t_ms: u64,
    /// The index of the last frame, which events carry.
    pub frame: u64,
    /// The stall time was just reached: release everything and report the camera lost.
    pub lost_now: bool,
}

/// The camera as the outputs were last told, and the last frame seen.
#[derive(Debug, Clone)]
pub struct CameraWatch {
    stall_ms: u64,
    reported: Option<CameraStatus>,
    /// Stream time and index of the last frame.
    last: Option<(u64, u64)>,
    lost: bool,
}

impl CameraWatch {
    pub fn new(stall_ms: u32) -> CameraWatch {
        CameraWatch {
            stall_ms: stall_ms.into(),
            reported: None,
            last: None,
            lost: false,
        }
    }

    /// A frame arrived; returns `Streaming` if the outputs must be told.
    pub fn frame(&mut self, t_ms: u64, index: u64) -> Option<CameraStatus> {
        self.last = Some((t_ms, index));
        self.lost = false;
        self.report(CameraStatus::Streaming)
    }

    /// `waited_ms` have passed since the last frame (or since the start).
    pub fn idle(&mut self, waited_ms: u64) -> Idle {
        let (t, frame) = self.last.unwrap_or((0, 0));
        let lost_now = !self.lost && waited_ms >= self.stall_ms;
        self.lost |= lost_now;
        Idle {
            t_ms: t.saturating_add(waited_ms),
            frame,
            lost_now,
        }
    }

    /// The status to report when the camera is lost now, if the outputs were not told yet.
    pub fn lost(&mut self) -> Option<CameraStatus> {
        self.report(CameraStatus::Lost)
    }

    /// A status from the camera source; returns it if it is news to the outputs. `Streaming`
    /// waits for the first frame, which tells it anyway.
    pub fn source_status(&mut self, status: CameraStatus) -> Option<CameraStatus> {
        match status {
            CameraStatus::Streaming => None,
            other => self.report(other),
        }
    }

    fn report(&mut self, status: CameraStatus) -> Option<CameraStatus> {
        (self.reported != Some(status)).then(|| {
            self.reported = Some(status);
            status
        })
    }
}

/// The camera source's latest status, written on the capture thread and read by the frame
/// loop: a latest value, so a status overtaken by the next one is simply not reported.
#[derive(Debug, Default)]
pub struct StatusCell(AtomicU8);

impl StatusCell {
    pub fn set(&self, status: CameraStatus) {
        self.0.store(status.code(), Ordering::Release);
    }

    /// The status set since the last call, if any.
    pub fn take(&self) -> Option<CameraStatus> {
        CameraStatus::from_code(self.0.swap(0, Ordering::AcqRel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stall_is_reported_once_then_streaming_again() {
        let mut w = CameraWatch::new(300);
        assert_eq!(w.frame(1000, 30), Some(CameraStatus::Streaming));
        assert_eq!(w.frame(1033, 31), None);
        let early = w.idle(120);
        assert_eq!((early.t_ms, early.frame, early.lost_now), (1153, 31, false));
        assert!(w.idle(300).lost_now);
        assert_eq!(w.lost(), Some(CameraStatus::Lost));
        assert!(!w.idle(900).lost_now);
        assert_eq!(w.source_status(CameraStatus::Lost), None);
        assert_eq!(
            w.source_status(CameraStatus::Reopening),
            Some(CameraStatus::Reopening)
        );
        assert_eq!(w.source_status(CameraStatus::Streaming), None);
        assert_eq!(w.frame(4000, 32), Some(CameraStatus::Streaming));
    }

    #[test]
    fn no_camera_at_start_is_lost_after_the_stall_time() {
        let mut w = CameraWatch::new(300);
        assert!(!w.idle(299).lost_now);
        let idle = w.idle(300);
        assert_eq!((idle.t_ms, idle.lost_now), (300, true));
    }

    #[test]
    fn the_cell_keeps_the_latest_status() {
        let cell = StatusCell::default();
        assert_eq!(cell.take(), None);
        cell.set(CameraStatus::Lost);
        cell.set(CameraStatus::Reopening);
        assert_eq!(cell.take(), Some(CameraStatus::Reopening));
        assert_eq!(cell.take(), None);
    }
}
