//! Distance from the iris: the pinhole arithmetic, and the measurement behind the guidance
//! range: the shared photos scaled down (far) and up into a camera frame (near), our iris
//! centres compared with MediaPipe's on the original photo (scaled the same way), in half eye
//! widths, against the iris size in pixels.
//! `cargo test --test it distance_range -- --nocapture` prints the tables.

use eyeswitch::frame::RgbView;
use eyeswitch::gesture::distance::{
    guidance, iris_diameter_px, max_iris_px, Guidance, Lens, IRIS_DIAMETER_MM, MIN_IRIS_PX,
};
use eyeswitch::models::{LandmarkModel, Precision, Precisions};
use eyeswitch::pipeline::mean_iris_px;
use eyeswitch::vision::{Face, Landmarker};
use image::imageops::FilterType;

use crate::common::*;

#[test]
fn pinhole_distance_from_the_iris_size() {
    let lens = Lens { hfov_deg: 60.0 };
    // 640 px at 60°: f = 320 / tan 30° = 554.3 px; an 11.7 mm iris 13 px wide is 499 mm away.
    assert!((lens.focal_px(640) - 554.26).abs() < 0.01);
    let d = lens.distance_mm(13.0, 640).expect("distance");
    assert!((d - 554.26 * IRIS_DIAMETER_MM / 13.0).abs() < 0.01, "{d}");
    // Twice the pixels, half the distance; a wider lens sees the same iris as nearer.
    let half = lens.distance_mm(26.0, 640).expect("distance");
    assert!((half * 2.0 - d).abs() < 0.01);
    let wide = Lens { hfov_deg: 90.0 }
        .distance_mm(13.0, 640)
        .expect("distance");
    assert!(wide < d);
    assert_eq!(lens.distance_mm(0.0, 640), None);
    assert_eq!(lens.distance_mm(f32::NAN, 640), None);

    // Points 1 and 3 are the horizontal pair; the vertical pair (2, 4) is ignored.
    let iris = [
        [10.0, 10.0, 0.0],
        [14.0, 10.0, 0.0],
        [10.0, 0.0, 0.0],
        [6.0, 10.0, 0.0],
        [10.0, 30.0, 0.0],
    ];
    assert_eq!(iris_diameter_px(&iris), Some(8.0));
    assert_eq!(iris_diameter_px(&iris[..2]), None);
    assert_eq!(guidance(MIN_IRIS_PX - 0.1, 480), Guidance::TooFar);
    assert_eq!(guidance(MIN_IRIS_PX, 480), Guidance::Ok);
    assert_eq!(guidance(max_iris_px(480), 480), Guidance::Ok);
    assert_eq!(guidance(max_iris_px(480) + 0.1, 480), Guidance::TooClose);
    assert!(
        max_iris_px(960) > max_iris_px(480),
        "a taller frame fits a nearer face"
    );
}

/// Scales of the photos: from irises of 1–2 px to the original.
const SCALES: [f32; 10] = [0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0];
/// Largest iris-centre error, in half eye widths, at which gaze still works: 0.1 half eye
/// widths is 0.05 of the eye width, half the shift of a mild look (issue 14: under 0.1 of the
/// eye width reads as centre), so landmark error alone cannot make a look at the camera read as
/// one.
const GAZE_ERROR: f32 = 0.1;
/// Frame the near-side check crops to: the default camera size.
const FRAME: (u32, u32) = (640, 480);
/// Iris sizes the near-side check scales the photos to.
const NEAR_IRIS_PX: [f32; 7] = [20.0, 25.0, 30.0, 35.0, 40.0, 50.0, 60.0];

/// One face at one size: the iris diameter we measure and our error against MediaPipe's
/// landmarks, scaled the same way; `None` when no face was found.
struct Row {
    image: &'static str,
    scale: f32,
    iris_px: f32,
    /// Worse eye's iris-centre error, half eye widths.
    error: Option<f32>,
}

/// A photo's MediaPipe reference: the iris centres and each eye's half width (corner to corner).
struct Reference {
    iris: [[f32; 2]; 2],
    half_width: [f32; 2],
    /// Midpoint of the two iris centres.
    eyes: [f32; 2],
    /// MediaPipe's own iris diameter, the mean of both eyes (points 1 and 3).
    iris_px: f32,
}

fn load_reference(image: &str) -> Reference {
    let iris = reference("iris", image);
    let mesh = points(&reference("mesh", image)["faces"][0]["landmarks_px"]);
    let eye = |e: &str| points(&iris["faces"][0][e]["iris5_px"]);
    let (r, l) = (eye("eye_33_133"), eye("eye_362_263"));
    Reference {
        iris: [r[0], l[0]],
        half_width: [
            dist(mesh[33], mesh[133]) / 2.0,
            dist(mesh[362], mesh[263]) / 2.0,
        ],
        eyes: [(r[0][0] + l[0][0]) / 2.0, (r[0][1] + l[0][1]) / 2.0],
        iris_px: (dist(r[1], r[3]) + dist(l[1], l[3])) / 2.0,
    }
}

/// Our worse eye's iris-centre error in half eye widths; `at` maps a reference point into the
/// frame the face was found in.
fn error(face: &Face, r: &Reference, scale: f32, at: impl Fn([f32; 2]) -> [f32; 2]) -> f32 {
    [&face.right_eye, &face.left_eye]
        .iter()
        .enumerate()
        .map(|(i, eye)| {
            let ours = [eye.iris[0][0], eye.iris[0][1]];
            dist(ours, at(r.iris[i])) / (r.half_width[i] * scale)
        })
        .fold(0.0, f32::max)
}

fn print(rows: &[Row]) {
    println!(
        "{:<34} {:>6} {:>8} {:>12}",
        "photo", "scale", "iris px", "error (half eye widths)"
    );
    for r in rows {
        let e = r.error.map_or("no face".to_owned(), |e| format!("{e:.3}"));
        println!(
            "{:<34} {:>6.3} {:>8.1} {:>12}",
            r.image, r.scale, r.iris_px, e
        );
    }
}

/// The photos with one face whose eyes the camera sees (sk__camera's eye is hidden).
fn photos() -> impl Iterator<Item = &'static str> {
    STILLS.iter().copied().filter(|s| *s != "sk__camera.png")
}

/// The far side: each photo scaled down until the iris is a pixel or two wide.
#[test]
fn distance_range_far_side_on_scaled_photos() {
    if crate::common::emulated() {
        // Whole clips or many frames: about a second per tracked frame under qemu, so this
        // is measured natively; the models' numerics on aarch64 are the parity tests' job.
        eprintln!("SKIPPED under emulation: too many tracked frames");
        return;
    }
    let mut lm = Landmarker::load(
        &models_dir(),
        &Precisions::all(Precision::F32),
        LandmarkModel::Iris,
    )
    .unwrap();
    let mut faces: Vec<Face> = Vec::new();
    let mut rows = Vec::new();
    for image in photos() {
        let r = load_reference(image);
        let rgb = load_rgb(image);
        for scale in SCALES {
            let (w, h) = (
                (rgb.width() as f32 * scale).round() as u32,
                (rgb.height() as f32 * scale).round() as u32,
            );
            let scaled = image::imageops::resize(&rgb, w, h, FilterType::Triangle);
            let view = RgbView::new(w as usize, h as usize, scaled.as_raw()).unwrap();
            lm.detect(view, &mut faces).unwrap();
            let face = faces.first();
            rows.push(Row {
                image,
                scale,
                iris_px: face.and_then(mean_iris_px).unwrap_or(r.iris_px * scale),
                error: face.map(|f| error(f, &r, scale, |p| [p[0] * scale, p[1] * scale])),
            });
        }
    }
    print(&rows);
    for row in rows.iter().filter(|r| r.iris_px >= MIN_IRIS_PX) {
        assert!(
            row.error.is_some_and(|e| e < GAZE_ERROR),
            "{} at {}: iris {:.1} px, error {:?}",
            row.image,
            row.scale,
            row.iris_px,
            row.error
        );
    }
    // Below it, some are not: the bound is where accuracy ends, not an arbitrary margin.
    assert!(
        rows.iter()
            .filter(|r| r.iris_px < MIN_IRIS_PX)
            .any(|r| !r.error.is_some_and(|e| e < GAZE_ERROR)),
        "every small face was accurate: MIN_IRIS_PX could be lower"
    );
}

/// The near side: each photo scaled up and cut to a 640x480 frame centred on the eyes, as a
/// camera too close would see it, until the detector no longer finds the face. The two
/// `obama_partial_face` photos are left out: their faces are already cut by the photo's edge.
#[test]
fn distance_range_near_side_in_a_camera_frame() {
    if crate::common::emulated() {
        // Whole clips or many frames: about a second per tracked frame under qemu, so this
        // is measured natively; the models' numerics on aarch64 are the parity tests' job.
        eprintln!("SKIPPED under emulation: too many tracked frames");
        return;
    }
    let mut lm = Landmarker::load(
        &models_dir(),
        &Precisions::all(Precision::F32),
        LandmarkModel::Iris,
    )
    .unwrap();
    let mut faces: Vec<Face> = Vec::new();
    let mut rows = Vec::new();
    let max_px = max_iris_px(FRAME.1 as usize);
    for image in photos().filter(|p| !p.contains("partial")) {
        let r = load_reference(image);
        let rgb = load_rgb(image);
        for target in NEAR_IRIS_PX {
            let scale = target / r.iris_px;
            let frame = camera_frame(&rgb, r.eyes, scale);
            let view = RgbView::new(FRAME.0 as usize, FRAME.1 as usize, frame.as_raw()).unwrap();
            lm.detect(view, &mut faces).unwrap();
            let face = faces.first();
            let at = |p: [f32; 2]| {
                [
                    (p[0] - r.eyes[0]) * scale + FRAME.0 as f32 / 2.0,
                    (p[1] - r.eyes[1]) * scale + FRAME.1 as f32 / 2.0,
                ]
            };
            rows.push(Row {
                image,
                scale,
                iris_px: face.and_then(mean_iris_px).unwrap_or(target),
                error: face.map(|f| error(f, &r, scale, at)),
            });
        }
    }
    println!(
        "near side, {}x{} frame: too close above {max_px:.1} px",
        FRAME.0, FRAME.1
    );
    print(&rows);
    for row in rows.iter().filter(|r| r.iris_px <= max_px) {
        assert!(
            row.error.is_some_and(|e| e < GAZE_ERROR),
            "{} at {}: iris {:.1} px, error {:?}",
            row.image,
            row.scale,
            row.iris_px,
            row.error
        );
    }
    // A little nearer, some face is lost: the bound is where the frame stops fitting a face.
    assert!(
        rows.iter()
            .any(|r| r.iris_px <= 1.5 * max_px && r.error.is_none()),
        "every face up to 1.5 times the bound was found: FACE_HEIGHT_IRISES could be lower"
    );
}

/// The 640x480 frame a camera would give of the photo scaled by `scale`, centred on `centre`
/// (photo pixels); beyond the photo is black, as beyond a frame edge. Only the part of the photo
/// in view is scaled.
fn camera_frame(rgb: &image::RgbImage, centre: [f32; 2], scale: f32) -> image::RgbImage {
    let half = [FRAME.0 as f32 / 2.0 / scale, FRAME.1 as f32 / 2.0 / scale];
    let (ox, oy) = (centre[0] - half[0], centre[1] - half[1]);
    let x0 = ox.floor().max(0.0) as u32;
    let y0 = oy.floor().max(0.0) as u32;
    let x1 = ((centre[0] + half[0]).ceil() as u32).min(rgb.width());
    let y1 = ((centre[1] + half[1]).ceil() as u32).min(rgb.height());
    let part = image::imageops::crop_imm(rgb, x0, y0, x1 - x0, y1 - y0).to_image();
    let (w, h) = (
        ((x1 - x0) as f32 * scale).round() as u32,
        ((y1 - y0) as f32 * scale).round() as u32,
    );
    let part = image::imageops::resize(&part, w, h, FilterType::Triangle);
    let mut frame = image::RgbImage::new(FRAME.0, FRAME.1);
    let dx = ((x0 as f32 - ox) * scale).round() as i64;
    let dy = ((y0 as f32 - oy) * scale).round() as i64;
    image::imageops::overlay(&mut frame, &part, dx, dy);
    frame
}

/// `detect --json` gives each face's distance: the astronaut's irises are 8 px wide in a
/// 512-pixel photo, so at 60° (f = 443 px) she is about 650 mm away.
#[test]
fn detect_json_gives_the_distance() {
    let out = eyeswitch_command()
        .args(["detect", "--json"])
        .arg(fixtures().join("stills/sk__astronaut.png"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let face = &json["faces"][0];
    let mm = face["distance_mm"].as_f64().expect("distance_mm");
    assert!((600.0..700.0).contains(&mm), "{mm}");
    assert_eq!(face["distance_guidance"], "ok");
}

/// The status screen shows the distance on the gaze row, with FAR or NEAR outside the range,
/// and a calibration prompt on the event row.
#[test]
fn status_screen_shows_distance_and_prompt() {
    use eyeswitch::display::{render, MonoFramebuffer, StatusModel};
    use eyeswitch::gesture::{FaceObservation, Observation};
    let mut m = StatusModel::new();
    let face = FaceObservation {
        distance_mm: Some(1500.0),
        distance_guidance: Some(Guidance::TooFar),
        ..Default::default()
    };
    m.observe(&Observation {
        face: Some(face),
        ..Default::default()
    });
    assert_eq!(m.distance_mm, Some(1500.0));
    assert_eq!(m.distance, Some(Guidance::TooFar));
    let mut fb = MonoFramebuffer::new();
    render(&m, &mut fb).unwrap();
    let lit = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        xs.flat_map(|x| ys.clone().map(move |y| (x, y)))
            .any(|(x, y)| fb.pixel(x, y))
    };
    assert!(lit(70..128, 26..36), "distance on the gaze row");
    m.show("Look to your LEFT");
    assert_eq!(m.last_event(), "Look to your LEFT");
    m.observe(&Observation::default());
    assert_eq!(m.distance_mm, None, "no face, no distance");
}
