//! The values the status screen shows, updated every frame without allocating.

use std::fmt::Write;

use crate::display::FixedText;
use crate::event::{CameraStatus, Event, EventKind, Eye, GazeRegion, Gesture, SwitchAction};

/// Characters that fit one 128-pixel line in the 6-pixel-wide font.
pub const LINE_CHARS: usize = 21;

/// What the screen shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StatusModel {
    pub face_found: bool,
    /// Openness of the subject's right eye, 0 closed .. 1 open.
    pub right_eye: f32,
    /// Openness of the subject's left eye, 0 closed .. 1 open.
    pub left_eye: f32,
    pub gaze: Option<GazeRegion>,
    pub fps: f32,
    last_event: FixedText<LINE_CHARS>,
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
            fps: 0.0,
            last_event: FixedText::new(),
        }
    }

    /// The last event, as shown on the screen.
    pub fn last_event(&self) -> &str {
        self.last_event.as_str()
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
            write!(out, "wink {} {duration_ms}ms", eye_name(eye))
        }
        EventKind::DoubleBlink { interval_ms } => write!(out, "double blink {interval_ms}ms"),
        EventKind::Gaze { region, .. } => write!(out, "gaze {}", gaze_name(region)),
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
            write!(out, "{verb} {switch} {}", gesture_name(gesture))
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

fn eye_name(eye: Eye) -> &'static str {
    match eye {
        Eye::Right => "right",
        Eye::Left => "left",
    }
}

/// The region's name as in the config and the JSON events.
pub fn gaze_name(region: GazeRegion) -> &'static str {
    match region {
        GazeRegion::Center => "center",
        GazeRegion::Left => "left",
        GazeRegion::Right => "right",
        GazeRegion::Up => "up",
        GazeRegion::Down => "down",
    }
}

fn gesture_name(gesture: Gesture) -> &'static str {
    match gesture {
        Gesture::LongBlink => "long_blink",
        Gesture::DoubleBlink => "double_blink",
        Gesture::WinkLeft => "wink_left",
        Gesture::WinkRight => "wink_right",
        Gesture::GazeLeft => "gaze_left",
        Gesture::GazeRight => "gaze_right",
        Gesture::GazeUp => "gaze_up",
        Gesture::GazeDown => "gaze_down",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
