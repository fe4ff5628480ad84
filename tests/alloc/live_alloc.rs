//! `run`'s frame loop, with the camera stalling mid-stream: waits without a frame, the stall
//! release, the `camera` events and the resumption allocate nothing of eyeswitch's own, on the
//! frame loop or the capture thread.

use std::time::Duration;

use eyeswitch::alloc_count;
use eyeswitch::capture::{CaptureThread, Decoder, FaultConfig, FaultInjector, Paced, ReplaySource};
use eyeswitch::event::{CameraStatus, Event, EventKind};
use eyeswitch::gesture::Observation;
use eyeswitch::live::LiveSink;
use eyeswitch::models::{LandmarkModel, Precision};

use crate::common;

/// Frames before counting starts.
const WARM_UP: u64 = 20;

/// Counts from the end of the warm-up to the last frame processed: the end of the recording
/// (an EOF, the capture thread ending) is not the hot loop and is left out.
struct Counting {
    events: Vec<Event>,
    mark: Option<alloc_count::Counts>,
    last: Option<alloc_count::Counts>,
}

impl LiveSink for Counting {
    fn event(&mut self, e: &Event) {
        self.events.push(*e);
    }
    fn frame(&mut self, o: &Observation) {
        let now = alloc_count::counts();
        // The ring drops frames when the machine is busy: the first frame past the warm-up.
        if o.frame >= WARM_UP && self.mark.is_none() {
            self.mark = Some(now);
        }
        self.last = Some(now);
    }
}

#[test]
fn the_live_loop_and_a_stall_allocate_nothing_of_their_own() {
    if common::emulated() {
        // Real-time pacing under qemu would drop most frames; the loop's code is the same.
        eprintln!("SKIPPED under emulation: real-time pacing");
        return;
    }
    let Some(clip) = common::media("pyfeat__single_face") else {
        return;
    };
    let _serial = crate::serial();
    let _tracking = alloc_count::track_this_thread();
    let mut pipeline = common::pipeline(LandmarkModel::default(), Precision::F32, 1);
    let faults = FaultConfig {
        stall_at: Some(45),
        stall_for: Duration::from_millis(500),
        ..FaultConfig::default()
    };
    let source = FaultInjector::new(Paced::new(ReplaySource::open(&clip, 30.0).unwrap()), faults);
    let mut frames = Decoder::new(
        CaptureThread::spawn(source)
            .unwrap()
            .with_timeout(Duration::from_millis(20)),
    );
    let mut sink = Counting {
        events: Vec::with_capacity(64),
        mark: None,
        last: None,
    };
    common::run_live(&mut pipeline, &mut frames, &mut sink, 300).unwrap();
    let (mark, last) = (
        sink.mark.expect("warm-up frames were processed"),
        sink.last.unwrap(),
    );
    let counted = last.since(mark);
    println!(
        "live loop with a 500 ms stall: eyeswitch {} allocations, libraries {}",
        counted.own, counted.foreign
    );
    let lost = EventKind::Camera {
        status: CameraStatus::Lost,
    };
    assert!(
        sink.events.iter().any(|e| e.kind == lost),
        "{:?}",
        sink.events
    );
    assert!(
        sink.events.len() < sink.events.capacity(),
        "the test's buffer grew"
    );
    assert_eq!(counted.own, 0, "eyeswitch allocated in the live loop");
}
