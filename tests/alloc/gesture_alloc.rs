//! The hot loop does not allocate: after construction, `Engine::process` makes no heap
//! allocation, whatever it emits. Checked with a counting global allocator (installed in tests/alloc/main.rs).

use eyeswitch::alloc_count;

use eyeswitch::event::Gesture;
use eyeswitch::gesture::{
    Config, Engine, EyeObservation, FaceObservation, GazeProfile, IrisPos, Observation,
    SwitchMapping, SwitchMode, HEAD_GAIN,
};

/// `frames` frames of (right openness, left openness, iris x), or no face.
type Segment = (u32, Option<(f32, f32, f32)>);

#[test]
fn process_does_not_allocate() {
    let _serial = crate::serial();
    let cfg = Config {
        switch: vec![
            SwitchMapping::default(),
            SwitchMapping {
                gesture: Gesture::WinkLeft,
                switch: 2,
                mode: SwitchMode::Follow,
                pulse_ms: 200,
            },
            SwitchMapping {
                gesture: Gesture::GazeRight,
                switch: 3,
                mode: SwitchMode::Follow,
                pulse_ms: 200,
            },
        ],
        ..Config::default()
    };
    let mut engine = Engine::new(&cfg).expect("valid");
    engine.set_gaze_profile(Some(GazeProfile {
        head_gain: HEAD_GAIN,
        centre_yaw: 0.0,
        centre_pitch: 0.0,
        centre_x: 0.0,
        centre_y: 0.0,
        left_x: 0.2,
        right_x: -0.2,
        up_y: -0.1,
        down_y: 0.1,
    }));
    // Open, long blink, wink, gaze right, face loss, sleep: every event kind and switch edge.
    let script: [Segment; 10] = [
        (40, Some((0.3, 0.3, 0.0))),
        (20, Some((0.03, 0.03, 0.0))),
        (10, Some((0.3, 0.3, 0.0))),
        (20, Some((0.3, 0.03, 0.0))),
        (10, Some((0.3, 0.3, 0.0))),
        (30, Some((0.3, 0.3, -0.5))),
        (10, None),
        (40, Some((0.3, 0.3, 0.0))),
        (200, Some((0.03, 0.03, 0.0))),
        (10, Some((0.3, 0.3, 0.0))),
    ];
    let mut events = Vec::with_capacity(1000);
    let _tracking = alloc_count::track_this_thread();
    let before = alloc_count::counts();
    let mut frame = 0_u64;
    for &(n, face) in &script {
        for _ in 0..n {
            let face = face.map(|(r, l, x)| {
                let eye = |openness| EyeObservation {
                    openness,
                    iris: Some(IrisPos { x, y: 0.0 }),
                };
                FaceObservation {
                    score: 1.0,
                    right: eye(r),
                    left: eye(l),
                    head: Default::default(),
                    ..Default::default()
                }
            });
            let obs = Observation {
                t_ms: frame * 40,
                frame,
                face,
            };
            engine.process(&obs, &mut |e| events.push(e));
            frame += 1;
        }
    }
    let during = alloc_count::counts().since(before);
    assert!(events.len() > 10 && events.len() < 1000, "{events:?}");
    assert_eq!(during.own, 0, "allocations in the hot loop");
}
