//! `eyeswitch gadget` runs before every service start, so without `[outputs.hid]` it must
//! succeed without touching configfs, and with it, fail with a message that says what to fix.
//! Binding for real is covered by scripts/vm-test (dummy_hcd).

use std::path::{Path, PathBuf};

use crate::common;

fn config(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn gadget_without_hid_output_does_nothing() {
    let path = config("gadget-none.toml", "[outputs.stdout]\n");
    let out = common::eyeswitch_command()
        .args(["gadget", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no [outputs.hid]"), "{stdout}");
}

#[test]
fn gadget_without_configfs_says_what_to_do() {
    if Path::new("/sys/kernel/config/usb_gadget").exists() {
        eprintln!("SKIPPED: this machine has configfs gadgets; the VM tier tests binding");
        return;
    }
    let path = config(
        "gadget-hid.toml",
        "[outputs.hid]\ndevice = \"/dev/hidg0\"\nkeys = { 1 = \"space\" }\n",
    );
    let out = common::eyeswitch_command()
        .args(["gadget", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gadget") && stderr.contains("dtoverlay=dwc2"),
        "{stderr}"
    );
}
