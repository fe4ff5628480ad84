//! Parity of the attention mesh with MediaPipe 0.10.21's refined graph
//! (`FaceMesh(refine_landmarks=True)`, which runs this model) on real photos: the same faces,
//! and the 478 points and both iris centres within 0.3 % of the inter-ocular distance
//! (IOD = |p33 − p263| of the reference). Run with `--nocapture` for the per-image table.

use crate::common::*;
use eyeswitch::frame::RgbView;
use eyeswitch::models::{LandmarkModel, Precisions};
use eyeswitch::vision::{Face, Landmarker};

/// The bounds, % of IOD.
const MEAN_478: f32 = 0.3;
const IRIS_CENTRE: f32 = 0.3;

/// Errors of one face against its reference, % of IOD.
pub struct FaceError {
    pub mean_478: f32,
    pub max_478: f32,
    pub iris_centre: f32,
}

/// Compares `face` with the reference face (478 image-pixel points) nearest to it; `None`
/// when no reference face is within a tenth of its IOD.
pub fn compare(face: &Face, refs: &[Vec<[f32; 2]>]) -> Option<FaceError> {
    let ours: Vec<[f32; 2]> = face.landmarks_478().map(|p| [p[0], p[1]]).collect();
    let c = centroid(&ours[..468]);
    let theirs = refs
        .iter()
        .min_by(|a, b| dist(centroid(&a[..468]), c).total_cmp(&dist(centroid(&b[..468]), c)))?;
    let iod = dist(theirs[33], theirs[263]);
    if dist(centroid(&theirs[..468]), c) >= 0.1 * iod {
        return None;
    }
    let err: Vec<f32> = ours
        .iter()
        .zip(theirs)
        .map(|(a, b)| dist(*a, *b) / iod * 100.0)
        .collect();
    Some(FaceError {
        mean_478: err.iter().sum::<f32>() / err.len() as f32,
        max_478: err.iter().copied().fold(0.0, f32::max),
        iris_centre: err[468].max(err[473]),
    })
}

/// The 478-point faces of a reference JSON's `faces`.
pub fn reference_faces(faces: &serde_json::Value) -> Vec<Vec<[f32; 2]>> {
    faces
        .as_array()
        .map(|fs| fs.iter().map(|f| points(&f["landmarks_px"])).collect())
        .unwrap_or_default()
}

#[test]
fn stills_match_mediapipe_refined() {
    let mut landmarker = Landmarker::load(
        &models_dir(),
        &Precisions::default(),
        LandmarkModel::Attention,
    )
    .expect("models load");
    let mut faces: Vec<Face> = Vec::new();
    let (mut worst_mean, mut worst_iris) = (0.0f32, 0.0f32);
    println!("attention f32: image | 478 mean/max % IOD | iris centre % IOD");
    for image in STILLS {
        let rgb = load_rgb(image);
        let view = RgbView::new(rgb.width() as usize, rgb.height() as usize, rgb.as_raw()).unwrap();
        landmarker.detect(view, &mut faces).expect("detect");
        let refs = reference_faces(&reference("refined", image)["faces"]);
        assert_eq!(
            faces.len(),
            refs.len(),
            "{image}: {} faces, MediaPipe's refined graph finds {}",
            faces.len(),
            refs.len()
        );
        for face in &faces {
            let e = compare(face, &refs)
                .unwrap_or_else(|| panic!("{image}: a face where MediaPipe has none"));
            println!(
                "{image} | {:.3}/{:.3} | {:.3}",
                e.mean_478, e.max_478, e.iris_centre
            );
            worst_mean = worst_mean.max(e.mean_478);
            worst_iris = worst_iris.max(e.iris_centre);
        }
    }
    println!("worst: 478 mean {worst_mean:.3} % IOD, iris centre {worst_iris:.3} % IOD");
    assert!(
        worst_mean <= MEAN_478,
        "478-point mean error {worst_mean}% of IOD"
    );
    assert!(
        worst_iris <= IRIS_CENTRE,
        "iris centre error {worst_iris}% of IOD"
    );
}
