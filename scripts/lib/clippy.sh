# shellcheck shell=bash
# Lints while building. Sourced, it makes every later cargo build run clippy-driver on this
# workspace's own crates, with warnings as errors: the mechanism `cargo clippy` itself uses
# (RUSTC_WORKSPACE_WRAPPER, and the lint arguments in CLIPPY_ARGS, split on __CLIPPY_HACKERY__).
# So `cargo test --all-targets --no-run` is also `cargo clippy --all-targets -- -D warnings`,
# and CI does not compile every dependency once more in check mode just to lint. Dependencies
# are neither linted nor built differently. scripts/test and scripts/vm-test both source it, so
# their builds share artefacts (the wrapper is part of a crate's fingerprint).
if command -v rustup >/dev/null; then
    RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
else
    RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)"
fi
[ -x "$RUSTC_WORKSPACE_WRAPPER" ] || {
    echo "clippy-driver not found: rustup component add clippy" >&2
    exit 1
}
export RUSTC_WORKSPACE_WRAPPER
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
