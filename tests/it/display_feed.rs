//! The status screen in `run`: the display thread shows the latest status at a bounded rate,
//! skips unchanged frames, and a failing screen never stops the feed.

use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use eyeswitch::display::{
    DisplayError, DisplayThread, Screen, StatusFeed, StatusModel, StatusSlot,
};
use eyeswitch::event::{Event, EventKind};
use eyeswitch::gesture::{FaceObservation, Observation};

const PERIOD: Duration = Duration::from_millis(20);

/// Records every model shown; fails every call when `fail` is set.
#[derive(Clone, Default)]
struct Recorder {
    shown: Arc<Mutex<Vec<StatusModel>>>,
    fail: bool,
}

impl Recorder {
    fn shown(&self) -> Vec<StatusModel> {
        self.shown.lock().unwrap().clone()
    }
}

impl Screen for Recorder {
    fn show(&mut self, model: &StatusModel) -> Result<(), DisplayError> {
        self.shown.lock().unwrap().push(*model);
        if self.fail {
            return Err(DisplayError::Oled {
                bus: "/dev/i2c-test".into(),
                address: 0x3C,
                detail: "injected".into(),
            });
        }
        Ok(())
    }
}

fn with_fps(fps: f32) -> StatusModel {
    let mut m = StatusModel::new();
    m.fps = fps;
    m
}

#[test]
fn shows_the_latest_status_at_a_bounded_rate() {
    let screen = Recorder::default();
    let slot = StatusSlot::new();
    let thread = DisplayThread::spawn(Box::new(screen.clone()), slot.clone(), PERIOD).unwrap();
    let start = Instant::now();
    let mut stored = 0;
    for i in 0..2000 {
        stored += usize::from(slot.offer(&with_fps(i as f32)));
        if i % 20 == 0 {
            sleep(Duration::from_millis(2));
        }
    }
    sleep(PERIOD * 4);
    let elapsed = start.elapsed();
    drop(thread);
    let shown = screen.shown();
    let most = (elapsed.as_millis() / PERIOD.as_millis()) as usize + 2;
    assert!(
        shown.len() >= 2 && shown.len() <= most,
        "{} frames in {elapsed:?}",
        shown.len()
    );
    assert!(
        stored > 1900,
        "offers almost never find the slot busy: {stored}"
    );
    assert_eq!(
        shown.last().unwrap().fps,
        1999.0,
        "the latest status is shown"
    );
}

#[test]
fn unchanged_status_is_not_redrawn() {
    let screen = Recorder::default();
    let slot = StatusSlot::new();
    let thread = DisplayThread::spawn(Box::new(screen.clone()), slot.clone(), PERIOD).unwrap();
    slot.offer(&with_fps(30.0));
    sleep(PERIOD * 6);
    drop(thread);
    let fps: Vec<f32> = screen.shown().iter().map(|m| m.fps).collect();
    assert!(fps == [30.0] || fps == [0.0, 30.0], "{fps:?}");
}

#[test]
fn a_failing_screen_is_retried_and_never_blocks_the_feed() {
    let screen = Recorder {
        fail: true,
        ..Recorder::default()
    };
    let slot = StatusSlot::new();
    let thread = DisplayThread::spawn(Box::new(screen.clone()), slot.clone(), PERIOD).unwrap();
    for i in 0..5 {
        slot.offer(&with_fps(i as f32));
        sleep(PERIOD * 2);
    }
    let start = Instant::now();
    drop(thread);
    assert!(start.elapsed() < Duration::from_secs(1), "the thread stops");
    assert!(screen.shown().len() >= 3, "each new status is tried again");
}

#[test]
fn feed_turns_events_and_observations_into_the_screen() {
    let screen = Recorder::default();
    let slot = StatusSlot::new();
    let thread = DisplayThread::spawn(Box::new(screen.clone()), slot.clone(), PERIOD).unwrap();
    let mut feed = StatusFeed::new(slot, thread);
    feed.event(&Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Face {
            present: true,
            score: 0.9,
        },
    });
    let mut face = FaceObservation::default();
    face.right.openness = 0.15;
    face.left.openness = 0.3;
    for frame in 0..3 {
        feed.frame(&Observation {
            t_ms: frame * 40,
            frame,
            face: Some(face),
        });
    }
    sleep(PERIOD * 4);
    drop(feed);
    let last = *screen.shown().last().unwrap();
    assert!(last.face_found);
    assert_eq!(last.last_event(), "face found");
    assert!((last.right_eye - 0.5).abs() < 1e-6 && (last.left_eye - 1.0).abs() < 1e-6);
    assert_eq!(last.fps, 25.0);
}
