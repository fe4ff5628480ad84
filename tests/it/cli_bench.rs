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
    for stage in ["decode", "detector", "mesh", "iris", "gestures", "frame"] {
        let s = &bench["stages"][stage];
        assert!(
            s["median_ms"].is_number() && s["p90_ms"].is_number(),
            "{stage}: {last}"
        );
    }
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

/// `--precision int8` runs the same frames in both precisions and gives the ratio per model.
#[test]
fn bench_compares_int8_with_f32_on_the_same_frames() {
    let Some(video) = common::media("pyfeat__single_face") else {
        return;
    };
    let out = common::eyeswitch_command()
        .args([
            "--precision",
            "int8",
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
        stdout.contains("precision int8 (face_detection_short_range.onnx, face_landmark.int8.onnx, iris_landmark.int8.onnx)"),
        "{stdout}"
    );
    assert!(stdout.contains("mesh: int8 takes "), "{stdout}");
    let last = stdout.lines().last().expect("a JSON line");
    let json: serde_json::Value = serde_json::from_str(last).expect(last);
    let precision = &json["bench"]["precision"];
    assert_eq!(precision["under_test"], "int8", "{last}");
    assert_eq!(precision["baseline"], "f32", "{last}");
    for stage in ["mesh", "iris", "frame"] {
        assert!(
            precision["ratio"][stage].as_f64().is_some_and(|r| r > 0.0),
            "{stage}: {last}"
        );
        assert_eq!(precision["baseline_stages"][stage]["runs"], 3, "{last}");
    }
    assert_eq!(
        json["bench"]["allocations_per_frame"]["eyeswitch"], 0.0,
        "{last}"
    );
}
