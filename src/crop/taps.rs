//! The sampler every crop runs, a row of samples at a time: first every sample's integer tap
//! positions and weights on OpenCV's 1/32-pixel grid (branch-free float work the compiler
//! vectorises), then the gathers. It gives the same floats as [`super::reference`], operation
//! for operation.

use super::Border;
use crate::frame::RgbView;

/// OpenCV's warps place samples on a 1/32-pixel grid (`INTER_BITS = 5`).
const GRID_BITS: i32 = 5;
const GRID: f32 = (1 << GRID_BITS) as f32;
/// Samples laid out per pass; a row longer than this takes several.
pub(super) const BATCH: usize = 256;

/// Where one batch of samples reads: the top-left tap's byte offset, the steps to the right
/// and lower taps (zero where the border clamps them together), and the four weights.
pub(super) struct Taps {
    base: [u32; BATCH],
    right: [u32; BATCH],
    down: [u32; BATCH],
    /// Top-left, top-right, bottom-left, bottom-right, one array each so the layout loop
    /// vectorises.
    weights: [[f32; BATCH]; 4],
}

impl Default for Taps {
    fn default() -> Taps {
        Taps {
            base: [0; BATCH],
            right: [0; BATCH],
            down: [0; BATCH],
            weights: [[0.0; BATCH]; 4],
        }
    }
}

impl Taps {
    /// Lays out the samples at image points (`xs[n]`, `ys[n]`), pixel k's centre at
    /// coordinate k, each rounded to the 1/32 grid first.
    pub(super) fn place(&mut self, img: &RgbView<'_>, border: Border, xs: &[f32], ys: &[f32]) {
        let (w, h) = (img.width as i32, img.height as i32);
        let zero = border == Border::Zero;
        let row_bytes = img.width as u32 * 3;
        for n in 0..xs.len().min(ys.len()).min(BATCH) {
            let (x0, x1, wx) = axis(xs[n], w, zero);
            let (y0, y1, wy) = axis(ys[n], h, zero);
            self.base[n] = y0 * row_bytes + x0 * 3;
            self.right[n] = (x1 - x0) * 3;
            self.down[n] = (y1 - y0) * row_bytes;
            self.weights[0][n] = wx[0] * wy[0];
            self.weights[1][n] = wx[1] * wy[0];
            self.weights[2][n] = wx[0] * wy[1];
            self.weights[3][n] = wx[1] * wy[1];
        }
    }

    /// Adds sample `n`'s bilinear value to `acc`, in the reference's order of taps.
    #[inline(always)]
    pub(super) fn add(&self, data: &[u8], n: usize, acc: &mut [f32; 3]) {
        let base = self.base[n] as usize;
        let (right, down) = (self.right[n] as usize, self.down[n] as usize);
        let taps = [base, base + right, base + down, base + down + right];
        // Four lanes (RGB and the next byte, unused) make one vector operation per tap; the
        // image's last pixel has no next byte, so a sample reading it takes three.
        let mut px = [0.0f32; 4];
        if base + down + right + 4 <= data.len() {
            for (t, tap) in taps.into_iter().enumerate() {
                let w = self.weights[t][n];
                let p = &data[tap..tap + 4];
                for c in 0..4 {
                    px[c] += w * p[c] as f32;
                }
            }
        } else {
            for (t, tap) in taps.into_iter().enumerate() {
                let w = self.weights[t][n];
                let p = &data[tap..tap + 3];
                for c in 0..3 {
                    px[c] += w * p[c] as f32;
                }
            }
        }
        for c in 0..3 {
            acc[c] += px[c];
        }
    }
}

/// One axis of one sample: both taps, clamped into `0..len`, and their weights (zero for a
/// tap outside under a zero border, which then adds exactly nothing).
#[inline(always)]
fn axis(v: f32, len: i32, zero_border: bool) -> (u32, u32, [f32; 2]) {
    let k = round_half_away(v * GRID) as i32;
    let i0 = k >> GRID_BITS;
    let i1 = i0.saturating_add(1);
    let f = (k & ((1 << GRID_BITS) - 1)) as f32 / GRID;
    let inside = |i: i32| !zero_border || (0..len).contains(&i);
    let w0 = if inside(i0) { 1.0 - f } else { 0.0 };
    let w1 = if inside(i1) { f } else { 0.0 };
    let clamp = |i: i32| i.clamp(0, len - 1) as u32;
    (clamp(i0), clamp(i1), [w0, w1])
}

/// `v.round()` (halfway cases away from zero) without the libm call a baseline x86-64 build
/// makes for it, and without a branch: the halves fall either way at random, so a branch
/// would be mispredicted on every other sample. Exact for |v| < 2³¹; no coordinate or pixel
/// sum comes near.
#[inline(always)]
pub(super) fn round_half_away(v: f32) -> f32 {
    let t = v as i32;
    let rest = v - t as f32;
    (t + (rest >= 0.5) as i32 - (rest <= -0.5) as i32) as f32
}
