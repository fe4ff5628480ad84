//! The camera: the device exists, opens, and offers a format eyeswitch can use.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::io::ErrorKind;
use std::path::Path;

use crate::capture::{choose_format, probe_formats, CameraFormat, OfferedFormat, Wanted};
use crate::doctor::Check;

const NAME: &str = "camera";

pub fn check(device: &Path, wanted: &Wanted) -> Check {
    if !device.exists() {
        return Check::fail(
            NAME,
            format!("{} does not exist", device.display()),
            "plug in a UVC camera; `ls /dev/video*` lists the cameras the kernel sees (set [camera] device to one); check you are in the video group (`id`)",
        );
    }
    let offers = match probe_formats(device, wanted) {
        Ok(offers) => offers,
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {
            return Check::fail(
                NAME,
                format!("{}: {e}", device.display()),
                "add the user to the video group: sudo usermod -aG video $USER, then log in again",
            )
        }
        Err(e) => {
            return Check::fail(
                NAME,
                format!("{}: cannot open or list its formats: {e}", device.display()),
                "a camera has several /dev/video* nodes and only one captures: `v4l2-ctl --list-devices` shows them; check no other program uses it (`fuser /dev/video*`)",
            )
        }
    };
    let Some(choice) = choose_format(&offers, wanted) else {
        return Check::fail(
            NAME,
            format!("{} offers neither YUYV nor MJPEG", device.display()),
            "use a UVC webcam: they all offer YUYV; `v4l2-ctl --list-formats-ext` shows what this one offers",
        );
    };
    Check::ok(
        NAME,
        format!(
            "{} offers {}; run would use {:?} {}x{} at {:.0} fps (asked for {}x{} at {:.0} fps)",
            device.display(),
            summary(&offers),
            choice.format,
            choice.width,
            choice.height,
            choice.fps,
            wanted.width,
            wanted.height,
            wanted.fps
        ),
    )
}

/// Each format's sizes with their highest rate, e.g. `YUYV 640x480@30 1280x720@10`.
pub fn summary(offers: &[OfferedFormat]) -> String {
    let mut best: BTreeMap<(u8, u32, u32), f64> = BTreeMap::new();
    for o in offers {
        let rank = match o.format {
            CameraFormat::Yuyv => 0,
            CameraFormat::Mjpeg => 1,
        };
        let fps = best.entry((rank, o.width, o.height)).or_insert(0.0);
        *fps = fps.max(o.fps);
    }
    let mut out = String::new();
    let mut last_rank = None;
    for ((rank, w, h), fps) in best {
        if last_rank != Some(rank) {
            let sep = if last_rank.is_some() { "; " } else { "" };
            let name = if rank == 0 { "YUYV" } else { "MJPEG" };
            let _ = write!(out, "{sep}{name}");
            last_rank = Some(rank);
        }
        let _ = write!(out, " {w}x{h}@{fps:.0}");
    }
    out
}
