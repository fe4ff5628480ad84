//! The fixed-point sampler on NEON: four samples at a time. NEON has no gather, so each tap is
//! one 4-byte load; the weighting runs in widening 8-, 16- and 32-bit lanes.

use std::arch::aarch64::*;

use super::fixed;
use super::{Border, Grid};
use crate::frame::RgbView;

/// The NEON sampler of one image (every aarch64 core has NEON).
pub(super) struct Neon<'a> {
    data: &'a [u8],
    row_bytes: i32,
    /// The last offset a 4-byte load may start at.
    last_load: usize,
    last_x: i32,
    last_y: i32,
    zero_border: bool,
}

impl<'a> Neon<'a> {
    /// The sampler of `img`, or `None` when 32-bit offsets and 4-byte loads do not cover it.
    pub(super) fn new(img: RgbView<'a>, border: Border) -> Option<Neon<'a>> {
        let len = i32::try_from(img.data.len()).ok().filter(|&len| len >= 4)?;
        Some(Neon {
            data: img.data,
            row_bytes: img.width as i32 * 3,
            last_load: len as usize - 4,
            last_x: img.width as i32 - 1,
            last_y: img.height as i32 - 1,
            zero_border: border == Border::Zero,
        })
    }

    /// The pixel at byte offset `at`, as `[R, G, B, next]` bytes (the image's last pixel
    /// reads a byte early and shifts, so no load leaves the image).
    fn pixel(&self, at: i32) -> u32 {
        let at = at as usize;
        let from = at.min(self.last_load);
        let word = self.data[from..from + 4]
            .try_into()
            .map_or(0, u32::from_le_bytes);
        word >> (8 * (at - from))
    }

    /// The four pixels at the offsets in `at`.
    #[target_feature(enable = "neon")]
    fn gather(&self, at: int32x4_t) -> uint8x16_t {
        let mut offsets = [0i32; 4];
        // SAFETY: four i32 into an array of four.
        unsafe { vst1q_s32(offsets.as_mut_ptr(), at) };
        let px = offsets.map(|o| self.pixel(o));
        // SAFETY: four u32 from an array of four.
        vreinterpretq_u8_u32(unsafe { vld1q_u32(px.as_ptr()) })
    }

    /// Both taps of four samples at image coordinates `v` (pixel k's centre at k), clamped
    /// into `0..=last`, and their weights in 32nds.
    #[target_feature(enable = "neon")]
    fn taps(&self, v: float32x4_t, last: i32) -> [int32x4_t; 4] {
        // The reference's `round_half_away(v · 32)`, lane for lane.
        let v = vmulq_n_f32(v, 32.0);
        let t = vcvtq_s32_f32(v);
        let rest = vsubq_f32(v, vcvtq_f32_s32(t));
        let up = vreinterpretq_s32_u32(vcgeq_f32(rest, vdupq_n_f32(0.5)));
        let down = vreinterpretq_s32_u32(vcleq_f32(rest, vdupq_n_f32(-0.5)));
        let k = vaddq_s32(vsubq_s32(t, up), down);
        let i0 = vshrq_n_s32::<5>(k);
        let i1 = vaddq_s32(i0, vdupq_n_s32(1));
        let w1 = vandq_s32(k, vdupq_n_s32(31));
        let w0 = vsubq_s32(vdupq_n_s32(32), w1);
        let last = vdupq_n_s32(last);
        let inside = |i: int32x4_t, w: int32x4_t| {
            let within = vandq_u32(vcgeq_s32(i, vdupq_n_s32(0)), vcleq_s32(i, last));
            vandq_s32(w, vreinterpretq_s32_u32(within))
        };
        let (w0, w1) = if self.zero_border {
            (inside(i0, w0), inside(i1, w1))
        } else {
            (w0, w1)
        };
        let clamp = |i| vminq_s32(vmaxq_s32(i, vdupq_n_s32(0)), last);
        [clamp(i0), clamp(i1), w0, w1]
    }

    /// The bilinear sums of four samples at image points (`x`, `y`), in 1024ths of an 8-bit
    /// step, `[R, G, B, _]` each, into `out` (four sums).
    #[target_feature(enable = "neon")]
    fn sample(&self, x: float32x4_t, y: float32x4_t, out: &mut [[i32; 4]]) {
        let [x0, x1, wx0, wx1] = self.taps(x, self.last_x);
        let [y0, y1, wy0, wy1] = self.taps(y, self.last_y);
        let rows = vdupq_n_s32(self.row_bytes);
        let base = vmlaq_s32(vmulq_n_s32(x0, 3), y0, rows);
        let right = vmulq_n_s32(vsubq_s32(x1, x0), 3);
        let lower = vmlaq_s32(base, vsubq_s32(y1, y0), rows);
        let (tl, tr) = (self.gather(base), self.gather(vaddq_s32(base, right)));
        let (bl, br) = (self.gather(lower), self.gather(vaddq_s32(lower, right)));
        // Each sample's weight in each of its four bytes, then in four 16-bit lanes.
        let bytes =
            |w: int32x4_t| vreinterpretq_u8_u32(vmulq_n_u32(vreinterpretq_u32_s32(w), 0x0101_0101));
        let halves = |w: int32x4_t| {
            let w = vreinterpretq_u16_u32(vmulq_n_u32(vreinterpretq_u32_s32(w), 0x0001_0001));
            (vzip1q_u16(w, w), vzip2q_u16(w, w))
        };
        let (wx0, wx1) = (bytes(wx0), bytes(wx1));
        // Horizontal first, u8 × u8 into u16 (at most 255 · 32): samples 0–1 and 2–3.
        let row = |left: uint8x16_t, right: uint8x16_t| {
            let lo = vmull_u8(vget_low_u8(left), vget_low_u8(wx0));
            let lo = vmlal_u8(lo, vget_low_u8(right), vget_low_u8(wx1));
            let hi = vmlal_high_u8(vmull_high_u8(left, wx0), right, wx1);
            (lo, hi)
        };
        let ((top_01, top_23), (bot_01, bot_23)) = (row(tl, tr), row(bl, br));
        // Then vertical, u16 × u16 into u32.
        let ((wy0_01, wy0_23), (wy1_01, wy1_23)) = (halves(wy0), halves(wy1));
        let low = |top: uint16x8_t, bot: uint16x8_t, w0: uint16x8_t, w1: uint16x8_t| {
            let s = vmull_u16(vget_low_u16(top), vget_low_u16(w0));
            vmlal_u16(s, vget_low_u16(bot), vget_low_u16(w1))
        };
        let high = |top: uint16x8_t, bot: uint16x8_t, w0: uint16x8_t, w1: uint16x8_t| {
            vmlal_high_u16(vmull_high_u16(top, w0), bot, w1)
        };
        let sums = [
            low(top_01, bot_01, wy0_01, wy1_01),
            high(top_01, bot_01, wy0_01, wy1_01),
            low(top_23, bot_23, wy0_23, wy1_23),
            high(top_23, bot_23, wy0_23, wy1_23),
        ];
        for (dst, s) in out.iter_mut().zip(sums) {
            // SAFETY: four i32 into a `[i32; 4]`.
            unsafe { vst1q_s32(dst.as_mut_ptr(), vreinterpretq_s32_u32(s)) };
        }
    }

    /// The samples at output row coordinate `ty` and column coordinates `txs`.
    #[target_feature(enable = "neon")]
    fn sample_neon(&self, grid: &Grid, ty: f32, txs: &[f32], sums: &mut [[i32; 4]]) {
        // `Grid::point`'s operations in its order: origin + tx·step_x + ty·step_y + shift.
        let (ox, oy) = (vdupq_n_f32(grid.origin[0]), vdupq_n_f32(grid.origin[1]));
        let (dx, dy) = (
            vdupq_n_f32(ty * grid.step_y[0]),
            vdupq_n_f32(ty * grid.step_y[1]),
        );
        let shift = vdupq_n_f32(grid.shift);
        for (tx, group) in txs.chunks_exact(4).zip(sums.chunks_exact_mut(4)) {
            // SAFETY: a chunk is four floats.
            let tx = unsafe { vld1q_f32(tx.as_ptr()) };
            let x = vaddq_f32(
                vaddq_f32(vaddq_f32(ox, vmulq_n_f32(tx, grid.step_x[0])), dx),
                shift,
            );
            let y = vaddq_f32(
                vaddq_f32(vaddq_f32(oy, vmulq_n_f32(tx, grid.step_x[1])), dy),
                shift,
            );
            self.sample(x, y, group);
        }
    }

    /// `Grid::value` of each channel of each sum (in 1024ths), one pixel per vector.
    #[target_feature(enable = "neon")]
    fn values_neon(&self, grid: &Grid, sums: &[[i32; 4]], values: &mut [[f32; 4]]) {
        for (s, v) in sums.iter().zip(values) {
            // SAFETY: four i32 from a `[i32; 4]`.
            let s = unsafe { vld1q_s32(s.as_ptr()) };
            // Exact: the sums stay under 2²⁴ (`fits_fixed_point`), and 1/1024 is a power of two.
            let mean = vmulq_n_f32(vmulq_n_f32(vcvtq_f32_s32(s), 1.0 / 1024.0), grid.inv_n);
            let t = vcvtq_s32_f32(mean);
            let rest = vsubq_f32(mean, vcvtq_f32_s32(t));
            let up = vreinterpretq_s32_u32(vcgeq_f32(rest, vdupq_n_f32(0.5)));
            let rounded = vcvtq_f32_s32(vsubq_s32(t, up));
            let value = vaddq_f32(vmulq_n_f32(rounded, grid.scale), vdupq_n_f32(grid.low));
            // SAFETY: four f32 into a `[f32; 4]`.
            unsafe { vst1q_f32(v.as_mut_ptr(), value) };
        }
    }
}

impl fixed::Sampler for Neon<'_> {
    fn sample_row(&self, grid: &Grid, ty: f32, txs: &[f32], sums: &mut [[i32; 4]]) {
        // SAFETY: every aarch64 core has NEON.
        unsafe { self.sample_neon(grid, ty, txs, sums) }
    }

    fn values(&self, grid: &Grid, sums: &[[i32; 4]], values: &mut [[f32; 4]]) {
        // SAFETY: as above.
        unsafe { self.values_neon(grid, sums, values) }
    }
}
