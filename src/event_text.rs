//! Events as one line a person can read, e.g. `00:01.16  blink  83 ms`: what `replay` prints
//! without `--json` and what `run` logs. The JSON form in [`crate::event`] is for programs.
//!
//! [`EventText`] formats straight into the writer, so printing an event allocates nothing.

use std::fmt;

use crate::event::{Event, EventKind, Gesture};

/// `t_ms`, then the event: `00:01.16  blink  83 ms`, `01:02:03.40  switch 1 press  long blink`.
pub struct EventText<'a>(pub &'a Event);

impl fmt::Display for EventText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}", Clock(self.0.t_ms), KindText(&self.0.kind))
    }
}

/// `mm:ss.cc`, or `h:mm:ss.cc` from the first hour on (`run` streams for days).
struct Clock(u64);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let centis = self.0 / 10;
        let (h, m, s, c) = (
            centis / 360_000,
            centis / 6000 % 60,
            centis / 100 % 60,
            centis % 100,
        );
        if h > 0 {
            write!(f, "{h}:{m:02}:{s:02}.{c:02}")
        } else {
            write!(f, "{m:02}:{s:02}.{c:02}")
        }
    }
}

/// The event without its time: `camera lost`, for events that have no frame time.
pub struct KindText<'a>(pub &'a EventKind);

impl fmt::Display for KindText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self.0 {
            EventKind::Blink { duration_ms } => write!(f, "blink  {duration_ms} ms"),
            EventKind::LongBlink { held_ms } => write!(f, "long blink  held {held_ms} ms"),
            EventKind::Wink { eye, duration_ms } => {
                write!(f, "wink  {} eye  {duration_ms} ms", eye.name())
            }
            EventKind::DoubleBlink { interval_ms } => {
                write!(f, "double blink  {interval_ms} ms apart")
            }
            EventKind::Gaze { region, held_ms } => {
                write!(f, "gaze {}  held {held_ms} ms", region.name())
            }
            EventKind::Face {
                present: true,
                score,
            } => write!(f, "face found  score {score:.2}"),
            EventKind::Face { present: false, .. } => f.write_str("face lost"),
            EventKind::Switch {
                switch,
                action,
                gesture,
            } => write!(
                f,
                "switch {switch} {}  {}",
                action.name(),
                gesture_words(gesture)
            ),
            EventKind::Camera { status } => write!(f, "camera {}", status.name()),
        }
    }
}

/// The gesture in words (`long blink`); the config name is [`Gesture::name`].
fn gesture_words(gesture: Gesture) -> &'static str {
    match gesture {
        Gesture::LongBlink => "long blink",
        Gesture::DoubleBlink => "double blink",
        Gesture::WinkLeft => "wink left",
        Gesture::WinkRight => "wink right",
        Gesture::GazeLeft => "gaze left",
        Gesture::GazeRight => "gaze right",
        Gesture::GazeUp => "gaze up",
        Gesture::GazeDown => "gaze down",
    }
}
