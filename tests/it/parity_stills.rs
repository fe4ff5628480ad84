//! Parity with MediaPipe 0.10.21 on real photos: faces, mesh, iris and eye contours.
//!
//! Errors are fractions of the inter-ocular distance (IOD = |p33 − p263|) of the reference
//! mesh. Bounds are what this implementation reaches (the bounds, tightened), so a
//! regression shows up at once. Run with `--nocapture` to see the per-image table.

use crate::common::*;
use eyeswitch::frame::RgbView;
use eyeswitch::models::{LandmarkModel, Precision, Precisions};
use eyeswitch::vision::{Face, Landmarker};

/// Largest errors allowed, in % of IOD (EAR: absolute).
struct Bounds {
    mesh_mean: f32,
    mesh_point: f32,
    iris_centre: f32,
    contour_mean: f32,
    contour_point: f32,
    /// Iris centres 468/473 against the attention model (reference/refined; issue bound: 3 %).
    refined_iris: f32,
    /// EAR against the EAR of MediaPipe's own mesh + iris contours (issue bound: 0.03).
    ear: f32,
    /// Iris centre, contour mean and contour point bounds for [`HIDDEN_EYES`], if any.
    hidden: Option<[f32; 3]>,
}

/// f32: what this implementation reaches, the bounds tightened (mesh, iris and contour
/// means: 1 %), so a regression shows up at once.
const F32: Bounds = Bounds {
    mesh_mean: 0.2,
    mesh_point: 0.6,
    iris_centre: 0.25,
    contour_mean: 0.2,
    contour_point: 0.5,
    refined_iris: 2.5,
    ear: 0.015,
    hidden: Some([1.0, 1.0, 1.5]),
};

/// int8: the quantisation issue's bounds, mesh and iris within 1 % of IOD, on eyes the camera
/// can see. A hidden eye's iris is not bounded: there the answer follows the crop, not the eye.
/// The int8 mesh's eye corners (0.8 % of IOD from MediaPipe's on that face) move the f32 iris
/// model's answer on the hidden eye by 2.5 % of IOD.
const INT8: Bounds = Bounds {
    mesh_mean: 1.0,
    mesh_point: 3.0,
    iris_centre: 1.0,
    contour_mean: 1.0,
    contour_point: 3.0,
    refined_iris: 3.0,
    ear: 0.03,
    hidden: None,
};

/// Faces whose eyes the camera cannot see. The mesh still matches, but the iris model is
/// fed a few upscaled pixels of a hidden eye, where the crop's resampling decides the
/// answer: only the issue's own bounds hold there (`Bounds::hidden`), and an EAR means nothing.
const HIDDEN_EYES: [&str; 1] = ["sk__camera.png"]; // small profile face, eye hidden

/// Contour index → mesh index of the EAR points (33, 160, 158, 133, 153, 144), from the
/// reference's `eye_contour_mesh_index`; the same contour indices serve the other eye.
const EAR_CONTOUR: [usize; 6] = [0, 11, 13, 8, 5, 3];

#[derive(Default)]
struct Worst {
    mesh_mean: f32,
    mesh_point: f32,
    iris_centre: f32,
    contour_mean: f32,
    contour_point: f32,
    refined_iris: f32,
    ear: f32,
}

#[test]
fn stills_match_mediapipe() {
    check(Precision::F32, &F32);
}

#[test]
fn stills_match_mediapipe_int8() {
    check(Precision::Int8, &INT8);
}

fn check(precision: Precision, bounds: &Bounds) {
    let precisions = Precisions::all(precision);
    let mut landmarker =
        Landmarker::load(&models_dir(), &precisions, LandmarkModel::Iris).expect("models load");
    let mut faces: Vec<Face> = Vec::new();
    let mut worst = Worst::default();
    println!("{precision:?}: image | mesh mean/max % | iris ctr % | contour mean/max % | vs refined % | EAR diff");
    for image in STILLS {
        let rgb = load_rgb(image);
        let view = RgbView::new(rgb.width() as usize, rgb.height() as usize, rgb.as_raw()).unwrap();
        landmarker.detect(view, &mut faces).expect("detect");
        let mesh_ref = reference("mesh", image);
        let iris_ref = reference("iris", image);
        let refined = reference("refined", image);
        let ref_faces = mesh_ref["faces"].as_array().unwrap();
        assert_eq!(
            faces.len(),
            ref_faces.len(),
            "{image}: face count differs from MediaPipe's"
        );
        for face in &faces {
            let ours: Vec<[f32; 2]> = face.mesh.points.iter().map(|p| [p[0], p[1]]).collect();
            let c = centroid(&ours);
            let (fi, mref) = ref_faces
                .iter()
                .map(|f| points(&f["landmarks_px"]))
                .enumerate()
                .min_by(|a, b| dist(centroid(&a.1), c).total_cmp(&dist(centroid(&b.1), c)))
                .unwrap();
            let iod = dist(mref[33], mref[263]);
            assert!(
                dist(centroid(&mref), c) < 0.1 * iod,
                "{image}: a face where MediaPipe has none"
            );
            let pct = |a: [f32; 2], b: [f32; 2]| dist(a, b) / iod * 100.0;

            let mesh_err: Vec<f32> = ours.iter().zip(&mref).map(|(a, b)| pct(*a, *b)).collect();
            let mesh_mean = mesh_err.iter().sum::<f32>() / mesh_err.len() as f32;
            let mesh_point = mesh_err.iter().cloned().fold(0.0, f32::max);

            let iref = &iris_ref["faces"][fi];
            let mut contour_err = Vec::new();
            let mut iris_centre: f32 = 0.0;
            let mut ear_diff: f32 = 0.0;
            for (eye, key) in [
                (&face.right_eye, "eye_33_133"),
                (&face.left_eye, "eye_362_263"),
            ] {
                let rc = points(&iref[key]["contour71_px"]);
                let ri = points(&iref[key]["iris5_px"]);
                contour_err.extend(
                    eye.contour
                        .iter()
                        .zip(&rc)
                        .map(|(a, b)| pct([a[0], a[1]], *b)),
                );
                iris_centre = iris_centre.max(pct([eye.iris[0][0], eye.iris[0][1]], ri[0]));
                let ours_ear = ear(EAR_CONTOUR.map(|i| [eye.contour[i][0], eye.contour[i][1]]));
                let ref_ear = ear(EAR_CONTOUR.map(|i| rc[i]));
                ear_diff = ear_diff.max((ours_ear - ref_ear).abs());
            }
            let contour_mean = contour_err.iter().sum::<f32>() / contour_err.len() as f32;
            let contour_point = contour_err.iter().cloned().fold(0.0, f32::max);

            let mut refined_iris: f32 = 0.0;
            if let Some(rf) = refined["faces"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| points(&f["landmarks_px"]))
                .find(|p| dist(centroid(&p[..468]), c) < 0.1 * iod)
            {
                refined_iris = pct(
                    [face.right_eye.iris[0][0], face.right_eye.iris[0][1]],
                    rf[468],
                )
                .max(pct(
                    [face.left_eye.iris[0][0], face.left_eye.iris[0][1]],
                    rf[473],
                ));
            }
            println!(
                "{image} | {mesh_mean:.3}/{mesh_point:.3} | {iris_centre:.3} | {contour_mean:.3}/{contour_point:.3} | {refined_iris:.2} | {ear_diff:.4}"
            );
            worst.mesh_mean = worst.mesh_mean.max(mesh_mean);
            worst.mesh_point = worst.mesh_point.max(mesh_point);
            worst.refined_iris = worst.refined_iris.max(refined_iris);
            if HIDDEN_EYES.contains(&image) {
                if let Some([centre, mean, point]) = bounds.hidden {
                    assert!(iris_centre <= centre, "{image}: iris centre {iris_centre}%");
                    assert!(
                        contour_mean <= mean,
                        "{image}: contour mean {contour_mean}%"
                    );
                    assert!(
                        contour_point <= point,
                        "{image}: contour point {contour_point}%"
                    );
                }
                continue;
            }
            worst.iris_centre = worst.iris_centre.max(iris_centre);
            worst.contour_mean = worst.contour_mean.max(contour_mean);
            worst.contour_point = worst.contour_point.max(contour_point);
            worst.ear = worst.ear.max(ear_diff);
        }
    }
    assert!(
        worst.mesh_mean <= bounds.mesh_mean,
        "{precision:?}: mesh mean error {}% of IOD",
        worst.mesh_mean
    );
    assert!(
        worst.mesh_point <= bounds.mesh_point,
        "{precision:?}: mesh point error {}% of IOD",
        worst.mesh_point
    );
    assert!(
        worst.iris_centre <= bounds.iris_centre,
        "{precision:?}: iris centre error {}%",
        worst.iris_centre
    );
    assert!(
        worst.contour_mean <= bounds.contour_mean,
        "{precision:?}: contour mean error {}%",
        worst.contour_mean
    );
    assert!(
        worst.contour_point <= bounds.contour_point,
        "{precision:?}: contour point error {}%",
        worst.contour_point
    );
    assert!(
        worst.refined_iris <= bounds.refined_iris,
        "{precision:?}: iris vs attention model {}%",
        worst.refined_iris
    );
    assert!(
        worst.ear <= bounds.ear,
        "{precision:?}: EAR differs by {}",
        worst.ear
    );
}
