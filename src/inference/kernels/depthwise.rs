//! Depthwise 3 × 3 convolution plus bias on NCHW planes, stride 1 or 2, explicit padding: the
//! op behind a third of every model's time (PERFORMANCE.md).
//!
//! Each channel's plane is first copied into a zero-bordered scratch plane, so every output
//! row is one branch-free run of vectors along W (tract's layout here is NCHW, where W is the
//! contiguous axis; channels are the outer loop). The scratch rows are wide enough for a whole
//! last vector, whose extra lanes read zeros and are not stored.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::ensure;

use super::simd::Simd;

/// Lanes of the widest vector (AVX2); row pitches are sized for it on every path.
const LANES: usize = 8;

/// The shape of one channel's convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Geometry {
    pub in_h: usize,
    pub in_w: usize,
    pub out_h: usize,
    pub out_w: usize,
    pub stride: usize,
    pub pad_top: usize,
    pub pad_left: usize,
}

impl Geometry {
    /// The geometry of an `in_h × in_w` plane with `stride` and padding `[top, left, bottom,
    /// right]`, or `None` when the kernel does not cover it (a stride other than 1 or 2, or a
    /// padded map smaller than the kernel).
    pub fn new(in_h: usize, in_w: usize, stride: usize, pad: [usize; 4]) -> Option<Geometry> {
        let [top, left, bottom, right] = pad;
        let (h, w) = (in_h + top + bottom, in_w + left + right);
        if !(1..=2).contains(&stride) || h < 3 || w < 3 || in_h == 0 || in_w == 0 {
            return None;
        }
        Some(Geometry {
            in_h,
            in_w,
            out_h: (h - 3) / stride + 1,
            out_w: (w - 3) / stride + 1,
            stride,
            pad_top: top,
            pad_left: left,
        })
    }

    /// Row pitch of the scratch plane: the last vector of a row reads up to here.
    fn pitch(&self) -> usize {
        self.stride * self.out_w.next_multiple_of(LANES) + 2
    }

    /// Rows of the scratch plane: the rows the outputs read.
    pub(super) fn padded_rows(&self) -> usize {
        (self.out_h - 1) * self.stride + 3
    }

    /// Length of the scratch plane [`convolve`] takes: allocate it zeroed, once.
    pub fn padded_len(&self) -> usize {
        self.padded_rows() * self.pitch()
    }
}

/// Convolves `bias.len()` channels: `input` is `[C, in_h, in_w]`, `kernel` `[C, 3, 3]`, `out`
/// `[C, out_h, out_w]`. `padded` is a zeroed scratch plane of [`Geometry::padded_len`] values;
/// only its interior is written, so its border stays zero from one call to the next.
pub fn convolve(
    simd: Simd,
    geo: &Geometry,
    input: &[f32],
    kernel: &[f32],
    bias: &[f32],
    padded: &mut [f32],
    out: &mut [f32],
) -> TractResult<()> {
    let c = bias.len();
    let (plane_in, plane_out) = (geo.in_h * geo.in_w, geo.out_h * geo.out_w);
    ensure!(
        input.len() == c * plane_in && kernel.len() == c * 9 && out.len() == c * plane_out,
        "depthwise 3x3 over {c} channels of {geo:?} got {} inputs, {} weights, {} outputs",
        input.len(),
        kernel.len(),
        out.len()
    );
    ensure!(
        padded.len() == geo.padded_len(),
        "depthwise scratch has {} values, {geo:?} needs {}",
        padded.len(),
        geo.padded_len()
    );
    let pitch = geo.pitch();
    let (rows, cols) = (
        geo.in_h.min(geo.padded_rows() - geo.pad_top),
        geo.in_w.min(pitch - geo.pad_left),
    );
    for ch in 0..c {
        let src = &input[ch * plane_in..][..plane_in];
        for (y, row) in src.chunks_exact(geo.in_w).take(rows).enumerate() {
            let at = (y + geo.pad_top) * pitch + geo.pad_left;
            padded[at..at + cols].copy_from_slice(&row[..cols]);
        }
        let mut w = [0.0; 9];
        w.copy_from_slice(&kernel[ch * 9..][..9]);
        let dst = &mut out[ch * plane_out..][..plane_out];
        plane(simd, geo, padded, &w, bias[ch], dst);
    }
    Ok(())
}

/// One channel from its scratch plane; the lengths were checked by [`convolve`].
fn plane(simd: Simd, geo: &Geometry, padded: &[f32], w: &[f32; 9], bias: f32, out: &mut [f32]) {
    let (pitch, out_w) = (geo.pitch(), geo.out_w);
    match (simd, geo.stride) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Avx2Fma` is only chosen when the CPU has AVX2 and FMA (`Simd::best`), and
        // `convolve` checked that `padded` holds `padded_rows` rows of `pitch`.
        (Simd::Avx2Fma, 1) => unsafe { x86::plane::<1>(padded, pitch, w, bias, out, out_w) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        (Simd::Avx2Fma, _) => unsafe { x86::plane::<2>(padded, pitch, w, bias, out, out_w) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: NEON is part of every aarch64 core, and `convolve` checked that `padded`
        // holds `padded_rows` rows of `pitch`.
        (Simd::Neon, 1) => unsafe { arm::plane::<1>(padded, pitch, w, bias, out, out_w) },
        #[cfg(target_arch = "aarch64")]
        // SAFETY: as above.
        (Simd::Neon, _) => unsafe { arm::plane::<2>(padded, pitch, w, bias, out, out_w) },
        _ => scalar(padded, pitch, geo.stride, w, bias, out, out_w),
    }
}

/// The reference: every output is `bias + Σ w·x`, taps in row-major order.
fn scalar(
    padded: &[f32],
    pitch: usize,
    stride: usize,
    w: &[f32; 9],
    bias: f32,
    out: &mut [f32],
    out_w: usize,
) {
    for (oy, row) in out.chunks_exact_mut(out_w).enumerate() {
        let top = oy * stride * pitch;
        for (ox, o) in row.iter_mut().enumerate() {
            let mut acc = bias;
            for ky in 0..3 {
                let x = &padded[top + ky * pitch + ox * stride..][..3];
                for kx in 0..3 {
                    acc += w[ky * 3 + kx] * x[kx];
                }
            }
            *o = acc;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Evens and odds of the 16 floats `lo ++ hi`: a stride-2 row's taps 0 and 1.
    #[target_feature(enable = "avx2")]
    fn deinterleave(lo: __m256, hi: __m256) -> (__m256, __m256) {
        // Per 128-bit lane: [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6]; the 64-bit pairs then go
        // back in order.
        let order = |v: __m256| {
            _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(v)))
        };
        (
            order(_mm256_shuffle_ps::<0b10_00_10_00>(lo, hi)),
            order(_mm256_shuffle_ps::<0b11_01_11_01>(lo, hi)),
        )
    }

    /// One channel, eight outputs at a time.
    ///
    /// # Safety
    /// The CPU has AVX2 and FMA; `padded` holds `(out.len() / out_w - 1) * S + 3` rows of
    /// `pitch = S * out_w.next_multiple_of(8) + 2` values.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn plane<const S: usize>(
        padded: &[f32],
        pitch: usize,
        w: &[f32; 9],
        bias: f32,
        out: &mut [f32],
        out_w: usize,
    ) {
        let w = w.map(|v| _mm256_set1_ps(v));
        let mut last = [0.0f32; 8];
        for (oy, row) in out.chunks_exact_mut(out_w).enumerate() {
            let top = padded[oy * S * pitch..].as_ptr();
            for ox in (0..out_w).step_by(8) {
                let mut acc = _mm256_set1_ps(bias);
                for ky in 0..3 {
                    // SAFETY: the last vector's reads end at `S * (ox + 8) + 2 <= pitch`
                    // values into row `oy * S + ky`, which the scratch plane holds.
                    let (a, b, c) = unsafe {
                        let p = top.add(ky * pitch + ox * S);
                        if S == 1 {
                            (
                                _mm256_loadu_ps(p),
                                _mm256_loadu_ps(p.add(1)),
                                _mm256_loadu_ps(p.add(2)),
                            )
                        } else {
                            let (a, b) =
                                deinterleave(_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8)));
                            let (c, _) =
                                deinterleave(_mm256_loadu_ps(p.add(2)), _mm256_loadu_ps(p.add(10)));
                            (a, b, c)
                        }
                    };
                    acc = _mm256_fmadd_ps(w[ky * 3], a, acc);
                    acc = _mm256_fmadd_ps(w[ky * 3 + 1], b, acc);
                    acc = _mm256_fmadd_ps(w[ky * 3 + 2], c, acc);
                }
                let n = (out_w - ox).min(8);
                if n == 8 {
                    // SAFETY: `ox + 8 <= out_w`, the row's length.
                    unsafe { _mm256_storeu_ps(row.as_mut_ptr().add(ox), acc) };
                } else {
                    // SAFETY: `last` holds eight floats.
                    unsafe { _mm256_storeu_ps(last.as_mut_ptr(), acc) };
                    row[ox..].copy_from_slice(&last[..n]);
                }
            }
        }
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use std::arch::aarch64::*;

    /// One channel, four outputs at a time.
    ///
    /// # Safety
    /// `padded` holds `(out.len() / out_w - 1) * S + 3` rows of
    /// `pitch = S * out_w.next_multiple_of(8) + 2` values.
    #[target_feature(enable = "neon")]
    pub(super) unsafe fn plane<const S: usize>(
        padded: &[f32],
        pitch: usize,
        w: &[f32; 9],
        bias: f32,
        out: &mut [f32],
        out_w: usize,
    ) {
        let w = w.map(|v| vdupq_n_f32(v));
        let mut last = [0.0f32; 4];
        for (oy, row) in out.chunks_exact_mut(out_w).enumerate() {
            let top = padded[oy * S * pitch..].as_ptr();
            for ox in (0..out_w).step_by(4) {
                let mut acc = vdupq_n_f32(bias);
                for ky in 0..3 {
                    // SAFETY: the last vector's reads end at `S * (ox + 4) + 2 <= pitch`
                    // values into row `oy * S + ky`, which the scratch plane holds.
                    let (a, b, c) = unsafe {
                        let p = top.add(ky * pitch + ox * S);
                        if S == 1 {
                            (vld1q_f32(p), vld1q_f32(p.add(1)), vld1q_f32(p.add(2)))
                        } else {
                            let ab = vld2q_f32(p);
                            (ab.0, ab.1, vld2q_f32(p.add(2)).0)
                        }
                    };
                    acc = vfmaq_f32(acc, w[ky * 3], a);
                    acc = vfmaq_f32(acc, w[ky * 3 + 1], b);
                    acc = vfmaq_f32(acc, w[ky * 3 + 2], c);
                }
                let n = (out_w - ox).min(4);
                if n == 4 {
                    // SAFETY: `ox + 4 <= out_w`, the row's length.
                    unsafe { vst1q_f32(row.as_mut_ptr().add(ox), acc) };
                } else {
                    // SAFETY: `last` holds four floats.
                    unsafe { vst1q_f32(last.as_mut_ptr(), acc) };
                    row[ox..].copy_from_slice(&last[..n]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::depthwise_op::tests::{one_conv, random, run};
    use super::*;

    /// Every map side, stride and padding of the four models' depthwise convolutions (sides
    /// 2–96; stride 1 with 1 all round, stride 2 with 1 after), odd sides and 1 × 1, each with
    /// odd and real channel counts.
    #[test]
    fn every_path_matches_tracts_depthwise_conv() {
        let sides = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 24, 32, 48, 64, 96];
        let convs = [(1, [1; 4]), (2, [0, 0, 1, 1]), (2, [1; 4]), (1, [0; 4])];
        let mut cases = 0;
        for simd in Simd::available() {
            println!("depthwise 3x3: testing the {} path", simd.name());
        }
        for side in sides {
            for (stride, pad) in convs {
                let Some(geo) = Geometry::new(side, side + 1, stride, pad) else {
                    continue;
                };
                for c in [1, 3, 7, 17, 32] {
                    let n = c * side * (side + 1);
                    let values = random(n, (side * 100 + c) as u64);
                    let input = Tensor::from_shape(&[1, c, side, side + 1], &values).unwrap();
                    let (want, ops) = run(one_conv(c, side, side + 1, stride, pad), &input);
                    // One channel is a plain convolution to tract: it is still tract's value.
                    assert!(
                        c == 1 || ops.iter().any(|o| o == "DepthWiseConv"),
                        "{ops:?}"
                    );
                    let (kernel, bias) = (random(c * 9, 1), random(c, 2));
                    for simd in Simd::available() {
                        let mut padded = vec![0.0; geo.padded_len()];
                        let mut out = vec![f32::NAN; want.len()];
                        // Twice, so the second run reads a scratch plane left by the first.
                        for _ in 0..2 {
                            convolve(simd, &geo, &values, &kernel, &bias, &mut padded, &mut out)
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
        println!("depthwise 3x3: {cases} shapes on {:?}", Simd::available());
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics() {
        let geo = Geometry::new(4, 4, 1, [1; 4]).unwrap();
        let mut padded = vec![0.0; geo.padded_len()];
        let mut out = vec![0.0; 16];
        let err = convolve(
            Simd::best(),
            &geo,
            &[0.0; 15],
            &[0.0; 9],
            &[0.0],
            &mut padded,
            &mut out,
        );
        assert!(err.is_err());
        let err = convolve(
            Simd::best(),
            &geo,
            &[0.0; 16],
            &[0.0; 9],
            &[0.0],
            &mut [0.0; 3],
            &mut out,
        );
        assert!(err.is_err());
    }
}
