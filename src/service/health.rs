//! The frame loop's vital signs, shared with the watchdog thread through atomics.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::time::{Duration, Instant};

use crate::event::CameraStatus;

/// Written by the frame loop, read by [`super::Notifier`].
#[derive(Debug)]
pub struct Health {
    start: Instant,
    /// Milliseconds from `start` to the loop's last turn.
    beat_ms: AtomicU64,
    frames: AtomicU64,
    face: AtomicBool,
    /// [`CameraStatus::code`], 0 before the first status.
    camera: AtomicU8,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            start: Instant::now(),
            beat_ms: AtomicU64::new(0),
            frames: AtomicU64::new(0),
            face: AtomicBool::new(false),
            camera: AtomicU8::new(0),
        }
    }
}

impl Health {
    /// The loop turned: it processed a frame or finished a wait for one.
    pub fn beat(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.beat_ms.store(ms, Ordering::Release);
    }

    /// A frame was processed; `face` says whether a face was found in it.
    pub fn frame(&self, face: bool) {
        self.frames.fetch_add(1, Ordering::AcqRel);
        self.face.store(face, Ordering::Release);
    }

    pub fn camera(&self, status: CameraStatus) {
        self.camera.store(status.code(), Ordering::Release);
    }

    /// Time since the loop last turned.
    pub fn since_beat(&self) -> Duration {
        let beat = Duration::from_millis(self.beat_ms.load(Ordering::Acquire));
        self.start.elapsed().saturating_sub(beat)
    }

    /// Frames processed so far.
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Acquire)
    }

    /// `face tracked` / `no face` and the camera's state, for the status line.
    pub fn describe(&self) -> (&'static str, &'static str) {
        let face = if self.face.load(Ordering::Acquire) {
            "face tracked"
        } else {
            "no face"
        };
        let camera = match CameraStatus::from_code(self.camera.load(Ordering::Acquire)) {
            Some(CameraStatus::Streaming) => "camera streaming",
            Some(CameraStatus::Lost) => "camera lost",
            Some(CameraStatus::Reopening) => "camera reopening",
            None => "camera starting",
        };
        (face, camera)
    }
}
