//! Gaze calibration: per-user thresholds from look-at-target samples, stored as TOML.

use eyeswitch::event::GazeRegion;
use eyeswitch::gesture::{
    calibrate, CalibrationError, CalibrationSample, GazeProfile, HeadPose, IrisPos,
};

/// Seven frames per target with a little jitter; `offset` is the iris shift of that target.
fn samples(target: GazeRegion, offset: (f32, f32), head: HeadPose) -> Vec<CalibrationSample> {
    (0..7)
        .map(|i| {
            let jitter = (i as f32 - 3.0) * 0.004;
            CalibrationSample {
                target,
                iris: IrisPos {
                    x: 0.02 + offset.0 + jitter,
                    y: 0.05 + offset.1 - jitter,
                },
                head,
            }
        })
        .collect()
}

fn session(head: HeadPose) -> Vec<CalibrationSample> {
    [
        (GazeRegion::Center, (0.0, 0.0)),
        (GazeRegion::Left, (0.4, 0.0)),
        (GazeRegion::Right, (-0.36, 0.0)),
        (GazeRegion::Up, (0.0, -0.2)),
        (GazeRegion::Down, (0.0, 0.16)),
    ]
    .into_iter()
    .flat_map(|(t, o)| samples(t, o, head))
    .collect()
}

#[test]
fn thresholds_lie_halfway_between_centre_and_each_target() {
    let p = calibrate(&session(HeadPose::default())).expect("calibrates");
    let close = |a: f32, b: f32| (a - b).abs() < 1e-5;
    assert!(close(p.centre_x, 0.02) && close(p.centre_y, 0.05), "{p:?}");
    assert!(close(p.left_x, 0.22), "{p:?}");
    assert!(close(p.right_x, -0.16), "{p:?}");
    assert!(close(p.up_y, -0.05), "{p:?}");
    assert!(close(p.down_y, 0.13), "{p:?}");

    let at = |x: f32, y: f32| p.classify(IrisPos { x, y }, HeadPose::default());
    assert_eq!(at(0.02, 0.05), GazeRegion::Center);
    assert_eq!(at(0.4, 0.05), GazeRegion::Left);
    assert_eq!(at(-0.3, 0.05), GazeRegion::Right);
    assert_eq!(at(0.02, -0.15), GazeRegion::Up);
    assert_eq!(at(0.02, 0.2), GazeRegion::Down);
}

#[test]
fn calibration_records_the_head_pose_and_compensates_from_it() {
    let head = HeadPose {
        yaw: 0.1,
        pitch: -0.25,
        roll: 0.0,
    };
    let p = calibrate(&session(head)).expect("calibrates");
    assert!((p.centre_yaw - 0.1).abs() < 1e-6 && (p.centre_pitch + 0.25).abs() < 1e-6);
    // Lifting the chin by 0.2 rad while still looking at the centre moves the iris down in the
    // eye; compensation keeps it the centre.
    let lifted = HeadPose {
        pitch: head.pitch + 0.2,
        ..head
    };
    let iris = IrisPos {
        x: 0.02,
        y: 0.05 + p.head_gain * 0.2,
    };
    assert_eq!(p.classify(iris, lifted), GazeRegion::Center);
}

#[test]
fn missing_or_unclear_targets_are_errors() {
    let mut s = session(HeadPose::default());
    s.retain(|x| x.target != GazeRegion::Up);
    assert_eq!(
        calibrate(&s),
        Err(CalibrationError::TooFewSamples {
            target: GazeRegion::Up,
            got: 0,
            need: 5
        })
    );

    // The user did not (or could not) look down: the "down" samples sit on the centre.
    let mut s = session(HeadPose::default());
    s.retain(|x| x.target != GazeRegion::Down);
    s.extend(samples(GazeRegion::Down, (0.0, 0.01), HeadPose::default()));
    let err = calibrate(&s).expect_err("down is not separated");
    assert!(matches!(
        err,
        CalibrationError::NotSeparated {
            target: GazeRegion::Down,
            ..
        }
    ));
    assert!(err.to_string().contains("Down"), "{err}");
}

#[test]
fn profiles_round_trip_through_toml_and_are_checked_on_load() {
    let p = calibrate(&session(HeadPose::default())).expect("calibrates");
    let text = p.to_toml().expect("writes");
    assert!(text.contains("left_x"), "{text}");
    assert_eq!(GazeProfile::from_toml(&text).expect("reads"), p);

    let swapped = text
        .replace("left_x", "tmp")
        .replace("right_x", "left_x")
        .replace("tmp", "right_x");
    let err = GazeProfile::from_toml(&swapped).expect_err("thresholds on the wrong side");
    assert!(err.to_string().contains("out of range"), "{err}");
    assert!(GazeProfile::from_toml("head_gain = 0.8").is_err());
}
