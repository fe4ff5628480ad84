//! The CPU features tract's kernels use: SDOT (`asimddp`, the dot-product instruction its int8
//! kernels need) on ARM, AVX2 and FMA on x86. Checked against the configured precisions.

use crate::config::{Precision, Precisions};
use crate::doctor::Check;

const NAME: &str = "cpu";

/// What this CPU offers tract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Features {
    pub arch: &'static str,
    /// Feature name and whether the CPU has it, in the order printed.
    pub flags: Vec<(&'static str, bool)>,
    /// Whether the CPU has SDOT; `None` where the question does not arise (x86).
    pub sdot: Option<bool>,
}

/// Whether `/proc/cpuinfo` text lists `flag` on a `Features` (ARM) or `flags` (x86) line.
pub fn cpuinfo_has(cpuinfo: &str, flag: &str) -> bool {
    cpuinfo
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(key, _)| matches!(key.trim(), "Features" | "flags"))
        .any(|(_, flags)| flags.split_whitespace().any(|f| f == flag))
}

/// This CPU's features; `cpuinfo` is the text of `/proc/cpuinfo`.
pub fn detect(cpuinfo: &str) -> Features {
    let asimddp = cpuinfo_has(cpuinfo, "asimddp");
    #[cfg(target_arch = "aarch64")]
    {
        let dotprod = std::arch::is_aarch64_feature_detected!("dotprod");
        Features {
            arch: "aarch64",
            flags: vec![
                ("asimddp (SDOT) in /proc/cpuinfo", asimddp),
                ("dotprod", dotprod),
            ],
            sdot: Some(asimddp || dotprod),
        }
    }
    #[cfg(target_arch = "arm")]
    {
        Features {
            arch: "arm",
            flags: vec![("asimddp (SDOT) in /proc/cpuinfo", asimddp)],
            sdot: Some(asimddp),
        }
    }
    #[cfg(target_arch = "x86_64")]
    {
        let _ = asimddp;
        Features {
            arch: "x86_64",
            flags: vec![
                ("avx2", std::arch::is_x86_feature_detected!("avx2")),
                ("fma", std::arch::is_x86_feature_detected!("fma")),
            ],
            sdot: None,
        }
    }
    #[cfg(not(any(target_arch = "aarch64", target_arch = "arm", target_arch = "x86_64")))]
    {
        let _ = asimddp;
        Features {
            arch: std::env::consts::ARCH,
            flags: Vec::new(),
            sdot: None,
        }
    }
}

/// Lists the features; fails when a model is set to int8 on an ARM CPU without SDOT.
pub fn check(features: &Features, precisions: &Precisions) -> Check {
    let flags: Vec<String> = features
        .flags
        .iter()
        .map(|(name, has)| format!("{name} {}", if *has { "yes" } else { "no" }))
        .collect();
    let mut detail = format!("{}: {}", features.arch, flags.join(", "));
    if features.sdot == Some(false) {
        if let Some((model, _)) = precisions
            .iter()
            .into_iter()
            .find(|(_, p)| *p == Precision::Int8)
        {
            return Check::fail(
                NAME,
                format!("{detail}; models.precision.{model} = \"int8\", which runs slower than f32 without SDOT"),
                format!("set {model} = \"f32\" under [models.precision]"),
            );
        }
        detail.push_str("; no SDOT, so f32 is the right precision");
    } else if features.sdot == Some(true) {
        detail.push_str("; SDOT present, so tract's int8 kernels can use it: `eyeswitch bench --precision int8` shows whether int8 wins here");
    }
    detail.push_str(&format!(
        "; tract picks kernels for {}",
        crate::inference::cpu_features()
    ));
    Check::ok(NAME, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PI5: &str = "processor\t: 0\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\n";
    const PI4: &str = "processor\t: 0\nFeatures\t: fp asimd evtstrm crc32 cpuid\n";

    #[test]
    fn finds_asimddp_only_on_a_features_line() {
        assert!(cpuinfo_has(PI5, "asimddp"));
        assert!(!cpuinfo_has(PI4, "asimddp"));
        assert!(!cpuinfo_has("model name\t: asimddp\n", "asimddp"));
        assert!(cpuinfo_has("flags\t\t: fpu avx2 fma\n", "avx2"));
    }

    #[test]
    fn int8_without_sdot_fails_with_the_model_named() {
        let no_sdot = Features {
            arch: "aarch64",
            flags: vec![("asimddp (SDOT) in /proc/cpuinfo", false)],
            sdot: Some(false),
        };
        let mut precisions = Precisions::default();
        assert_eq!(
            check(&no_sdot, &precisions).status,
            crate::doctor::Status::Ok
        );
        precisions.iris_landmark = Precision::Int8;
        let c = check(&no_sdot, &precisions);
        assert_eq!(c.status, crate::doctor::Status::Fail);
        assert!(
            c.detail
                .contains("models.precision.iris_landmark = \"int8\""),
            "{c:?}"
        );
        assert_eq!(
            c.fix.as_deref(),
            Some("set iris_landmark = \"f32\" under [models.precision]")
        );
    }
}
