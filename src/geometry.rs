//! Rotated rectangles in image pixels, the currency between the vision stages.
//!
//! MediaPipe passes normalised rects whose width and height are fractions of the image's
//! width and height; eyeswitch keeps the same rects in pixels, where square means square.

use std::f32::consts::PI;

/// A 2-D point in image pixels.
pub type Point = [f32; 2];

/// A rectangle of `width` × `height` pixels centred on (`cx`, `cy`), rotated by `rotation`
/// radians clockwise on screen (image y points down), as MediaPipe's `NormalizedRect`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RotatedRect {
    pub cx: f32,
    pub cy: f32,
    pub width: f32,
    pub height: f32,
    pub rotation: f32,
}

impl RotatedRect {
    /// Maps a point given in the rect's own unit square (0..1 across, 0..1 down) to image pixels.
    pub fn to_image(&self, u: f32, v: f32) -> Point {
        let (s, c) = self.rotation.sin_cos();
        let x = (u - 0.5) * self.width;
        let y = (v - 0.5) * self.height;
        [self.cx + c * x - s * y, self.cy + s * x + c * y]
    }

    /// The four corners, in the order top-left, top-right, bottom-right, bottom-left.
    pub fn corners(&self) -> [Point; 4] {
        [
            self.to_image(0.0, 0.0),
            self.to_image(1.0, 0.0),
            self.to_image(1.0, 1.0),
            self.to_image(0.0, 1.0),
        ]
    }

    /// RectTransformationCalculator with `square_long: true`: a square on the long side,
    /// scaled by `scale`.
    pub fn square_long_scaled(&self, scale: f32) -> RotatedRect {
        let side = self.width.max(self.height) * scale;
        RotatedRect {
            width: side,
            height: side,
            ..*self
        }
    }
}

/// The rotation that turns the vector `from → to` horizontal, as DetectionsToRectsCalculator
/// computes it with `rotation_vector_target_angle_degrees: 0`.
pub fn rotation_to_horizontal(from: Point, to: Point) -> f32 {
    normalize_radians(-(-(to[1] - from[1])).atan2(to[0] - from[0]))
}

/// Wraps an angle into [-π, π).
pub fn normalize_radians(angle: f32) -> f32 {
    angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()
}

/// Axis-aligned bounds (x0, y0, x1, y1) of a set of points; `None` when empty.
pub fn bounds(points: impl IntoIterator<Item = Point>) -> Option<[f32; 4]> {
    points.into_iter().fold(None, |acc, p| {
        Some(match acc {
            None => [p[0], p[1], p[0], p[1]],
            Some([x0, y0, x1, y1]) => [x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1])],
        })
    })
}

/// The upright rect around axis-aligned bounds, rotated by `rotation` about its centre
/// without resizing (DetectionsToRectsCalculator: the box stays, only the angle is set).
pub fn rect_from_bounds(b: [f32; 4], rotation: f32) -> RotatedRect {
    RotatedRect {
        cx: (b[0] + b[2]) / 2.0,
        cy: (b[1] + b[3]) / 2.0,
        width: b[2] - b[0],
        height: b[3] - b[1],
        rotation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_of_a_tilted_eye_line() {
        // Right eye lower than the left on screen: the face is rolled clockwise, so the rect
        // must be rotated clockwise (positive) to follow it.
        let r = rotation_to_horizontal([0.0, 0.0], [10.0, 10.0]);
        assert!((r - PI / 4.0).abs() < 1e-6);
        assert!(rotation_to_horizontal([0.0, 0.0], [10.0, 0.0]).abs() < 1e-6);
    }

    #[test]
    fn corners_follow_rotation() {
        let r = RotatedRect {
            cx: 10.0,
            cy: 10.0,
            width: 4.0,
            height: 2.0,
            rotation: PI / 2.0,
        };
        let tl = r.to_image(0.0, 0.0);
        assert!(
            (tl[0] - 11.0).abs() < 1e-5 && (tl[1] - 8.0).abs() < 1e-5,
            "{tl:?}"
        );
    }

    #[test]
    fn normalize_wraps() {
        assert!((normalize_radians(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-5);
    }
}
