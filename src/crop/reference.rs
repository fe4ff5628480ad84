//! The crop as first written, one libm-rounded, border-checked bilinear sample at a time: the
//! reference that [`super::crop_into`] must equal bit for bit, and its baseline in
//! `benches/crop.rs`.

use super::{column, Border, CropSpec, Grid};
use crate::frame::RgbView;

/// [`super::crop_into`], one sample at a time.
pub fn crop_into(img: RgbView<'_>, spec: &CropSpec, out: &mut [f32]) {
    let w_out = spec.out_width;
    let grid = Grid::new(spec, out.len());
    for (j, row) in out.chunks_exact_mut(w_out * 3).enumerate() {
        for i in 0..w_out {
            let mut acc = [0.0f32; 3];
            for b in 0..grid.sub {
                let ty = grid.at(j, b);
                for a in 0..grid.sub {
                    let (x, y) = grid.point(grid.at(i, a), ty);
                    let px = bilinear(img, quantize(x), quantize(y), spec.border);
                    for c in 0..3 {
                        acc[c] += px[c];
                    }
                }
            }
            let o = column(spec, i) * 3;
            for c in 0..3 {
                row[o + c] = grid.value(acc[c], f32::round);
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
