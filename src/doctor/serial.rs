//! The serial device, if configured: it exists and opens for reading and writing.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::config::SerialConfig;
use crate::doctor::Check;

const NAME: &str = "serial";

pub fn check(serial: Option<&SerialConfig>) -> Check {
    let Some(serial) = serial else {
        return Check::skip(NAME, "no [outputs.serial] in the config");
    };
    let path = Path::new(&serial.device);
    if !path.exists() {
        return Check::fail(
            NAME,
            format!("{} does not exist", path.display()),
            "plug in the USB serial adapter (`ls /dev/serial/by-id/` gives a name that survives replugging) and set [outputs.serial] device; meanwhile `run` keeps retrying",
        );
    }
    // O_NONBLOCK: a port waiting for carrier must not hang the check; O_NOCTTY: never become
    // the doctor's controlling terminal.
    let opened = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path);
    match opened {
        Ok(_) => Check::ok(
            NAME,
            format!(
                "{} opens for reading and writing ({} baud, {:?} mode)",
                path.display(),
                serial.baud,
                serial.mode
            ),
        ),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => Check::fail(
            NAME,
            format!("{}: {e}", path.display()),
            "add the user to the dialout group: sudo usermod -aG dialout $USER, then log in again",
        ),
        Err(e) => Check::fail(
            NAME,
            format!("{}: cannot open: {e}", path.display()),
            format!(
                "check that no other program holds it (`fuser {}`) and that it is a serial port",
                path.display()
            ),
        ),
    }
}
