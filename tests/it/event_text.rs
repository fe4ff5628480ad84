//! The line a person reads for each event (`replay` without `--json`, `run`'s log).

use eyeswitch::event::{CameraStatus, Event, EventKind, Eye, GazeRegion, Gesture, SwitchAction};
use eyeswitch::event_text::{EventText, KindText};

fn line(t_ms: u64, kind: EventKind) -> String {
    EventText(&Event {
        t_ms,
        frame: 0,
        kind,
    })
    .to_string()
}

#[test]
fn every_kind_reads_as_words() {
    let cases = [
        (
            EventKind::Blink { duration_ms: 83 },
            "00:01.16  blink  83 ms",
        ),
        (
            EventKind::LongBlink { held_ms: 600 },
            "00:01.16  long blink  held 600 ms",
        ),
        (
            EventKind::Wink {
                eye: Eye::Left,
                duration_ms: 250,
            },
            "00:01.16  wink  left eye  250 ms",
        ),
        (
            EventKind::DoubleBlink { interval_ms: 320 },
            "00:01.16  double blink  320 ms apart",
        ),
        (
            EventKind::Gaze {
                region: GazeRegion::Right,
                held_ms: 500,
            },
            "00:01.16  gaze right  held 500 ms",
        ),
        (
            EventKind::Face {
                present: true,
                score: 0.934,
            },
            "00:01.16  face found  score 0.93",
        ),
        (
            EventKind::Face {
                present: false,
                score: 0.1,
            },
            "00:01.16  face lost",
        ),
        (
            EventKind::Switch {
                switch: 1,
                action: SwitchAction::Press,
                gesture: Gesture::LongBlink,
            },
            "00:01.16  switch 1 press  long blink",
        ),
        (
            EventKind::Switch {
                switch: 2,
                action: SwitchAction::Release,
                gesture: Gesture::GazeLeft,
            },
            "00:01.16  switch 2 release  gaze left",
        ),
        (
            EventKind::Camera {
                status: CameraStatus::Reopening,
            },
            "00:01.16  camera reopening",
        ),
    ];
    for (kind, want) in cases {
        assert_eq!(line(1160, kind), want);
    }
}

#[test]
fn clock_shows_hours_only_from_the_first_hour() {
    let blink = EventKind::Blink { duration_ms: 90 };
    assert_eq!(line(0, blink), "00:00.00  blink  90 ms");
    assert_eq!(line(59_999, blink), "00:59.99  blink  90 ms");
    assert_eq!(line(3_599_990, blink), "59:59.99  blink  90 ms");
    assert_eq!(line(3_723_400, blink), "1:02:03.40  blink  90 ms");
}

#[test]
fn kind_alone_for_events_without_a_frame_time() {
    let lost = EventKind::Camera {
        status: CameraStatus::Lost,
    };
    assert_eq!(KindText(&lost).to_string(), "camera lost");
}
