//! Feeding the status screen from the frame loop allocates nothing: events and observations
//! update the loop's own model, which is copied into the display thread's slot.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use eyeswitch::alloc_count;
use eyeswitch::display::{
    DisplayError, DisplayThread, Screen, StatusFeed, StatusModel, StatusSlot,
};
use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::gesture::{FaceObservation, Observation};

/// Frames fed per measured window.
const WINDOW: u64 = 500;

/// Counts frames shown; the display thread is not tracked, so it could allocate freely.
struct Counter(Arc<AtomicUsize>);

impl Screen for Counter {
    fn show(&mut self, _model: &StatusModel) -> Result<(), DisplayError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

#[test]
fn feeding_the_display_does_not_allocate() {
    let _serial = crate::serial();
    let shown = Arc::new(AtomicUsize::new(0));
    let slot = StatusSlot::new();
    let screen = Box::new(Counter(Arc::clone(&shown)));
    let thread = DisplayThread::spawn(screen, slot.clone(), Duration::from_millis(1)).unwrap();
    let mut feed = StatusFeed::new(slot, thread);
    let _tracking = alloc_count::track_this_thread();
    let press = Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Switch {
            switch: 1,
            action: SwitchAction::Press,
            gesture: Gesture::LongBlink,
        },
    };
    let mut face = FaceObservation::default();
    let mut frame = 0u64;
    let mut window = || {
        let before = alloc_count::counts();
        for _ in 0..WINDOW {
            face.right.openness = (frame % 30) as f32 / 100.0;
            feed.event(&Event {
                t_ms: frame * 33,
                frame,
                ..press
            });
            feed.frame(&Observation {
                t_ms: frame * 33,
                frame,
                face: Some(face),
            });
            if frame.is_multiple_of(100) {
                std::thread::sleep(Duration::from_millis(2));
            }
            frame += 1;
        }
        alloc_count::counts().since(before)
    };
    window();
    let counted = window();
    drop(feed);
    assert_eq!(
        counted,
        alloc_count::Counts::default(),
        "the frame loop allocated"
    );
    assert!(
        shown.load(Ordering::Relaxed) > 1,
        "the display thread ran meanwhile"
    );
}
