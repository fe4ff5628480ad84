//! The one rotated-rectangle crop that feeds every model: rect → NHWC f32 tensor, bilinear.
//!
//! MediaPipe reaches its three models through two calculators with different pixel
//! conventions; both are reproduced here so the models see what they were trained on.

use crate::frame::RgbView;
use crate::geometry::RotatedRect;

/// What a sample outside the image reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// The nearest edge pixel (OpenCV BORDER_REPLICATE).
    Replicate,
    /// Black (OpenCV BORDER_CONSTANT with 0).
    Zero,
}

/// Where in the rect an output pixel samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// ImageToTensorCalculator: output pixel i samples rect coordinate i/W, and image pixel k
    /// sits at coordinate k (cv::warpPerspective on the rect's corner points).
    Corner,
    /// ImageCroppingCalculator: output pixel i samples rect coordinate (i+½)/W, and image
    /// pixel k covers [k, k+1). `supersample` > 1 averages an s×s grid per output pixel,
    /// standing in for the area-averaging resize MediaPipe applies when it shrinks a crop.
    Centre { supersample: u8 },
}

/// One crop: where, how big, and how values are mapped.
#[derive(Debug, Clone, Copy)]
pub struct CropSpec {
    pub rect: RotatedRect,
    pub out_width: usize,
    pub out_height: usize,
    pub border: Border,
    pub sampling: Sampling,
    /// Output value for a 0 pixel and for a 255 pixel.
    pub range: (f32, f32),
    /// Mirror the output left-right (the iris model only knows one eye).
    pub flip_horizontal: bool,
}

/// Crops `spec.rect` out of `img` into `out` (`out_height × out_width × 3`, row-major RGB).
///
/// Panics only if `out` has the wrong length, which is a programming error.
pub fn crop_into(img: RgbView<'_>, spec: &CropSpec, out: &mut [f32]) {
    let (w_out, h_out) = (spec.out_width, spec.out_height);
    assert_eq!(out.len(), w_out * h_out * 3, "crop output buffer size");
    let r = &spec.rect;
    let (sin, cos) = r.rotation.sin_cos();
    // Image-space step for one output pixel along x and along y.
    let step_x = [cos * r.width / w_out as f32, sin * r.width / w_out as f32];
    let step_y = [
        -sin * r.height / h_out as f32,
        cos * r.height / h_out as f32,
    ];
    let (sub, within, shift) = match spec.sampling {
        Sampling::Corner => (1usize, 0.0f32, 0.0f32),
        Sampling::Centre { supersample } => {
            let s = supersample.max(1) as usize;
            (s, 0.5 / s as f32, -0.5)
        }
    };
    let origin = r.to_image(0.0, 0.0);
    let scale = (spec.range.1 - spec.range.0) / 255.0;
    let inv_n = 1.0 / (sub * sub) as f32;
    for j in 0..h_out {
        for i in 0..w_out {
            let mut acc = [0.0f32; 3];
            for b in 0..sub {
                let ty = j as f32 + within + b as f32 / sub as f32;
                for a in 0..sub {
                    let tx = i as f32 + within + a as f32 / sub as f32;
                    let x = origin[0] + tx * step_x[0] + ty * step_y[0] + shift;
                    let y = origin[1] + tx * step_x[1] + ty * step_y[1] + shift;
                    let px = bilinear(img, quantize(x), quantize(y), spec.border);
                    for c in 0..3 {
                        acc[c] += px[c];
                    }
                }
            }
            let col = if spec.flip_horizontal {
                w_out - 1 - i
            } else {
                i
            };
            let o = (j * w_out + col) * 3;
            for c in 0..3 {
                // MediaPipe warps 8-bit images into 8-bit images before it converts to float.
                out[o + c] = (acc[c] * inv_n).round() * scale + spec.range.0;
            }
        }
    }
}

/// OpenCV's warps place samples on a 1/32-pixel grid (`INTER_BITS = 5`); doing the same keeps
/// the model inputs identical to MediaPipe's to within rounding.
fn quantize(v: f32) -> f32 {
    const STEPS: f32 = 32.0;
    (v * STEPS).round() / STEPS
}

/// Bilinear sample at (`x`, `y`), where pixel k's centre is at coordinate k.
fn bilinear(img: RgbView<'_>, x: f32, y: f32, border: Border) -> [f32; 3] {
    let x0 = x.floor();
    let y0 = y.floor();
    let fx = x - x0;
    let fy = y - y0;
    let (x0, y0) = (x0 as i64, y0 as i64);
    let mut out = [0.0f32; 3];
    for (dy, wy) in [(0, 1.0 - fy), (1, fy)] {
        for (dx, wx) in [(0, 1.0 - fx), (1, fx)] {
            let w = wx * wy;
            if w == 0.0 {
                continue;
            }
            if let Some(p) = pixel(img, x0 + dx, y0 + dy, border) {
                for c in 0..3 {
                    out[c] += w * p[c] as f32;
                }
            }
        }
    }
    out
}

fn pixel(img: RgbView<'_>, x: i64, y: i64, border: Border) -> Option<[u8; 3]> {
    let (w, h) = (img.width as i64, img.height as i64);
    let (x, y) = match border {
        Border::Replicate => (x.clamp(0, w - 1), y.clamp(0, h - 1)),
        Border::Zero if x < 0 || y < 0 || x >= w || y >= h => return None,
        Border::Zero => (x, y),
    };
    let o = ((y * w + x) * 3) as usize;
    Some([img.data[o], img.data[o + 1], img.data[o + 2]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: usize, h: usize) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).flat_map(move |x| [x as u8, y as u8, 7]))
            .collect()
    }

    #[test]
    fn corner_sampling_hits_pixel_centres_at_integers() {
        let data = gradient(8, 8);
        let img = RgbView::new(8, 8, &data).unwrap();
        let spec = CropSpec {
            rect: RotatedRect {
                cx: 4.0,
                cy: 4.0,
                width: 8.0,
                height: 8.0,
                rotation: 0.0,
            },
            out_width: 8,
            out_height: 8,
            border: Border::Zero,
            sampling: Sampling::Corner,
            range: (0.0, 255.0),
            flip_horizontal: false,
        };
        let mut out = vec![0.0; 8 * 8 * 3];
        crop_into(img, &spec, &mut out);
        // Output pixel (3, 5) samples image coordinate (3, 5) exactly.
        let o = (5 * 8 + 3) * 3;
        assert_eq!(&out[o..o + 3], &[3.0, 5.0, 7.0]);
    }

    #[test]
    fn centre_sampling_and_flip() {
        let data = gradient(8, 8);
        let img = RgbView::new(8, 8, &data).unwrap();
        let spec = CropSpec {
            rect: RotatedRect {
                cx: 4.0,
                cy: 4.0,
                width: 8.0,
                height: 8.0,
                rotation: 0.0,
            },
            out_width: 8,
            out_height: 8,
            border: Border::Replicate,
            sampling: Sampling::Centre { supersample: 1 },
            range: (0.0, 1.0),
            flip_horizontal: true,
        };
        let mut out = vec![0.0; 8 * 8 * 3];
        crop_into(img, &spec, &mut out);
        // Centre sampling reproduces pixel k at output k; the flip mirrors columns.
        let o = (2 * 8 + 1) * 3;
        assert!((out[o] - 6.0 / 255.0).abs() < 1e-6);
        assert!((out[o + 1] - 2.0 / 255.0).abs() < 1e-6);
    }

    #[test]
    fn zero_border_outside_the_image() {
        let data = vec![255u8; 4 * 4 * 3];
        let img = RgbView::new(4, 4, &data).unwrap();
        let spec = CropSpec {
            rect: RotatedRect {
                cx: 100.0,
                cy: 100.0,
                width: 4.0,
                height: 4.0,
                rotation: 0.3,
            },
            out_width: 2,
            out_height: 2,
            border: Border::Zero,
            sampling: Sampling::Corner,
            range: (-1.0, 1.0),
            flip_horizontal: false,
        };
        let mut out = vec![0.0; 2 * 2 * 3];
        crop_into(img, &spec, &mut out);
        assert!(out.iter().all(|v| *v == -1.0));
    }
}
