//! `doctor`'s checks on fake sysfs trees and files, including the all-good case that this
//! machine (no camera, no USB gadget) cannot show end to end.

use std::path::{Path, PathBuf};

use eyeswitch::capture::{CameraFormat, OfferedFormat};
use eyeswitch::config::Config;
use eyeswitch::doctor::{self, camera, hid, serial, Check, Status};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn hid_gadget_ready_passes_every_step() {
    let sys = scratch("doctor-sys-ready");
    std::fs::create_dir_all(sys.join("kernel/config/usb_gadget")).unwrap();
    std::fs::create_dir_all(sys.join("class/udc/fe980000.usb")).unwrap();
    let device = sys.join("hidg0");
    std::fs::write(&device, b"").unwrap();
    let text = format!(
        "[outputs.hid]\ndevice = {:?}\nkeys = {{ 1 = \"space\" }}\n",
        device.display().to_string()
    );
    let config = Config::parse(&text, "test.toml").unwrap();
    let checks = hid::check(config.outputs.hid.as_ref(), &sys);
    let names: Vec<&str> = checks.iter().map(|c| c.check.as_str()).collect();
    assert_eq!(names, ["hid configfs", "hid udc", "hid device"]);
    assert!(checks.iter().all(|c| c.status == Status::Ok), "{checks:?}");
    assert!(
        checks[1].detail.ends_with("class/udc: fe980000.usb"),
        "{checks:?}"
    );
    assert!(doctor::passed(&checks));
}

#[test]
fn hid_gadget_missing_pieces_each_have_a_fix() {
    let sys = scratch("doctor-sys-empty");
    let text = "[outputs.hid]\ndevice = \"/nonexistent/hidg0\"\nkeys = { 1 = \"space\" }\n";
    let config = Config::parse(text, "test.toml").unwrap();
    let checks = hid::check(config.outputs.hid.as_ref(), &sys);
    assert!(
        checks.iter().all(|c| c.status == Status::Fail),
        "{checks:?}"
    );
    assert!(checks[0]
        .fix
        .as_deref()
        .unwrap()
        .contains("modprobe libcomposite"));
    assert!(checks[1].fix.as_deref().unwrap().contains("dtoverlay=dwc2"));
    assert!(checks[2]
        .detail
        .contains("/nonexistent/hidg0 does not exist"));
    assert!(!doctor::passed(&checks));
}

#[test]
fn missing_serial_device_names_it_and_unconfigured_is_skipped() {
    let config = Config::parse("[outputs.serial]\ndevice = \"/dev/ttyUSB97\"\n", "t.toml").unwrap();
    let c = serial::check(config.outputs.serial.as_ref());
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.detail, "/dev/ttyUSB97 does not exist");
    assert!(c.fix.unwrap().contains("/dev/serial/by-id/"));
    assert_eq!(serial::check(None).status, Status::Skip);
}

#[test]
fn exit_status_follows_failures_only() {
    let ok = Check::ok("a", "fine");
    let skip = Check::skip("b", "not configured");
    let fail = Check::fail("c", "broken", "mend it");
    assert!(doctor::passed(&[ok.clone(), skip.clone()]));
    assert!(!doctor::passed(&[ok, skip, fail]));
}

#[test]
fn camera_offers_are_summarised_per_format() {
    let offer = |format, width, height, fps| OfferedFormat {
        format,
        width,
        height,
        fps,
    };
    let offers = [
        offer(CameraFormat::Mjpeg, 1280, 720, 30.0),
        offer(CameraFormat::Yuyv, 640, 480, 15.0),
        offer(CameraFormat::Yuyv, 640, 480, 30.0),
        offer(CameraFormat::Yuyv, 1280, 720, 10.0),
    ];
    assert_eq!(
        camera::summary(&offers),
        "YUYV 640x480@30 1280x720@10; MJPEG 1280x720@30"
    );
}
