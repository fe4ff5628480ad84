//! `eyeswitch run` keeps going when devices are missing at start-up: the camera and the serial
//! adapter are waited for, a status screen that cannot be opened is left out; SIGTERM still
//! ends it cleanly.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common;

#[test]
fn run_survives_missing_camera_serial_and_display() {
    let config = Path::new(env!("CARGO_TARGET_TMPDIR")).join("run-missing-devices.toml");
    let text = format!(
        "[camera]\ndevice = \"/dev/video99\"\n[models]\ndir = {:?}\n\
         [outputs.serial]\ndevice = \"/nonexistent/ttyUSB9\"\n\
         [display]\nkind = \"framebuffer\"\nfb_device = \"/dev/fb99\"\n",
        common::models_dir().display().to_string()
    );
    std::fs::write(&config, text).unwrap();
    let mut child = common::eyeswitch_command()
        .arg("run")
        .arg("--config")
        .arg(&config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut pipe = child.stderr.take().unwrap();
    let sink = Arc::clone(&stderr);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let wanted = [
        "serial /nonexistent/ttyUSB9: cannot open serial device",
        "retries in the background",
        "display: reading /sys/class/graphics/fb99/virtual_size",
        "running without the status screen",
        "camera /dev/video99: cannot open",
    ];
    // Model loading is slow under emulation.
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let seen = stderr.lock().unwrap().clone();
        if wanted.iter().all(|w| seen.contains(w)) || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let still_running = child.try_wait().unwrap().is_none();
    // SAFETY: kill only sends a signal to our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    let seen = stderr.lock().unwrap().clone();
    assert!(still_running, "run exited early:\n{seen}");
    for w in wanted {
        assert!(seen.contains(w), "missing {w:?} in:\n{seen}");
    }
    assert!(
        status.success(),
        "SIGTERM ends run cleanly: {status:?}\n{seen}"
    );
}
