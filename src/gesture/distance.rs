//! Eye-to-camera distance from the iris: the horizontal iris diameter is nearly the same in
//! every adult, so its size in pixels and the camera's focal length give the distance (the
//! pinhole model MediaPipe Iris uses for metric depth). Pure: the caller passes the iris points
//! and the lens.

use super::features::Landmark;

/// Horizontal visible iris diameter of adults, 11.7 ± 0.5 mm (MediaPipe Iris, after Caroline &
/// Andre 2002); the spread is about ±4 %, so is the distance's from this alone.
pub const IRIS_DIAMETER_MM: f32 = 11.7;

/// Horizontal field of view assumed when `[camera] hfov_deg` is not set: USB webcams range from
/// about 50° (Logitech C270, 55° diagonal) to 70° (C920, 78° diagonal); 60° is the middle in
/// focal-length terms, so either end is off by at most about 20 %.
pub const DEFAULT_HFOV_DEG: f32 = 60.0;

/// Smallest iris, in pixels, at which the eye crops stay accurate. On the shared photos scaled
/// down, the iris centre stays within 0.1 half eye widths of MediaPipe's from 5.4 px up, and
/// some exceed it from 4.6 px down (`cargo test --test it distance_range -- --nocapture`);
/// 6 px leaves a margin for the noise and compression of a camera, which the photos lack.
pub const MIN_IRIS_PX: f32 = 6.0;
/// Face height, hairline to chin (about 185 mm in adults), in iris diameters: a face taller
/// than the frame is cut at its edges and the detector no longer finds it after a loss. On the
/// shared photos cut to 640x480 frames, the first face is lost at 40 px irises (12 per frame
/// height) and all are found and accurate up to 33 px; 16 keeps every face whole.
pub const FACE_HEIGHT_IRISES: f32 = 16.0;

/// Largest iris, in pixels, at which the face still fits a frame `height` pixels tall.
pub fn max_iris_px(height: usize) -> f32 {
    height as f32 / FACE_HEIGHT_IRISES
}

/// The camera's focal length in pixels for frames `width` pixels wide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lens {
    /// Horizontal field of view, degrees.
    pub hfov_deg: f32,
}

impl Default for Lens {
    fn default() -> Self {
        Self {
            hfov_deg: DEFAULT_HFOV_DEG,
        }
    }
}

impl Lens {
    /// Focal length in pixels: half the width over the tangent of half the field of view.
    pub fn focal_px(&self, width: usize) -> f32 {
        width as f32 / 2.0 / (self.hfov_deg.to_radians() / 2.0).tan()
    }

    /// Eye-to-camera distance in millimetres for an iris `diameter_px` wide in a frame
    /// `width` pixels wide; `None` for a degenerate diameter.
    pub fn distance_mm(&self, diameter_px: f32, width: usize) -> Option<f32> {
        let d = self.focal_px(width) * IRIS_DIAMETER_MM / diameter_px;
        (diameter_px > 0.0 && d.is_finite()).then_some(d)
    }
}

/// Horizontal iris diameter in pixels from the five iris points (centre first, then the four
/// boundary points of MediaPipe's 478 layout: 1 and 3 lie on the horizontal axis). The
/// vertical pair is left out because the lids cover it.
pub fn iris_diameter_px(iris: &[Landmark]) -> Option<f32> {
    let (a, b) = (iris.get(1)?, iris.get(3)?);
    let d = (a[0] - b[0]).hypot(a[1] - b[1]);
    (d.is_finite() && d > 0.0).then_some(d)
}

/// Whether the user is at a distance where the landmarks stay accurate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guidance {
    TooClose,
    Ok,
    TooFar,
}

/// Guidance from the iris size in pixels in a frame `height` pixels tall (pixels, not the
/// distance, are what limit accuracy).
pub fn guidance(diameter_px: f32, height: usize) -> Guidance {
    if diameter_px < MIN_IRIS_PX {
        Guidance::TooFar
    } else if diameter_px > max_iris_px(height) {
        Guidance::TooClose
    } else {
        Guidance::Ok
    }
}
