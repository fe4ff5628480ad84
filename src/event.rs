//! The event schema shared by the gesture engine, the outputs and the CLI.
//!
//! Every type here is `Copy` so that emitting an event in the hot loop never allocates.
//! Serialised as one flat JSON object: `{"t_ms":1234,"frame":37,"kind":"blink","duration_ms":120}`.

use serde::{Deserialize, Serialize};

/// One thing that happened, stamped with the frame that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Timestamp of the causing frame, in milliseconds since the stream started.
    pub t_ms: u64,
    /// Index of the causing frame, 0-based.
    pub frame: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The subject's own side: `Right` is the eye with mesh corners 33/133.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eye {
    Right,
    Left,
}

impl Eye {
    /// The name used in the config and the JSON events, e.g. `right`.
    pub fn name(self) -> &'static str {
        match self {
            Eye::Right => "right",
            Eye::Left => "left",
        }
    }
}

/// Where the user is looking, on the subject's own side (`Left` is image right).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GazeRegion {
    Center,
    Left,
    Right,
    Up,
    Down,
}

impl GazeRegion {
    /// The name used in the config and the JSON events, e.g. `center`.
    pub fn name(self) -> &'static str {
        match self {
            GazeRegion::Center => "center",
            GazeRegion::Left => "left",
            GazeRegion::Right => "right",
            GazeRegion::Up => "up",
            GazeRegion::Down => "down",
        }
    }
}

/// A gesture that a switch can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gesture {
    LongBlink,
    DoubleBlink,
    WinkLeft,
    WinkRight,
    GazeLeft,
    GazeRight,
    GazeUp,
    GazeDown,
}

impl Gesture {
    /// The name used in the config and the JSON events, e.g. `long_blink`.
    pub fn name(self) -> &'static str {
        match self {
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
}

/// The two edges of a switch closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchAction {
    Press,
    Release,
}

impl SwitchAction {
    /// The name used in the JSON events, e.g. `press`.
    pub fn name(self) -> &'static str {
        match self {
            SwitchAction::Press => "press",
            SwitchAction::Release => "release",
        }
    }
}

/// State of the frame source, reported so a user sees why nothing happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CameraStatus {
    Streaming,
    Lost,
    Reopening,
}

impl CameraStatus {
    /// The name used in the JSON events, e.g. `lost`.
    pub fn name(self) -> &'static str {
        match self {
            CameraStatus::Streaming => "streaming",
            CameraStatus::Lost => "lost",
            CameraStatus::Reopening => "reopening",
        }
    }

    /// A one-byte code (never 0), so a status can sit in an atomic shared between threads.
    pub fn code(self) -> u8 {
        match self {
            CameraStatus::Streaming => 1,
            CameraStatus::Lost => 2,
            CameraStatus::Reopening => 3,
        }
    }

    /// The status of a [`CameraStatus::code`]; `None` for 0 (no status) or anything else.
    pub fn from_code(code: u8) -> Option<CameraStatus> {
        match code {
            1 => Some(CameraStatus::Streaming),
            2 => Some(CameraStatus::Lost),
            3 => Some(CameraStatus::Reopening),
            _ => None,
        }
    }
}

/// The kinds of event, serialised with a `kind` tag.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// Both eyes closed, then reopened; emitted for every blink, involuntary ones included.
    Blink { duration_ms: u32 },
    /// A closure held for the hold time; emitted the moment the hold time is reached.
    LongBlink { held_ms: u32 },
    /// One eye closed for at least the wink time while the other stayed open.
    Wink { eye: Eye, duration_ms: u32 },
    /// Two blinks within the double-blink window.
    DoubleBlink { interval_ms: u32 },
    /// A gaze region entered and held for the dwell time.
    Gaze { region: GazeRegion, held_ms: u32 },
    /// The face appeared or disappeared (with hysteresis).
    Face { present: bool, score: f32 },
    /// A switch edge produced by the gesture → switch mapping.
    Switch {
        switch: u8,
        action: SwitchAction,
        gesture: Gesture,
    },
    /// The camera went away, is being reopened, or streams again.
    Camera { status: CameraStatus },
}
