//! The gaze profile file (save, load, fall back to the default), the step-by-step calibration
//! session (screening and judging each step), and the config keys around them.

use std::path::{Path, PathBuf};

use eyeswitch::config::Config;
use eyeswitch::doctor::{self, Status};
use eyeswitch::event::GazeRegion;
use eyeswitch::gesture::{
    CalibrationSession, EyeObservation, FaceObservation, GazeProfile, HeadPose, IrisPos,
    Observation, StepError, StepRejected,
};
use eyeswitch::profile::{self, ProfileSource};

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gesture-profile");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Open eyes (0.3) with the iris at `x`, `y`; a little jitter per frame.
fn frames(n: usize, x: f32, y: f32, openness: f32) -> Vec<Observation> {
    (0..n)
        .map(|i| {
            let jitter = (i % 3) as f32 * 0.005;
            let eye = EyeObservation {
                openness,
                iris: Some(IrisPos {
                    x: x + jitter,
                    y: y - jitter,
                }),
            };
            Observation {
                t_ms: i as u64 * 40,
                frame: i as u64,
                face: Some(FaceObservation {
                    score: 0.95,
                    right: eye,
                    left: eye,
                    head: HeadPose::default(),
                    ..Default::default()
                }),
            }
        })
        .collect()
}

const OPEN: f32 = 0.3;

#[test]
fn a_session_measures_each_direction_from_the_centre() {
    let mut s = CalibrationSession::new(0.45);
    assert_eq!(
        s.step(GazeRegion::Left, &frames(50, 0.5, 0.0, OPEN)),
        Err(StepError::CentreFirst)
    );
    assert_eq!(
        s.step(GazeRegion::Center, &frames(50, 0.05, 0.1, OPEN)),
        Ok(None)
    );
    let left = s
        .step(GazeRegion::Left, &frames(50, 0.55, 0.1, OPEN))
        .unwrap()
        .expect("a direction gives its range");
    assert!((left.offset - 0.5).abs() < 0.02, "{left:?}");
    assert!(left.low <= left.offset && left.offset <= left.high);
    assert!(!left.is_close());
    let right = s
        .step(GazeRegion::Right, &frames(50, -0.15, 0.1, OPEN))
        .unwrap()
        .unwrap();
    assert!(
        right.is_close(),
        "0.2 half eye widths is too close: {right:?}"
    );

    // Looking "up" without moving the eyes is rejected with the shift and what is needed.
    let err = s
        .step(GazeRegion::Up, &frames(50, 0.05, 0.1, OPEN))
        .expect_err("no movement");
    assert!(matches!(err, StepError::Calibration(_)), "{err:?}");
    assert!(err.to_string().contains("need at least"), "{err}");

    // Without a fallback, the directions not measured are off; measured ones detect.
    let p = s.profile(None).expect("the centre was measured");
    assert!(p.detects(GazeRegion::Left) && p.detects(GazeRegion::Right));
    assert!(!p.detects(GazeRegion::Up) && !p.detects(GazeRegion::Down));
    let at = |x, y| p.classify(IrisPos { x, y }, HeadPose::default());
    assert_eq!(at(0.05, 0.1), GazeRegion::Center);
    assert_eq!(at(0.5, 0.1), GazeRegion::Left);
    assert_eq!(at(0.05, -0.9), GazeRegion::Center, "up is off");
    assert_eq!(at(0.05, 0.9), GazeRegion::Center, "down is off");
    p.validate().expect("a session profile is a valid profile");

    // With a fallback, a direction not measured keeps the fallback's reach around this centre.
    let fallback = GazeProfile {
        up_y: -0.4,
        down_y: 0.3,
        ..p
    };
    let fallback = GazeProfile {
        centre_y: 0.0,
        ..fallback
    };
    let q = s.profile(Some(&fallback)).unwrap();
    assert!((q.up_y - (0.1 - 0.4)).abs() < 0.02, "{q:?}");
    assert!((q.down_y - (0.1 + 0.3)).abs() < 0.02, "{q:?}");
    assert_eq!(
        q.left_x, p.left_x,
        "measured directions do not take the fallback"
    );
}

#[test]
fn steps_with_the_face_lost_or_the_eyes_shut_are_rejected() {
    let mut s = CalibrationSession::new(0.45);
    let mut lost = frames(50, 0.0, 0.0, OPEN);
    lost[20].face = None;
    assert_eq!(
        s.step(GazeRegion::Center, &lost),
        Err(StepError::Rejected(StepRejected::FaceLost {
            lost: 1,
            frames: 50
        }))
    );
    assert!(matches!(
        s.step(GazeRegion::Center, &frames(50, 0.0, 0.0, 0.05)),
        Err(StepError::Rejected(StepRejected::NotOpen { .. }))
    ));
    // A natural blink (4 frames of 50) is left out; the step counts.
    let mut blink = frames(50, 0.0, 0.0, OPEN);
    for f in &mut blink[10..14] {
        let face = f.face.as_mut().unwrap();
        face.right.openness = 0.03;
        face.left.openness = 0.03;
    }
    assert_eq!(s.step(GazeRegion::Center, &blink), Ok(None));
    // Half the step with the eyes shut is not a look to the left.
    let mut shut = frames(50, 0.5, 0.0, OPEN);
    for f in &mut shut[..25] {
        let face = f.face.as_mut().unwrap();
        face.right.openness = 0.03;
        face.left.openness = 0.03;
    }
    let err = s.step(GazeRegion::Left, &shut).expect_err("eyes shut");
    assert_eq!(
        err,
        StepError::Rejected(StepRejected::EyesClosed {
            closed: 25,
            frames: 50
        })
    );
    assert!(err.to_string().contains("25 of 50"), "{err}");
    assert!(matches!(
        s.step(GazeRegion::Left, &frames(3, 0.5, 0.0, OPEN)),
        Err(StepError::Rejected(StepRejected::TooFew { got: 3, .. }))
    ));
}

fn profile() -> GazeProfile {
    let mut s = CalibrationSession::new(0.45);
    s.step(GazeRegion::Center, &frames(30, 0.0, 0.0, OPEN))
        .unwrap();
    s.step(GazeRegion::Left, &frames(30, 0.5, 0.0, OPEN))
        .unwrap();
    s.profile(None).unwrap()
}

#[test]
fn profiles_are_saved_and_loaded_and_a_bad_file_falls_back_to_the_default() {
    let path = tmp("new-dir/profile.toml");
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
    let p = profile();
    profile::save(&path, &p).expect("creates the directory and writes");
    assert_eq!(profile::load(&path).expect("reads"), p);
    let loaded = profile::load_or_default(&path);
    assert_eq!(loaded.profile, Some(p));
    assert_eq!(loaded.source, ProfileSource::File(path.clone()));
    assert_eq!(loaded.describe(), path.display().to_string());
    assert!(
        !path.with_extension("toml.tmp").exists(),
        "no temporary left"
    );

    let missing = tmp("missing.toml");
    let loaded = profile::load_or_default(&missing);
    assert_eq!(loaded.profile, None, "the engine's default");
    assert_eq!(loaded.source, ProfileSource::NoFile(missing.clone()));
    assert!(
        loaded.describe().starts_with("default"),
        "{}",
        loaded.describe()
    );

    // A corrupt file: the message names the file and the field; run still starts.
    let corrupt = tmp("corrupt.toml");
    let text = p.to_toml().unwrap().replace("left_x = ", "left_x = -");
    std::fs::write(&corrupt, text).unwrap();
    let loaded = profile::load_or_default(&corrupt);
    assert_eq!(loaded.profile, None);
    let why = loaded.describe();
    assert!(why.starts_with("default ("), "{why}");
    assert!(why.contains(&corrupt.display().to_string()), "{why}");
    assert!(why.contains("left_x"), "{why}");
    std::fs::write(&corrupt, "head_gain = \"high\"\n").unwrap();
    let err = profile::load(&corrupt).expect_err("not a profile");
    assert!(err.to_string().contains("head_gain"), "{err}");
}

#[test]
fn gaze_and_camera_keys_are_checked_and_switch_access_names_accepted() {
    let c = Config::parse(
        "[gesture]\nacceptance_time_ms = 700\nhold_time_ms = 900\nignore_repeat_ms = 1500\n",
        "t.toml",
    )
    .expect("aliases parse");
    assert_eq!(c.gesture.long_blink_ms, 700);
    assert_eq!(c.gesture.gaze_dwell_ms, 900);
    assert_eq!(c.gesture.refractory_ms, 1500);
    let c = Config::parse("[gesture]\nrelease_time_ms = 0\n", "t.toml").unwrap();
    assert_eq!(c.gesture.refractory_ms, 0);
    let twice = Config::parse(
        "[gesture]\nlong_blink_ms = 600\nacceptance_time_ms = 700\n",
        "t.toml",
    );
    assert!(twice.is_err(), "a key and its alias together are ambiguous");
    let err = Config::parse("[gesture]\nhold_time_ms = 50\n", "t.toml").expect_err("range");
    assert!(err.to_string().contains("gaze_dwell_ms"), "{err}");

    assert_eq!(
        Config::default().gaze.profile,
        Path::new("/var/lib/eyeswitch/profile.toml")
    );
    let err = Config::parse("[gaze]\nprofile = \"profile.toml\"\n", "t.toml").unwrap_err();
    assert!(err.to_string().contains("gaze.profile"), "{err}");
    let err = Config::parse("[camera]\nhfov_deg = 200.0\n", "t.toml").unwrap_err();
    assert!(err.to_string().contains("camera.hfov_deg"), "{err}");
    let c = Config::parse("[camera]\nhfov_deg = 78\n", "t.toml").expect("an integer is fine");
    assert_eq!(c.camera.hfov_deg, 78.0);
}

#[test]
fn doctor_names_the_profile_and_warns_about_directions_it_cannot_detect() {
    let path = tmp("doctor-profile.toml");
    profile::save(&path, &profile()).unwrap();
    let text = format!(
        "[gaze]\nprofile = {:?}\n[[switch]]\nnumber = 1\ngesture = \"gaze_left\"\n\
         [[switch]]\nnumber = 2\ngesture = \"gaze_up\"\n",
        path.display().to_string()
    );
    let config = Config::parse(&text, "t.toml").unwrap();
    let checks = doctor::gaze::check(&config.gaze.profile, &config.switches);
    assert_eq!(checks[0].check, "gaze profile");
    assert_eq!(checks[0].status, Status::Ok);
    assert_eq!(
        checks[0].detail,
        format!("run would use {}", path.display())
    );
    let warnings: Vec<_> = checks.iter().filter(|c| c.status == Status::Warn).collect();
    assert_eq!(
        warnings.len(),
        1,
        "left was calibrated, up was not: {checks:?}"
    );
    assert_eq!(warnings[0].check, "switch 2");
    assert!(warnings[0].detail.contains("gaze_up"), "{:?}", warnings[0]);
    assert!(
        warnings[0].detail.contains("cannot detect"),
        "{:?}",
        warnings[0]
    );
    assert!(
        doctor::passed(&checks),
        "a warning leaves the exit status alone"
    );

    std::fs::write(&path, "not = \"a profile\"\n").unwrap();
    let checks = doctor::gaze::check(&path, &[]);
    assert_eq!(checks[0].status, Status::Warn, "{checks:?}");
    assert!(
        checks[0].detail.contains("run would use the default"),
        "{checks:?}"
    );
}
