//! The values the status screen shows, updated every frame without allocating.

use std::fmt::Write;

use crate::display::{FixedText, Page, SetupCode};
use crate::event::{CameraStatus, Event, EventKind, GazeRegion, SwitchAction};
use crate::gesture::distance::Guidance;
use crate::gesture::Observation;

/// Characters that fit one 128-pixel line in the 6-pixel-wide font.
pub const LINE_CHARS: usize = 21;

/// Openness that fills an eye bar: open eyes measure 0.15–0.35 across faces, so most fill it
/// most of the way and a closing lid shows as a falling bar.
pub const FULL_BAR_OPENNESS: f32 = 0.3;

/// Weight of the newest frame in the smoothed frame rate: about the last ten frames count, so
/// the figure is steady yet shows a stall within a second.
const FPS_SMOOTHING: f32 = 0.1;

/// What the screen shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusModel {
    pub face_found: bool,
    /// Openness of the subject's right eye, 0 closed .. 1 open.
    pub right_eye: f32,
    /// Openness of the subject's left eye, 0 closed .. 1 open.
    pub left_eye: f32,
    pub gaze: Option<GazeRegion>,
    /// Eye-to-camera distance, and whether the landmarks stay accurate there.
    pub distance_mm: Option<f32>,
    pub distance: Option<Guidance>,
    pub fps: f32,
    last_event: FixedText<LINE_CHARS>,
    /// Time of the last observed frame, for the frame rate.
    last_frame_ms: Option<u64>,
    /// The setup page's address, when `[web]` is on: set once at start.
    setup: Option<SetupCode>,
    /// The page to draw: chosen by the display thread ([`Page::at`]), not the frame loop.
    pub page: Page,
}

impl Default for StatusModel {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusModel {
    pub const fn new() -> Self {
        Self {
            face_found: false,
            right_eye: 0.0,
            left_eye: 0.0,
            gaze: None,
            distance_mm: None,
            distance: None,
            fps: 0.0,
            last_event: FixedText::new(),
            last_frame_ms: None,
            setup: None,
            page: Page::Status,
        }
    }

    /// The setup page's URL, encoded for the screen once here so no frame encodes it again.
    pub fn set_setup_url(&mut self, url: &str) {
        self.setup = Some(SetupCode::new(url));
    }

    pub fn setup(&self) -> Option<&SetupCode> {
        self.setup.as_ref()
    }

    /// Updates the eye bars and the smoothed frame rate from one frame's observation.
    pub fn observe(&mut self, observation: &Observation) {
        let (right, left) = observation
            .face
            .map_or((0.0, 0.0), |f| (f.right.openness, f.left.openness));
        self.right_eye = right / FULL_BAR_OPENNESS;
        self.left_eye = left / FULL_BAR_OPENNESS;
        self.distance_mm = observation.face.and_then(|f| f.distance_mm);
        self.distance = observation.face.and_then(|f| f.distance_guidance);
        let dt = self
            .last_frame_ms
            .map_or(0, |last| observation.t_ms.saturating_sub(last));
        if dt > 0 {
            let fps = 1000.0 / dt as f32;
            self.fps = if self.fps > 0.0 {
                self.fps + (fps - self.fps) * FPS_SMOOTHING
            } else {
                fps
            };
        }
        self.last_frame_ms = Some(observation.t_ms);
    }

    /// The last event, as shown on the screen.
    pub fn last_event(&self) -> &str {
        self.last_event.as_str()
    }

    /// Puts `text` on the last-event line (truncated to fit), until the next event.
    pub fn show(&mut self, text: &str) {
        self.last_event.clear();
        // FixedText never fails; it truncates.
        let _ = self.last_event.write_str(text);
    }

    /// Updates face, gaze and the last-event line from an event.
    pub fn apply(&mut self, event: &Event) {
        match event.kind {
            EventKind::Face { present, .. } => {
                self.face_found = present;
                if !present {
                    self.gaze = None;
                }
            }
            EventKind::Gaze { region, .. } => self.gaze = Some(region),
            _ => {}
        }
        self.last_event.clear();
        // FixedText never fails; it truncates.
        let _ = describe(&mut self.last_event, &event.kind);
    }
}

/// A short description that fits one line, e.g. `PRESS 1 long_blink`.
fn describe(out: &mut impl Write, kind: &EventKind) -> std::fmt::Result {
    match *kind {
        EventKind::Blink { duration_ms } => write!(out, "blink {duration_ms}ms"),
        EventKind::LongBlink { held_ms } => write!(out, "long blink {held_ms}ms"),
        EventKind::Wink { eye, duration_ms } => {
            write!(out, "wink {} {duration_ms}ms", eye.name())
        }
        EventKind::DoubleBlink { interval_ms } => write!(out, "double blink {interval_ms}ms"),
        EventKind::Gaze { region, .. } => write!(out, "gaze {}", region.name()),
        EventKind::Face { present: true, .. } => write!(out, "face found"),
        EventKind::Face { present: false, .. } => write!(out, "face lost"),
        EventKind::Switch {
            switch,
            action,
            gesture,
        } => {
            let verb = match action {
                SwitchAction::Press => "PRESS",
                SwitchAction::Release => "RELEASE",
            };
            write!(out, "{verb} {switch} {}", gesture.name())
        }
        EventKind::Camera { status } => {
            let status = match status {
                CameraStatus::Streaming => "ok",
                CameraStatus::Lost => "lost",
                CameraStatus::Reopening => "reopening",
            };
            write!(out, "camera {status}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Gesture;

    #[test]
    fn apply_tracks_face_gaze_and_last_event() {
        let mut m = StatusModel::new();
        let ev = |kind| Event {
            t_ms: 0,
            frame: 0,
            kind,
        };
        m.apply(&ev(EventKind::Face {
            present: true,
            score: 0.9,
        }));
        assert!(m.face_found);
        m.apply(&ev(EventKind::Gaze {
            region: GazeRegion::Left,
            held_ms: 800,
        }));
        assert_eq!(m.gaze, Some(GazeRegion::Left));
        m.apply(&ev(EventKind::Switch {
            switch: 1,
            action: SwitchAction::Press,
            gesture: Gesture::DoubleBlink,
        }));
        assert_eq!(m.last_event(), "PRESS 1 double_blink");
        m.apply(&ev(EventKind::Face {
            present: false,
            score: 0.1,
        }));
        assert!(!m.face_found);
        assert_eq!(m.gaze, None);
    }

    #[test]
    fn observe_scales_openness_and_smooths_fps() {
        let mut m = StatusModel::new();
        let mut obs = Observation::default();
        let mut face = crate::gesture::FaceObservation::default();
        face.right.openness = FULL_BAR_OPENNESS / 2.0;
        face.left.openness = FULL_BAR_OPENNESS;
        obs.face = Some(face);
        m.observe(&obs);
        assert_eq!((m.right_eye, m.left_eye), (0.5, 1.0));
        assert_eq!(m.fps, 0.0, "one frame has no rate");
        obs.t_ms = 40;
        m.observe(&obs);
        assert_eq!(m.fps, 25.0, "the first interval sets the rate");
        obs.t_ms = 60;
        obs.face = None;
        m.observe(&obs);
        assert!((m.fps - 27.5).abs() < 1e-4, "{}", m.fps);
        assert_eq!((m.right_eye, m.left_eye), (0.0, 0.0), "no face: empty bars");
    }
}
