//! A residual block's tail, `act(x + pad(y))`, in one pass: `y` holds the first channels of
//! `x`'s, the rest are added to a zero, and the activation is PReLU, ReLU or none. tract runs
//! it as a `Pad` into a fresh zeroed tensor, an `Add` and the activation, each a pass of its
//! own.
//!
//! Channels are the outer loop and each channel's plane is one contiguous run of vectors
//! (tract's layout here is NCHW, or CHW where it dropped the batch axis).

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::ensure;

use super::simd::Simd;

/// What follows the addition.
#[derive(Debug, Clone, Copy)]
pub enum Activation<'a> {
    /// Nothing: the sum itself.
    Linear,
    /// `max(v, 0)`: tract's lowering of ONNX `Relu`.
    Relu,
    /// `max(v, 0) + slope × min(v, 0)`, one slope per channel, as [`super::prelu`] does.
    Prelu(&'a [f32]),
}

/// The activation of one channel.
#[derive(Debug, Clone, Copy)]
enum Channel {
    Linear,
    Relu,
    Prelu(f32),
}

impl Channel {
    /// The reference: the same operations as tract's, in its order.
    fn apply(self, v: f32) -> f32 {
        match self {
            Channel::Linear => v,
            Channel::Relu => v.max(0.0),
            Channel::Prelu(slope) => super::prelu::one(v, slope),
        }
    }
}

/// `x = act(x + pad(y))` in place: `x` is channels of `plane` values, `y` its first channels.
pub fn residual(
    simd: Simd,
    x: &mut [f32],
    y: &[f32],
    plane: usize,
    act: Activation,
) -> TractResult<()> {
    run(simd, x, None, y, plane, act)
}

/// `out = act(x + pad(y))`, for when `x` is not ours to overwrite.
pub fn residual_into(
    simd: Simd,
    x: &[f32],
    y: &[f32],
    out: &mut [f32],
    plane: usize,
    act: Activation,
) -> TractResult<()> {
    ensure!(
        x.len() == out.len(),
        "residual add of {} values into {}",
        x.len(),
        out.len()
    );
    run(simd, out, Some(x), y, plane, act)
}

/// Writes `out` from `x`, or from `out` itself when `x` is `None`.
fn run(
    simd: Simd,
    out: &mut [f32],
    x: Option<&[f32]>,
    y: &[f32],
    plane: usize,
    act: Activation,
) -> TractResult<()> {
    if plane == 0 {
        ensure!(
            out.is_empty() && y.is_empty(),
            "residual add of empty planes"
        );
        return Ok(());
    }
    let channels = out.len() / plane;
    ensure!(
        out.len() == channels * plane && y.len().is_multiple_of(plane) && y.len() <= out.len(),
        "residual add of {} values to {} in planes of {plane}",
        y.len(),
        out.len()
    );
    if let Activation::Prelu(slope) = act {
        ensure!(
            slope.len() == channels,
            "PReLU of {channels} channels got {} slopes",
            slope.len()
        );
    }
    let padded = y.len() / plane;
    for (c, o) in out.chunks_exact_mut(plane).enumerate() {
        let x = x.map(|x| &x[c * plane..][..plane]);
        let y = (c < padded).then(|| &y[c * plane..][..plane]);
        let act = match act {
            Activation::Linear => Channel::Linear,
            Activation::Relu => Channel::Relu,
            Activation::Prelu(slope) => Channel::Prelu(slope[c]),
        };
        channel(simd, o, x, y, act);
    }
    Ok(())
}

/// One channel: `x` and `y`, when given, have `out`'s length. A channel past `y`'s adds a
/// zero all the same, as tract's padded tensor does (it turns -0 into +0).
fn channel(simd: Simd, out: &mut [f32], x: Option<&[f32]>, y: Option<&[f32]>, act: Channel) {
    let done = match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Avx2Fma` is only chosen when the CPU has AVX2 and FMA (`Simd::best`), and
        // `run` sliced `x` and `y` to `out`'s length.
        Simd::Avx2Fma => unsafe { x86::channel(out, x, y, act) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON is part of every aarch64 core, and `run` sliced `x` and `y` to
        // `out`'s length.
        Simd::Neon => unsafe { arm::channel(out, x, y, act) },
        _ => 0,
    };
    for i in done..out.len() {
        let v = x.map_or(out[i], |x| x[i]) + y.map_or(0.0, |y| y[i]);
        out[i] = act.apply(v);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::super::prelu;
    use super::Channel;
    use std::arch::x86_64::*;

    /// Eight values at a time; returns how many it did (the rest are the caller's).
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA; `x` and `y`, when given, are at least `out.len()` long.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn channel(
        out: &mut [f32],
        x: Option<&[f32]>,
        y: Option<&[f32]>,
        act: Channel,
    ) -> usize {
        let zero = _mm256_setzero_ps();
        let n = out.len() / 8 * 8;
        // One pointer for reading and writing when in place: both come from `dst`.
        let dst = out.as_mut_ptr();
        let src = x.map_or(dst.cast_const(), <[f32]>::as_ptr);
        for i in (0..n).step_by(8) {
            // SAFETY: `i + 8 <= n <= out.len()`, and `x` and `y` are as long.
            unsafe {
                let add = match y {
                    Some(y) => _mm256_loadu_ps(y.as_ptr().add(i)),
                    None => zero,
                };
                let v = _mm256_add_ps(_mm256_loadu_ps(src.add(i)), add);
                let r = match act {
                    Channel::Linear => v,
                    Channel::Relu => _mm256_max_ps(v, zero),
                    Channel::Prelu(s) => prelu::x86::eight(v, _mm256_set1_ps(s)),
                };
                _mm256_storeu_ps(dst.add(i), r);
            }
        }
        n
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use super::super::prelu;
    use super::Channel;
    use std::arch::aarch64::*;

    /// Four values at a time; returns how many it did (the rest are the caller's).
    ///
    /// # Safety
    /// `x` and `y`, when given, are at least `out.len()` long.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn channel(
        out: &mut [f32],
        x: Option<&[f32]>,
        y: Option<&[f32]>,
        act: Channel,
    ) -> usize {
        let zero = vdupq_n_f32(0.0);
        let n = out.len() / 4 * 4;
        // One pointer for reading and writing when in place: both come from `dst`.
        let dst = out.as_mut_ptr();
        let src = x.map_or(dst.cast_const(), <[f32]>::as_ptr);
        for i in (0..n).step_by(4) {
            // SAFETY: `i + 4 <= n <= out.len()`, and `x` and `y` are as long.
            unsafe {
                let add = match y {
                    Some(y) => vld1q_f32(y.as_ptr().add(i)),
                    None => zero,
                };
                let v = vaddq_f32(vld1q_f32(src.add(i)), add);
                let r = match act {
                    Channel::Linear => v,
                    Channel::Relu => vmaxq_f32(v, zero),
                    Channel::Prelu(s) => prelu::arm::four(v, vdupq_n_f32(s)),
                };
                vst1q_f32(dst.add(i), r);
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::super::depthwise_op::tests::{random, run_inputs};
    use super::super::residual_op::{tests::one_tail, Then};
    use super::*;

    /// Every channel count of the models' tails and odd ones, `y` with as many channels as
    /// `x` or fewer, on square planes of 1² to 96²: the values are tract's `Pad`, `Add` and
    /// activation's, bit for bit, in place and not.
    #[test]
    fn every_path_matches_tracts_pad_add_and_activation() {
        for simd in Simd::available() {
            println!("residual: testing the {} path", simd.name());
        }
        let mut cases = 0;
        for side in [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 24, 48, 96] {
            for c in [1, 3, 7, 17, 32, 128] {
                let mut ys = vec![c, c / 2, c - 1];
                ys.retain(|&y| y > 0);
                ys.dedup();
                for cy in ys {
                    let plane = side * side;
                    let seed = (side * 1000 + c * 10 + cy) as u64;
                    let (xs, ys) = (random(c * plane, seed), random(cy * plane, seed + 1));
                    let x = Tensor::from_shape(&[1, c, side, side], &xs).unwrap();
                    let y = Tensor::from_shape(&[1, cy, side, side], &ys).unwrap();
                    let slope = random(c, 5);
                    for then in [Then::Prelu, Then::Relu, Then::Nothing] {
                        let model = one_tail(&[1, c, side, side], cy, then);
                        let (want, _) = run_inputs(model, &[&x, &y]);
                        let act = match then {
                            Then::Prelu => Activation::Prelu(&slope),
                            Then::Relu => Activation::Relu,
                            Then::Nothing => Activation::Linear,
                        };
                        for simd in Simd::available() {
                            let mut got = xs.clone();
                            residual(simd, &mut got, &ys, plane, act).unwrap();
                            let what =
                                format!("{} path, {c} + {cy} × {side}², {then:?}", simd.name());
                            assert_eq!(got, want, "in place, {what}");
                            let mut out = vec![f32::NAN; xs.len()];
                            residual_into(simd, &xs, &ys, &mut out, plane, act).unwrap();
                            assert_eq!(out, want, "{what}");
                        }
                        cases += 1;
                    }
                }
            }
        }
        println!("residual: {cases} cases on {:?}", Simd::available());
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics() {
        let simd = Simd::best();
        let act = Activation::Linear;
        assert!(residual(simd, &mut [0.0; 8], &[0.0; 3], 4, act).is_err());
        assert!(residual(simd, &mut [0.0; 8], &[0.0; 12], 4, act).is_err());
        assert!(residual(simd, &mut [0.0; 7], &[0.0; 4], 4, act).is_err());
        let two = Activation::Prelu(&[1.0, 2.0]);
        assert!(residual(simd, &mut [0.0; 12], &[0.0; 4], 4, two).is_err());
        assert!(residual_into(simd, &[0.0; 8], &[0.0; 4], &mut [0.0; 4], 4, act).is_err());
        assert!(residual(simd, &mut [], &[], 0, act).is_ok());
    }
}
