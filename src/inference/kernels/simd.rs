//! Which instruction set our kernels run on, chosen once at run time from what the CPU has.

/// A kernel implementation. `Scalar` is the reference the others are tested against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Simd {
    /// Plain Rust: runs everywhere.
    Scalar,
    /// x86-64 with AVX2 and FMA (8 lanes).
    Avx2Fma,
    /// aarch64 NEON (4 lanes), which every aarch64 core has.
    Neon,
}

impl Simd {
    /// The fastest implementation this CPU runs.
    pub fn best() -> Simd {
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Simd::Avx2Fma;
        }
        #[cfg(target_arch = "aarch64")]
        return Simd::Neon;
        #[allow(unreachable_code)]
        Simd::Scalar
    }

    /// Every implementation this CPU runs, the scalar reference first: the tests run each.
    pub fn available() -> Vec<Simd> {
        let mut all = vec![Simd::Scalar];
        if Simd::best() != Simd::Scalar {
            all.push(Simd::best());
        }
        all
    }

    /// A short name for test output and benches.
    pub fn name(self) -> &'static str {
        match self {
            Simd::Scalar => "scalar",
            Simd::Avx2Fma => "avx2+fma",
            Simd::Neon => "neon",
        }
    }
}
