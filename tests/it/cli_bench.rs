//! `eyeswitch bench` end to end on a shared video: the per-stage table, then one JSON line
//! with the same figures and no allocation of eyeswitch's own per frame.

use crate::common;

#[test]
fn bench_reports_every_stage_and_no_own_allocations() {
    let Some(video) = common::media("pyfeat__single_face") else {
        return;
    };
    let out = common::eyeswitch_command()
        .args(["bench", "--frames", "5", "--fps", "30"])
        .arg(&video)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("a JSON line");
    let json: serde_json::Value = serde_json::from_str(last).expect(last);
    let bench = &json["bench"];
    assert_eq!(bench["frames"], 5, "{last}");
    for stage in [
        "decode", "detector", "mesh", "iris", "gestures", "own", "frame",
    ] {
        let s = &bench["stages"][stage];
        assert!(
            s["median_ms"].is_number() && s["p90_ms"].is_number(),
            "{stage}: {last}"
        );
    }
    // Our own work is the frame less the models' runs: more than the decode, less than all.
    let median = |stage: &str| bench["stages"][stage]["median_ms"].as_f64().unwrap();
    assert!(
        median("own") >= median("decode") && median("own") < median("frame"),
        "{last}"
    );
    assert_eq!(
        bench["stages"]["mesh"]["runs"], 5,
        "tracked frames run the mesh"
    );
    assert_eq!(
        bench["allocations_per_frame"]["eyeswitch"], 0.0,
        "eyeswitch allocated per frame: {last}"
    );
    assert!(bench["fps"].as_f64().is_some_and(|f| f > 0.0), "{last}");
}

/// `--precision int8` runs the same frames through the iris pipeline in both precisions and
/// gives the ratio per model.
#[test]
fn bench_compares_int8_with_f32_on_the_same_frames() {
    // Two pipelines per frame: minutes under qemu, and what it tests is the command's own
    // logic; the one-pipeline bench test runs there.
    if common::emulated() {
        eprintln!("SKIPPED under emulation: a two-pipeline bench (runs natively)");
        return;
    }
    let Some(video) = common::media("pyfeat__single_face") else {
        return;
    };
    let out = common::eyeswitch_command()
        .args([
            "--precision",
            "int8",
            "--landmark-model",
            "iris",
            "bench",
            "--frames",
            "3",
            "--fps",
            "30",
        ])
        .arg(&video)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("landmarks iris, precision int8 (face_detection_short_range.onnx, face_landmark.int8.onnx, iris_landmark.int8.onnx)"),
        "{stdout}"
    );
    assert!(stdout.contains("mesh: iris int8 takes "), "{stdout}");
    let last = stdout.lines().last().expect("a JSON line");
    let json: serde_json::Value = serde_json::from_str(last).expect(last);
    let bench = &json["bench"];
    assert_eq!(bench["precision"], "int8", "{last}");
    let other = &bench["compared"][0];
    assert_eq!(other["precision"], "f32", "{last}");
    assert_eq!(other["landmarks"], "iris", "{last}");
    for stage in ["mesh", "iris", "frame"] {
        assert!(
            other["ratio"][stage].as_f64().is_some_and(|r| r > 0.0),
            "{stage}: {last}"
        );
        assert_eq!(other["stages"][stage]["runs"], 3, "{last}");
    }
    assert_eq!(bench["allocations_per_frame"]["eyeswitch"], 0.0, "{last}");
}

/// The attention mesh has only f32: comparing precisions on it is refused with the way out.
#[test]
fn bench_refuses_precisions_on_the_attention_mesh() {
    let Some(video) = common::media("pyfeat__single_face") else {
        return;
    };
    let out = common::eyeswitch_command()
        .args([
            "--precision",
            "int8",
            "--landmark-model",
            "attention",
            "bench",
            "--frames",
            "1",
        ])
        .arg(&video)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("add --landmark-model iris"), "{err}");
}

/// `--baseline` also runs the other landmark model on the same frames: both ratios to
/// MediaPipe in one run.
#[test]
fn bench_baseline_gives_both_landmark_models_ratio_to_mediapipe() {
    // Two pipelines per frame: minutes under qemu, and what it tests is the command's own
    // logic; the one-pipeline bench test runs there.
    if common::emulated() {
        eprintln!("SKIPPED under emulation: a two-pipeline bench (runs natively)");
        return;
    }
    let Some(video) = common::media("pyfeat__single_face") else {
        return;
    };
    let baseline = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mediapipe.json");
    std::fs::write(&baseline, "{\"mediapipe\": {\"median_ms\": 4.0}}\n").unwrap();
    let out = common::eyeswitch_command()
        .args(["bench", "--frames", "3", "--fps", "30", "--baseline"])
        .arg(&baseline)
        .arg(&video)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("MediaPipe 4.000 ms/frame: iris f32 takes ")
            && stdout.contains("MediaPipe 4.000 ms/frame: attention f32 takes "),
        "{stdout}"
    );
    let last = stdout.lines().last().expect("a JSON line");
    let json: serde_json::Value = serde_json::from_str(last).expect(last);
    let bench = &json["bench"];
    // The default, attention, then the iris pipeline on the same frames.
    assert_eq!(bench["landmarks"], "attention", "{last}");
    assert!(
        bench["ratio_vs_mediapipe"]
            .as_f64()
            .is_some_and(|r| r > 0.0),
        "{last}"
    );
    assert_eq!(
        bench["stages"]["iris"]["runs"], 0,
        "the attention mesh has its irises"
    );
    let iris = &bench["compared"][0];
    assert_eq!(iris["landmarks"], "iris", "{last}");
    assert!(
        iris["ratio_vs_mediapipe"].as_f64().is_some_and(|r| r > 0.0),
        "{last}"
    );
    assert_eq!(iris["stages"]["iris"]["runs"], 3, "{last}");
}
