//! Depthwise 3 × 3 convolution plus bias on channels-last (HWC) maps, stride 1 or 2, explicit
//! padding. On aarch64 tract's declutter leaves 20 of the iris model's depthwise convolutions
//! in this layout (PERFORMANCE.md, "Our kernels"); channels are the vector loop here.
//!
//! The input is first copied into a zero-bordered scratch map, so every output pixel reads its
//! nine taps without a bounds test. The weights are transposed to `[9, C]` once per run, so a
//! tap's weights for consecutive channels are one vector load.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::ensure;

use super::depthwise::Geometry;
use super::simd::Simd;

/// Columns of the scratch map: the pixels the outputs read.
fn padded_cols(geo: &Geometry) -> usize {
    (geo.out_w - 1) * geo.stride + 3
}

/// Length of the scratch map [`convolve`] takes for `channels`: allocate it zeroed, once.
pub fn padded_len(geo: &Geometry, channels: usize) -> usize {
    geo.padded_rows() * padded_cols(geo) * channels
}

/// Convolves `bias.len()` channels: `input` is `[in_h, in_w, C]`, `kernel` `[C, 3, 3]`, `out`
/// `[out_h, out_w, C]`. `weights` is scratch for the transposed kernel (`9 · C` values);
/// `padded` is a zeroed scratch map of [`padded_len`] values whose border stays zero from one
/// call to the next, since only its interior is written.
#[allow(clippy::too_many_arguments)]
pub fn convolve(
    simd: Simd,
    geo: &Geometry,
    input: &[f32],
    kernel: &[f32],
    bias: &[f32],
    weights: &mut [f32],
    padded: &mut [f32],
    out: &mut [f32],
) -> TractResult<()> {
    let c = bias.len();
    ensure!(
        input.len() == geo.in_h * geo.in_w * c
            && kernel.len() == c * 9
            && weights.len() == c * 9
            && out.len() == geo.out_h * geo.out_w * c,
        "channels-last depthwise 3x3 over {c} channels of {geo:?} got {} inputs, {} weights \
         ({} of scratch), {} outputs",
        input.len(),
        kernel.len(),
        weights.len(),
        out.len()
    );
    ensure!(
        padded.len() == padded_len(geo, c),
        "channels-last depthwise scratch has {} values, {geo:?} needs {}",
        padded.len(),
        padded_len(geo, c)
    );
    for (tap, row) in weights.chunks_exact_mut(c).enumerate() {
        for (ch, w) in row.iter_mut().enumerate() {
            *w = kernel[ch * 9 + tap];
        }
    }
    let cols = padded_cols(geo);
    let (rows_in, cols_in) = (
        geo.in_h.min(geo.padded_rows() - geo.pad_top),
        geo.in_w.min(cols - geo.pad_left),
    );
    for (y, row) in input.chunks_exact(geo.in_w * c).take(rows_in).enumerate() {
        let at = ((y + geo.pad_top) * cols + geo.pad_left) * c;
        padded[at..at + cols_in * c].copy_from_slice(&row[..cols_in * c]);
    }
    let map = Map {
        geo,
        channels: c,
        cols,
    };
    let done = match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Avx2Fma` is only chosen when the CPU has AVX2 and FMA (`Simd::best`), and
        // the lengths of `weights`, `padded`, `bias` and `out` were checked above.
        Simd::Avx2Fma => unsafe { x86::map(&map, weights, padded, bias, out) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON is part of every aarch64 core, and the lengths were checked above.
        Simd::Neon => unsafe { arm::map(&map, weights, padded, bias, out) },
        _ => 0,
    };
    scalar(&map, done, weights, padded, bias, out);
    Ok(())
}

/// What every path needs to find a tap: the geometry, the channels and the scratch's columns.
struct Map<'g> {
    geo: &'g Geometry,
    channels: usize,
    cols: usize,
}

impl Map<'_> {
    /// The offsets, in values, of output pixel `(oy, ox)`'s nine taps in the scratch map.
    fn taps(&self, oy: usize, ox: usize) -> [usize; 9] {
        let (s, c) = (self.geo.stride, self.channels);
        let top = oy * s * self.cols + ox * s;
        std::array::from_fn(|t| (top + (t / 3) * self.cols + t % 3) * c)
    }
}

/// The reference, and the channels a SIMD path left (from `from` on): every output is
/// `bias + Σ w·x`, taps in row-major order.
fn scalar(map: &Map, from: usize, weights: &[f32], padded: &[f32], bias: &[f32], out: &mut [f32]) {
    let c = map.channels;
    if from == c {
        return;
    }
    for (i, pixel) in out.chunks_exact_mut(c).enumerate() {
        let taps = map.taps(i / map.geo.out_w, i % map.geo.out_w);
        for ch in from..c {
            let mut acc = bias[ch];
            for (t, &at) in taps.iter().enumerate() {
                acc += weights[t * c + ch] * padded[at + ch];
            }
            pixel[ch] = acc;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Map;
    use std::arch::x86_64::*;

    /// Eight channels at a time; returns how many channels it did (the rest are the caller's).
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA; `weights` holds `9 · C` values, `bias` `C`, `padded` the
    /// scratch map of `map` and `out` `out_h · out_w · C`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn map(
        map: &Map,
        weights: &[f32],
        padded: &[f32],
        bias: &[f32],
        out: &mut [f32],
    ) -> usize {
        let c = map.channels;
        let done = c / 8 * 8;
        for (i, pixel) in out.chunks_exact_mut(c).enumerate() {
            let taps = map.taps(i / map.geo.out_w, i % map.geo.out_w);
            for ch in (0..done).step_by(8) {
                // SAFETY: `ch + 8 <= C`; each tap's offset plus `C` is within the scratch
                // map, and each tap's weights row within `weights`.
                unsafe {
                    let mut acc = _mm256_loadu_ps(bias.as_ptr().add(ch));
                    for (t, &at) in taps.iter().enumerate() {
                        let w = _mm256_loadu_ps(weights.as_ptr().add(t * c + ch));
                        let x = _mm256_loadu_ps(padded.as_ptr().add(at + ch));
                        acc = _mm256_fmadd_ps(w, x, acc);
                    }
                    _mm256_storeu_ps(pixel.as_mut_ptr().add(ch), acc);
                }
            }
        }
        done
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use super::Map;
    use std::arch::aarch64::*;

    /// Four channels at a time; returns how many channels it did (the rest are the caller's).
    ///
    /// # Safety
    /// `weights` holds `9 · C` values, `bias` `C`, `padded` the scratch map of `map` and `out`
    /// `out_h · out_w · C`.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn map(
        map: &Map,
        weights: &[f32],
        padded: &[f32],
        bias: &[f32],
        out: &mut [f32],
    ) -> usize {
        let c = map.channels;
        let done = c / 4 * 4;
        for (i, pixel) in out.chunks_exact_mut(c).enumerate() {
            let taps = map.taps(i / map.geo.out_w, i % map.geo.out_w);
            for ch in (0..done).step_by(4) {
                // SAFETY: `ch + 4 <= C`; each tap's offset plus `C` is within the scratch
                // map, and each tap's weights row within `weights`.
                unsafe {
                    let mut acc = vld1q_f32(bias.as_ptr().add(ch));
                    for (t, &at) in taps.iter().enumerate() {
                        let w = vld1q_f32(weights.as_ptr().add(t * c + ch));
                        let x = vld1q_f32(padded.as_ptr().add(at + ch));
                        acc = vfmaq_f32(acc, w, x);
                    }
                    vst1q_f32(pixel.as_mut_ptr().add(ch), acc);
                }
            }
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::super::depthwise_op::tests::{one_conv_hwc, random, run};
    use super::*;

    /// The iris model's channels-last shapes (32 and 64 channels, sides 2–32, stride 1 with 1
    /// all round, stride 2 with 1 after) and odd sides and channel counts.
    #[test]
    fn every_path_matches_tracts_depthwise_conv() {
        for simd in Simd::available() {
            println!(
                "depthwise 3x3 channels-last: testing the {} path",
                simd.name()
            );
        }
        let convs = [(1, [1; 4]), (2, [0, 0, 1, 1]), (2, [1; 4]), (1, [0; 4])];
        let mut cases = 0;
        for side in [1, 2, 3, 4, 5, 7, 8, 16, 32] {
            for (stride, pad) in convs {
                let Some(geo) = Geometry::new(side, side + 1, stride, pad) else {
                    continue;
                };
                for c in [1, 3, 4, 9, 17, 32, 64] {
                    let values = random(side * (side + 1) * c, (side * 100 + c) as u64);
                    let input = Tensor::from_shape(&[side, side + 1, c], &values).unwrap();
                    let (want, _) = run(one_conv_hwc(c, side, side + 1, stride, pad), &input);
                    let (kernel, bias) = (random(c * 9, 1), random(c, 2));
                    for simd in Simd::available() {
                        let mut weights = vec![0.0; c * 9];
                        let mut padded = vec![0.0; padded_len(&geo, c)];
                        let mut out = vec![f32::NAN; want.len()];
                        // Twice, so the second run reads a scratch map left by the first.
                        for _ in 0..2 {
                            convolve(
                                simd,
                                &geo,
                                &values,
                                &kernel,
                                &bias,
                                &mut weights,
                                &mut padded,
                                &mut out,
                            )
                            .unwrap();
                        }
                        for (i, (a, b)) in out.iter().zip(&want).enumerate() {
                            assert!(
                                (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                                "{} path, {c} × {geo:?}, output {i}: {a} against {b}",
                                simd.name()
                            );
                        }
                    }
                    cases += 1;
                }
            }
        }
        println!("depthwise 3x3 channels-last: {cases} shapes");
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics() {
        let geo = Geometry::new(4, 4, 1, [1; 4]).unwrap();
        let (mut weights, mut out) = (vec![0.0; 18], vec![0.0; 32]);
        let mut padded = vec![0.0; padded_len(&geo, 2)];
        let simd = Simd::best();
        let short = convolve(
            simd,
            &geo,
            &[0.0; 31],
            &[0.0; 18],
            &[0.0; 2],
            &mut weights,
            &mut padded,
            &mut out,
        );
        assert!(short.is_err());
        let (kernel, bias) = ([0.0; 18], [0.0; 2]);
        let mut small = [0.0; 3];
        let scratch = convolve(
            simd,
            &geo,
            &[0.0; 32],
            &kernel,
            &bias,
            &mut weights,
            &mut small,
            &mut out,
        );
        assert!(scratch.is_err());
    }
}
