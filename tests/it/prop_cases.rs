//! How many cases each property test runs: few enough for CI (the tests also run under
//! qemu-aarch64), more when asked with `EYESWITCH_PROPTEST_CASES=N`.

use proptest::test_runner::Config;

/// The default case count: a few seconds natively for all property tests together.
const DEFAULT_CASES: u32 = 128;

/// A proptest config with `$EYESWITCH_PROPTEST_CASES` cases (default 128), and no failure
/// persistence files written into the source tree: a failing case is printed in full instead.
pub fn config() -> Config {
    let cases = std::env::var("EYESWITCH_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// `config()` with a fraction of its cases, for properties whose cases are slow (each runs a
/// whole decode or replay).
pub fn scaled(divisor: u32) -> Config {
    let base = config();
    Config {
        cases: (base.cases / divisor).max(1),
        ..base
    }
}
