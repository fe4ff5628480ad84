//! The USB HID keyboard gadget, if HID output is configured: configfs is mounted with
//! libcomposite loaded, the board has a USB device controller, and `/dev/hidgN` is writable.

use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::config::HidConfig;
use crate::doctor::Check;

/// Where configfs keeps gadgets, under the sysfs root.
const GADGETS: &str = "kernel/config/usb_gadget";
/// Where the kernel lists USB device controllers, under the sysfs root.
const UDCS: &str = "class/udc";

/// `sys` is the sysfs root, `/sys` outside tests.
pub fn check(hid: Option<&HidConfig>, sys: &Path) -> Vec<Check> {
    let Some(hid) = hid else {
        return vec![Check::skip("hid", "no [outputs.hid] in the config")];
    };
    vec![configfs(sys), udc(sys), device(&hid.device)]
}

fn configfs(sys: &Path) -> Check {
    let path = sys.join(GADGETS);
    if path.is_dir() {
        return Check::ok("hid configfs", format!("{} exists", path.display()));
    }
    Check::fail(
        "hid configfs",
        format!(
            "{} is missing: configfs is not mounted or libcomposite is not loaded",
            path.display()
        ),
        "sudo modprobe libcomposite (add it to /etc/modules to keep it), and if /sys/kernel/config is empty: sudo mount -t configfs none /sys/kernel/config",
    )
}

fn udc(sys: &Path) -> Check {
    let path = sys.join(UDCS);
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    if names.is_empty() {
        return Check::fail(
            "hid udc",
            format!("no USB device controller in {}", path.display()),
            "put the OTG port in peripheral mode (Raspberry Pi: dtoverlay=dwc2,dr_mode=peripheral in /boot/firmware/config.txt, then reboot); the board profile's advice names the port",
        );
    }
    Check::ok(
        "hid udc",
        format!("{}: {}", path.display(), names.join(", ")),
    )
}

fn device(path: &Path) -> Check {
    if !path.exists() {
        return Check::fail(
            "hid device",
            format!("{} does not exist: the keyboard gadget is not bound", path.display()),
            "bind the gadget (as root, once configfs and a UDC are present) and connect the OTG port to the host; `ls /dev/hidg*` shows it",
        );
    }
    // Non-blocking, as the output opens it: an unplugged host must not hang the check.
    match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(_) => Check::ok("hid device", format!("{} opens for writing", path.display())),
        Err(e) => Check::fail(
            "hid device",
            format!("{}: cannot open for writing: {e}", path.display()),
            "install packaging/99-eyeswitch.rules (gives hidg* to the plugdev group) and add the user to plugdev: sudo usermod -aG plugdev $USER",
        ),
    }
}
