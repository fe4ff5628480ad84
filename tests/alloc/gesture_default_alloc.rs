//! The engine's issue-14 paths do not allocate either: the default gaze profile with its
//! learned centre (run long enough for its ring to wrap) and the mid-closure dip detector.

use eyeswitch::alloc_count;

use eyeswitch::event::{EventKind, Gesture};
use eyeswitch::gesture::{
    Config, Engine, EyeObservation, FaceObservation, IrisPos, Observation, SwitchMapping,
    SwitchMode,
};

/// `frames` frames of (both eyes' openness, iris x).
type Segment = (u32, f32, f32);

#[test]
fn default_gaze_and_dip_blinks_do_not_allocate() {
    let _serial = crate::serial();
    let cfg = Config {
        switch: vec![SwitchMapping {
            gesture: Gesture::GazeLeft,
            switch: 1,
            mode: SwitchMode::Follow,
            pulse_ms: 200,
        }],
        ..Config::default()
    };
    let mut engine = Engine::new(&cfg).expect("valid");
    // 20 s at the centre (the centre ring wraps), mid-closure dips, a look left held, back.
    let mut script: Vec<Segment> = vec![(500, 0.3, 0.05)];
    for _ in 0..5 {
        script.extend([(1, 0.18, 0.05), (20, 0.3, 0.05)]);
    }
    script.extend([(50, 0.3, 0.5), (30, 0.3, 0.05)]);
    let mut events = Vec::with_capacity(1000);
    let _tracking = alloc_count::track_this_thread();
    let before = alloc_count::counts();
    let mut frame = 0_u64;
    for &(n, openness, x) in &script {
        for _ in 0..n {
            let eye = EyeObservation {
                openness,
                iris: Some(IrisPos { x, y: 0.0 }),
            };
            let obs = Observation {
                t_ms: frame * 40,
                frame,
                face: Some(FaceObservation {
                    score: 1.0,
                    right: eye,
                    left: eye,
                    ..Default::default()
                }),
            };
            engine.process(&obs, &mut |e| events.push(e));
            frame += 1;
        }
    }
    let during = alloc_count::counts().since(before);
    let blinks = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Blink { .. }))
        .count();
    let looks = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Gaze { .. }))
        .count();
    assert!(blinks == 5 && looks >= 2, "{events:?}");
    assert_eq!(during.own, 0, "allocations in the hot loop");
}
