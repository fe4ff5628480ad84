//! The fixed-point sampler on AVX2: eight samples at a time, their four taps gathered as
//! whole pixels, weighted in 8- and 16-bit integer lanes.

use std::arch::x86_64::*;

use super::fixed::{self, GROUP};
use super::{Border, Grid};
use crate::frame::RgbView;

/// One image axis, as lanes: the last pixel, and whether taps past either end weigh nothing.
#[derive(Clone, Copy)]
struct Axis {
    last: __m256i,
    zero_border: bool,
}

impl Axis {
    /// Both taps of eight samples at image coordinates `v` (pixel k's centre at k), clamped
    /// into the image, and their weights in 32nds.
    #[target_feature(enable = "avx2")]
    fn taps(self, v: __m256) -> [__m256i; 4] {
        // The reference's `round_half_away(v · 32)`, lane for lane.
        let v = _mm256_mul_ps(v, _mm256_set1_ps(32.0));
        let t = _mm256_cvttps_epi32(v);
        let rest = _mm256_sub_ps(v, _mm256_cvtepi32_ps(t));
        let up = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GE_OQ>(rest, _mm256_set1_ps(0.5)));
        let down = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_LE_OQ>(rest, _mm256_set1_ps(-0.5)));
        let k = _mm256_add_epi32(_mm256_sub_epi32(t, up), down);
        let i0 = _mm256_srai_epi32::<5>(k);
        let i1 = _mm256_add_epi32(i0, _mm256_set1_epi32(1));
        let w1 = _mm256_and_si256(k, _mm256_set1_epi32(31));
        let w0 = _mm256_sub_epi32(_mm256_set1_epi32(32), w1);
        let (w0, w1) = if self.zero_border {
            (self.inside(i0, w0), self.inside(i1, w1))
        } else {
            (w0, w1)
        };
        let clamp = |i| _mm256_min_epi32(_mm256_max_epi32(i, _mm256_setzero_si256()), self.last);
        [clamp(i0), clamp(i1), w0, w1]
    }

    /// `w` where the tap `i` is inside the image, 0 elsewhere.
    #[target_feature(enable = "avx2")]
    fn inside(self, i: __m256i, w: __m256i) -> __m256i {
        let low = _mm256_cmpgt_epi32(i, _mm256_set1_epi32(-1));
        let high = _mm256_cmpgt_epi32(_mm256_add_epi32(self.last, _mm256_set1_epi32(1)), i);
        _mm256_and_si256(w, _mm256_and_si256(low, high))
    }
}

/// The AVX2 sampler of one image. Only [`Avx2::new`] makes one, on a CPU with AVX2.
pub(super) struct Avx2<'a> {
    data: &'a [u8],
    row_bytes: __m256i,
    /// The last offset a 4-byte load may start at.
    last_load: __m256i,
    x: Axis,
    y: Axis,
}

impl<'a> Avx2<'a> {
    /// The sampler of `img`, or `None` when the CPU lacks AVX2 or 32-bit offsets and 4-byte
    /// loads do not cover the image.
    pub(super) fn new(img: RgbView<'a>, border: Border) -> Option<Avx2<'a>> {
        let len = i32::try_from(img.data.len()).ok().filter(|&len| len >= 4)?;
        if !is_x86_feature_detected!("avx2") {
            return None;
        }
        let zero_border = border == Border::Zero;
        // SAFETY: the CPU has AVX2 (checked above).
        unsafe { Some(Avx2::with_avx2(img, len, zero_border)) }
    }

    #[target_feature(enable = "avx2")]
    fn with_avx2(img: RgbView<'a>, len: i32, zero_border: bool) -> Avx2<'a> {
        let lanes = |v: usize| _mm256_set1_epi32(v as i32);
        Avx2 {
            data: img.data,
            row_bytes: lanes(img.width * 3),
            last_load: _mm256_set1_epi32(len - 4),
            x: Axis {
                last: lanes(img.width - 1),
                zero_border,
            },
            y: Axis {
                last: lanes(img.height - 1),
                zero_border,
            },
        }
    }

    /// The pixel at each byte offset of `at`, as `[R, G, B, next]` bytes. A load of the
    /// image's last pixel starts a byte early and shifts, so no read leaves the image.
    ///
    /// # Safety
    /// The CPU has AVX2, and every lane of `at` is the offset of a pixel of the image.
    #[target_feature(enable = "avx2")]
    unsafe fn gather(&self, at: __m256i) -> __m256i {
        let late = _mm256_cmpgt_epi32(at, self.last_load);
        // SAFETY: each lane reads 4 bytes from `at` (or `at - 1` for the last pixel), which
        // the caller's offsets keep inside `data`.
        let px = unsafe {
            _mm256_i32gather_epi32::<1>(self.data.as_ptr().cast(), _mm256_add_epi32(at, late))
        };
        _mm256_srlv_epi32(px, _mm256_and_si256(late, _mm256_set1_epi32(8)))
    }

    /// The bilinear sums of eight samples at image points (`x`, `y`), in 1024ths of an 8-bit
    /// step, as `[R, G, B, _]` per sample into `out`.
    ///
    /// # Safety
    /// The CPU has AVX2, and `out` holds eight sums. The taps are clamped into the image, so
    /// any point is safe, NaN included (it converts to `i32::MIN`).
    #[target_feature(enable = "avx2")]
    unsafe fn sample(&self, x: __m256, y: __m256, out: &mut [[i32; 4]]) {
        let [x0, x1, wx0, wx1] = self.x.taps(x);
        let [y0, y1, wy0, wy1] = self.y.taps(y);
        let three = _mm256_set1_epi32(3);
        let base = _mm256_add_epi32(
            _mm256_mullo_epi32(y0, self.row_bytes),
            _mm256_mullo_epi32(x0, three),
        );
        let right = _mm256_mullo_epi32(_mm256_sub_epi32(x1, x0), three);
        let down = _mm256_mullo_epi32(_mm256_sub_epi32(y1, y0), self.row_bytes);
        let lower = _mm256_add_epi32(base, down);
        // SAFETY: the taps are clamped pixel positions of the image (`Axis::taps`).
        let (tl, tr, bl, br) = unsafe {
            (
                self.gather(base),
                self.gather(_mm256_add_epi32(base, right)),
                self.gather(lower),
                self.gather(_mm256_add_epi32(lower, right)),
            )
        };
        // Horizontal first: bytes `[wx0, wx1]` against each channel's pair of taps (u8 × i8
        // pairs summed to i16, at most 255 · 32).
        let wx = _mm256_or_si256(wx0, _mm256_slli_epi32::<8>(wx1));
        let wx = _mm256_or_si256(wx, _mm256_slli_epi32::<16>(wx));
        let (wx_lo, wx_hi) = (_mm256_unpacklo_epi32(wx, wx), _mm256_unpackhi_epi32(wx, wx));
        // Per 128-bit half: `lo` holds its samples 0 and 1, `hi` its samples 2 and 3.
        let top_lo = _mm256_maddubs_epi16(_mm256_unpacklo_epi8(tl, tr), wx_lo);
        let top_hi = _mm256_maddubs_epi16(_mm256_unpackhi_epi8(tl, tr), wx_hi);
        let bot_lo = _mm256_maddubs_epi16(_mm256_unpacklo_epi8(bl, br), wx_lo);
        let bot_hi = _mm256_maddubs_epi16(_mm256_unpackhi_epi8(bl, br), wx_hi);
        // Then vertical: i16 `[top, bottom]` pairs against `[wy0, wy1]`, summed to i32.
        let wy = _mm256_or_si256(wy0, _mm256_slli_epi32::<16>(wy1));
        let s0 = _mm256_madd_epi16(
            _mm256_unpacklo_epi16(top_lo, bot_lo),
            _mm256_shuffle_epi32::<0x00>(wy),
        );
        let s1 = _mm256_madd_epi16(
            _mm256_unpackhi_epi16(top_lo, bot_lo),
            _mm256_shuffle_epi32::<0x55>(wy),
        );
        let s2 = _mm256_madd_epi16(
            _mm256_unpacklo_epi16(top_hi, bot_hi),
            _mm256_shuffle_epi32::<0xAA>(wy),
        );
        let s3 = _mm256_madd_epi16(
            _mm256_unpackhi_epi16(top_hi, bot_hi),
            _mm256_shuffle_epi32::<0xFF>(wy),
        );
        // s0 holds samples 0 and 4, s1 1 and 5, and so on: back into order.
        let dst = out.as_mut_ptr().cast::<__m256i>();
        // SAFETY: `out` is 8 × 16 bytes (the caller's word), four 32-byte stores.
        unsafe {
            _mm256_storeu_si256(dst, _mm256_permute2x128_si256::<0x20>(s0, s1));
            _mm256_storeu_si256(dst.add(1), _mm256_permute2x128_si256::<0x20>(s2, s3));
            _mm256_storeu_si256(dst.add(2), _mm256_permute2x128_si256::<0x31>(s0, s1));
            _mm256_storeu_si256(dst.add(3), _mm256_permute2x128_si256::<0x31>(s2, s3));
        }
    }

    /// The samples at output row coordinate `ty` and column coordinates `txs`.
    #[target_feature(enable = "avx2")]
    fn sample_avx2(&self, grid: &Grid, ty: f32, txs: &[f32], sums: &mut [[i32; 4]]) {
        // `Grid::point`'s operations in its order: origin + tx·step_x + ty·step_y + shift.
        let (ox, oy) = (
            _mm256_set1_ps(grid.origin[0]),
            _mm256_set1_ps(grid.origin[1]),
        );
        let (sx, sy) = (
            _mm256_set1_ps(grid.step_x[0]),
            _mm256_set1_ps(grid.step_x[1]),
        );
        let (dx, dy) = (
            _mm256_set1_ps(ty * grid.step_y[0]),
            _mm256_set1_ps(ty * grid.step_y[1]),
        );
        let shift = _mm256_set1_ps(grid.shift);
        for (tx, group) in txs.chunks_exact(GROUP).zip(sums.chunks_exact_mut(GROUP)) {
            // SAFETY: a chunk is eight floats.
            let tx = unsafe { _mm256_loadu_ps(tx.as_ptr()) };
            let x = _mm256_add_ps(
                _mm256_add_ps(_mm256_add_ps(ox, _mm256_mul_ps(tx, sx)), dx),
                shift,
            );
            let y = _mm256_add_ps(
                _mm256_add_ps(_mm256_add_ps(oy, _mm256_mul_ps(tx, sy)), dy),
                shift,
            );
            // SAFETY: this function runs with AVX2, and `group` holds eight sums.
            unsafe { self.sample(x, y, group) };
        }
    }

    /// `Grid::value` of each channel of each sum (in 1024ths), two pixels per vector.
    #[target_feature(enable = "avx2")]
    fn values_avx2(&self, grid: &Grid, sums: &[[i32; 4]], values: &mut [[f32; 4]]) {
        let step = _mm256_set1_ps(1.0 / 1024.0);
        let (inv_n, scale, low) = (
            _mm256_set1_ps(grid.inv_n),
            _mm256_set1_ps(grid.scale),
            _mm256_set1_ps(grid.low),
        );
        for (pair, dst) in sums.chunks_exact(2).zip(values.chunks_exact_mut(2)) {
            // SAFETY: two `[i32; 4]` are 32 bytes, and so are two `[f32; 4]`.
            let s = unsafe { _mm256_loadu_si256(pair.as_ptr().cast()) };
            // Exact: the sums stay under 2²⁴ (`fits_fixed_point`), and 1/1024 is a power of two.
            let mean = _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s), step), inv_n);
            let t = _mm256_cvttps_epi32(mean);
            let rest = _mm256_sub_ps(mean, _mm256_cvtepi32_ps(t));
            let up = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GE_OQ>(rest, _mm256_set1_ps(0.5)));
            let rounded = _mm256_cvtepi32_ps(_mm256_sub_epi32(t, up));
            let v = _mm256_add_ps(_mm256_mul_ps(rounded, scale), low);
            // SAFETY: as above.
            unsafe { _mm256_storeu_ps(dst.as_mut_ptr().cast(), v) };
        }
    }
}

impl fixed::Sampler for Avx2<'_> {
    fn sample_row(&self, grid: &Grid, ty: f32, txs: &[f32], sums: &mut [[i32; 4]]) {
        // SAFETY: an `Avx2` exists only on a CPU with AVX2 (`Avx2::new`).
        unsafe { self.sample_avx2(grid, ty, txs, sums) }
    }

    fn values(&self, grid: &Grid, sums: &[[i32; 4]], values: &mut [[f32; 4]]) {
        // SAFETY: as above.
        unsafe { self.values_avx2(grid, sums, values) }
    }
}
