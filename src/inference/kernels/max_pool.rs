//! 2 × 2, stride-2 max-pooling without padding on NCHW planes of any size (an odd last row or
//! column is dropped, as VALID pooling does): tract's own op is a scalar loop per plane.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::ensure;

use super::simd::Simd;

/// Pools `planes` planes of `in_h × in_w` from `input` into `out`, `(in_h / 2) × (in_w / 2)`
/// each.
pub fn pool(
    simd: Simd,
    in_h: usize,
    in_w: usize,
    input: &[f32],
    out: &mut [f32],
) -> TractResult<()> {
    let (out_h, out_w) = (in_h / 2, in_w / 2);
    ensure!(
        out_h > 0 && out_w > 0,
        "2x2 max-pool of a {in_h} x {in_w} map has no output"
    );
    let planes = input.len() / (in_h * in_w);
    ensure!(
        input.len() == planes * in_h * in_w && out.len() == planes * out_h * out_w,
        "2x2 max-pool of {in_h} x {in_w} planes got {} inputs and {} outputs",
        input.len(),
        out.len()
    );
    let rows = input
        .chunks_exact(in_h * in_w)
        .flat_map(|plane| plane.chunks_exact(2 * in_w).take(out_h));
    for (pair, dst) in rows.zip(out.chunks_exact_mut(out_w)) {
        let (top, bottom) = pair.split_at(in_w);
        row(simd, top, bottom, dst);
    }
    Ok(())
}

/// One output row from its two input rows (each at least `2 × dst.len()` long).
fn row(simd: Simd, top: &[f32], bottom: &[f32], dst: &mut [f32]) {
    let done = match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Avx2Fma` is only chosen when the CPU has AVX2 (`Simd::best`).
        Simd::Avx2Fma => unsafe { x86::row(top, bottom, dst) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON is part of every aarch64 core.
        Simd::Neon => unsafe { arm::row(top, bottom, dst) },
        _ => 0,
    };
    for (x, o) in dst.iter_mut().enumerate().skip(done) {
        *o = top[2 * x]
            .max(top[2 * x + 1])
            .max(bottom[2 * x].max(bottom[2 * x + 1]));
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Eight outputs at a time; returns how many it wrote (the rest are the caller's).
    ///
    /// # Safety
    /// The CPU has AVX2; `top` and `bottom` hold at least `2 × dst.len()` values.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn row(top: &[f32], bottom: &[f32], dst: &mut [f32]) -> usize {
        let n = dst.len() / 8 * 8;
        for x in (0..n).step_by(8) {
            // SAFETY: `2 * x + 16 <= 2 * n <= 2 * dst.len()` values of each row are read, and
            // `x + 8 <= dst.len()` written.
            unsafe {
                let (t, b) = (top.as_ptr().add(2 * x), bottom.as_ptr().add(2 * x));
                let lo = _mm256_max_ps(_mm256_loadu_ps(t), _mm256_loadu_ps(b));
                let hi = _mm256_max_ps(_mm256_loadu_ps(t.add(8)), _mm256_loadu_ps(b.add(8)));
                // Per 128-bit lane: evens and odds of [lo, hi]; the 64-bit pairs then go back
                // in order.
                let even = _mm256_shuffle_ps::<0b10_00_10_00>(lo, hi);
                let odd = _mm256_shuffle_ps::<0b11_01_11_01>(lo, hi);
                let m = _mm256_castps_pd(_mm256_max_ps(even, odd));
                let m = _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(m));
                _mm256_storeu_ps(dst.as_mut_ptr().add(x), m);
            }
        }
        n
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use std::arch::aarch64::*;

    /// Four outputs at a time; returns how many it wrote (the rest are the caller's).
    ///
    /// # Safety
    /// `top` and `bottom` hold at least `2 × dst.len()` values.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn row(top: &[f32], bottom: &[f32], dst: &mut [f32]) -> usize {
        let n = dst.len() / 4 * 4;
        for x in (0..n).step_by(4) {
            // SAFETY: `2 * x + 8 <= 2 * n <= 2 * dst.len()` values of each row are read, and
            // `x + 4 <= dst.len()` written.
            unsafe {
                let t = vld2q_f32(top.as_ptr().add(2 * x));
                let b = vld2q_f32(bottom.as_ptr().add(2 * x));
                let m = vmaxq_f32(vmaxq_f32(t.0, t.1), vmaxq_f32(b.0, b.1));
                vst1q_f32(dst.as_mut_ptr().add(x), m);
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::super::depthwise_op::tests::{random, run};
    use super::super::max_pool_op::tests::one_pool;
    use super::*;

    /// Every map the four models pool (sides 4–128, square) and odd, uneven and tiny ones,
    /// with odd and real channel counts: max is exact, so the values are tract's, bit for bit.
    #[test]
    fn every_path_matches_tracts_max_pool() {
        let sides = [
            (2, 2),
            (3, 3),
            (4, 4),
            (5, 7),
            (6, 6),
            (8, 8),
            (12, 12),
            (16, 16),
            (17, 33),
            (24, 24),
            (32, 32),
            (48, 48),
            (64, 64),
            (96, 96),
            (128, 128),
            (2, 40),
        ];
        for simd in Simd::available() {
            println!("max-pool 2x2: testing the {} path", simd.name());
        }
        for (h, w) in sides {
            for c in [1, 3, 7, 17, 32] {
                let values = random(c * h * w, (h * 1000 + w * 10 + c) as u64);
                let input = Tensor::from_shape(&[1, c, h, w], &values).unwrap();
                let (want, _) = run(one_pool(c, h, w), &input);
                for simd in Simd::available() {
                    let mut out = vec![f32::NAN; want.len()];
                    pool(simd, h, w, &values, &mut out).unwrap();
                    assert_eq!(out, want, "{} path, {c} × {h} × {w}", simd.name());
                }
            }
        }
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics() {
        assert!(pool(Simd::best(), 4, 4, &[0.0; 15], &mut [0.0; 4]).is_err());
        assert!(pool(Simd::best(), 4, 4, &[0.0; 16], &mut [0.0; 3]).is_err());
        assert!(pool(Simd::best(), 1, 4, &[0.0; 4], &mut []).is_err());
        assert!(pool(Simd::best(), 0, 0, &[], &mut []).is_err());
    }
}
