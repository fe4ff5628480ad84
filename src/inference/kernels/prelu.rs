//! PReLU, `max(x, 0) + slope × min(x, 0)` per channel, in one pass over the tensor in place:
//! tract runs it as two binary chains and a fresh tensor each.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::ensure;

use super::simd::Simd;

/// Applies PReLU in place to `values`, `slope.len()` planes of `plane` values each.
pub fn prelu(simd: Simd, values: &mut [f32], plane: usize, slope: &[f32]) -> TractResult<()> {
    ensure!(
        values.len() == plane * slope.len(),
        "PReLU over {} channels of {plane} got {} values",
        slope.len(),
        values.len()
    );
    if plane == 0 {
        return Ok(());
    }
    for (x, &s) in values.chunks_exact_mut(plane).zip(slope) {
        channel(simd, x, s);
    }
    Ok(())
}

/// Applies PReLU in place to channels-last `values`: pixels of `slope.len()` channels each, as
/// tract leaves some of the iris model's maps on aarch64.
pub fn prelu_channels_last(simd: Simd, values: &mut [f32], slope: &[f32]) -> TractResult<()> {
    let c = slope.len();
    ensure!(
        c > 0 && values.len().is_multiple_of(c),
        "channels-last PReLU over {c} channels got {} values",
        values.len()
    );
    for pixel in values.chunks_exact_mut(c) {
        let done = match simd {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `Avx2Fma` is only chosen when the CPU has AVX2 and FMA (`Simd::best`),
            // and `pixel` and `slope` have the same length.
            Simd::Avx2Fma => unsafe { x86::pixel(pixel, slope) },
            #[cfg(target_arch = "aarch64")]
            // SAFETY: NEON is part of every aarch64 core; the lengths are equal.
            Simd::Neon => unsafe { arm::pixel(pixel, slope) },
            _ => 0,
        };
        for (v, &s) in pixel[done..].iter_mut().zip(&slope[done..]) {
            *v = one(*v, s);
        }
    }
    Ok(())
}

/// PReLU of one value: tract's lowering, `max(v, 0) + slope × min(v, 0)`, in its order.
pub(super) fn one(v: f32, slope: f32) -> f32 {
    v.max(0.0) + slope * v.min(0.0)
}

/// One channel; the same operations as tract's lowering, so the same values bit for bit.
fn channel(simd: Simd, x: &mut [f32], slope: f32) {
    let done = match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Avx2Fma` is only chosen when the CPU has AVX2 and FMA (`Simd::best`).
        Simd::Avx2Fma => unsafe { x86::channel(x, slope) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON is part of every aarch64 core.
        Simd::Neon => unsafe { arm::channel(x, slope) },
        _ => 0,
    };
    for v in &mut x[done..] {
        *v = one(*v, slope);
    }
}

#[cfg(target_arch = "x86_64")]
pub(super) mod x86 {
    use std::arch::x86_64::*;

    /// PReLU of eight values. One of max and min is zero, so the fused multiply-add rounds as
    /// multiply-then-add does: the values are [`super::one`]'s, bit for bit.
    #[target_feature(enable = "avx2,fma")]
    pub(in super::super) fn eight(v: __m256, slope: __m256) -> __m256 {
        let zero = _mm256_setzero_ps();
        _mm256_fmadd_ps(_mm256_min_ps(v, zero), slope, _mm256_max_ps(v, zero))
    }

    /// Eight values at a time; returns how many it did (the rest are the caller's).
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn channel(x: &mut [f32], slope: f32) -> usize {
        let s = _mm256_set1_ps(slope);
        let n = x.len() / 8 * 8;
        for i in (0..n).step_by(8) {
            // SAFETY: `i + 8 <= n <= x.len()`.
            unsafe {
                let p = x.as_mut_ptr().add(i);
                let v = _mm256_loadu_ps(p);
                let r = eight(v, s);
                _mm256_storeu_ps(p, r);
            }
        }
        n
    }

    /// One channels-last pixel, eight channels at a time; returns how many it did.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA; `slope` is as long as `x`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn pixel(x: &mut [f32], slope: &[f32]) -> usize {
        let n = x.len() / 8 * 8;
        for i in (0..n).step_by(8) {
            // SAFETY: `i + 8 <= n <= x.len() == slope.len()`.
            unsafe {
                let p = x.as_mut_ptr().add(i);
                let (v, s) = (_mm256_loadu_ps(p), _mm256_loadu_ps(slope.as_ptr().add(i)));
                let r = eight(v, s);
                _mm256_storeu_ps(p, r);
            }
        }
        n
    }
}

#[cfg(target_arch = "aarch64")]
pub(super) mod arm {
    use std::arch::aarch64::*;

    /// PReLU of four values. One of max and min is zero, so the fused multiply-add rounds as
    /// multiply-then-add does: the values are [`super::one`]'s, bit for bit.
    #[target_feature(enable = "neon")]
    pub(in super::super) fn four(v: float32x4_t, slope: float32x4_t) -> float32x4_t {
        let zero = vdupq_n_f32(0.0);
        vfmaq_f32(vmaxq_f32(v, zero), vminq_f32(v, zero), slope)
    }

    /// Four values at a time; returns how many it did (the rest are the caller's).
    ///
    /// # Safety
    /// None beyond NEON, which every aarch64 core has.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn channel(x: &mut [f32], slope: f32) -> usize {
        let s = vdupq_n_f32(slope);
        let n = x.len() / 4 * 4;
        for i in (0..n).step_by(4) {
            // SAFETY: `i + 4 <= n <= x.len()`.
            unsafe {
                let p = x.as_mut_ptr().add(i);
                let v = vld1q_f32(p);
                let r = four(v, s);
                vst1q_f32(p, r);
            }
        }
        n
    }

    /// One channels-last pixel, four channels at a time; returns how many it did.
    ///
    /// # Safety
    /// `slope` is as long as `x`.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn pixel(x: &mut [f32], slope: &[f32]) -> usize {
        let n = x.len() / 4 * 4;
        for i in (0..n).step_by(4) {
            // SAFETY: `i + 4 <= n <= x.len() == slope.len()`.
            unsafe {
                let p = x.as_mut_ptr().add(i);
                let (v, s) = (vld1q_f32(p), vld1q_f32(slope.as_ptr().add(i)));
                let r = four(v, s);
                vst1q_f32(p, r);
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::super::depthwise_op::tests::{random, run};
    use super::super::prelu_op::tests::one_prelu;
    use super::*;

    /// The attention mesh's PReLU maps and odd ones: the values are tract's, bit for bit.
    #[test]
    fn every_path_matches_tracts_lowering() {
        for simd in Simd::available() {
            println!("prelu: testing the {} path", simd.name());
        }
        for side in [1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 48, 96] {
            for c in [1, 3, 7, 17, 128] {
                let shape = [1, c, side, side + 1];
                let n = c * side * (side + 1);
                let values = random(n, (side * 1000 + c) as u64);
                let input = Tensor::from_shape(&shape, &values).unwrap();
                let (want, _) = run(one_prelu(&shape, &[1, c, 1, 1]), &input);
                let slope = random(c, 5);
                for simd in Simd::available() {
                    let mut x = values.clone();
                    prelu(simd, &mut x, side * (side + 1), &slope).unwrap();
                    assert_eq!(x, want, "{} path, {shape:?}", simd.name());
                }
            }
        }
    }

    /// Channels-last maps of the iris model's channel counts and odd ones, bit for bit.
    #[test]
    fn every_channels_last_path_matches_tracts_lowering() {
        for side in [1, 2, 5, 8, 16, 32] {
            for c in [1, 3, 7, 17, 32, 64] {
                let shape = [side, side + 1, c];
                let values = random(side * (side + 1) * c, (side * 1000 + c) as u64);
                let input = Tensor::from_shape(&shape, &values).unwrap();
                let (want, _) = run(one_prelu(&shape, &[1, 1, c]), &input);
                let slope = random(c, 5);
                for simd in Simd::available() {
                    let mut x = values.clone();
                    prelu_channels_last(simd, &mut x, &slope).unwrap();
                    assert_eq!(x, want, "{} path, {shape:?}", simd.name());
                }
            }
        }
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics() {
        assert!(prelu_channels_last(Simd::best(), &mut [0.0; 7], &[1.0, 2.0]).is_err());
        assert!(prelu_channels_last(Simd::best(), &mut [0.0; 2], &[]).is_err());
        assert!(prelu(Simd::best(), &mut [0.0; 7], 4, &[1.0, 2.0]).is_err());
        assert!(prelu(Simd::best(), &mut [], 0, &[1.0]).is_ok());
    }
}
