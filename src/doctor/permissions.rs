//! Whether the user may read and write each device, and if not, which group would let them:
//! eyeswitch runs unprivileged, with access through the video, gpio, dialout, plugdev and i2c
//! groups that packaging/99-eyeswitch.rules gives the devices.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::doctor::Check;

/// The check for `path`, or `None` when it does not exist (its own check says so).
pub fn check(path: &Path) -> Option<Check> {
    let meta = std::fs::metadata(path).ok()?;
    let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
    let group = group_name(&groups, meta.gid());
    Some(judge(
        path,
        may_read_write(path),
        meta.mode(),
        meta.gid(),
        group,
        &user_groups(),
    ))
}

/// The verdict, from what was found: `access` is access(2)'s answer for read and write.
pub fn judge(
    path: &Path,
    access: bool,
    mode: u32,
    gid: u32,
    group: Option<&str>,
    user_gids: &[u32],
) -> Check {
    let name = format!("access {}", path.display());
    let gid_text = gid.to_string();
    let group = group.unwrap_or(&gid_text);
    let member = user_gids.contains(&gid);
    let mode = mode & 0o777;
    let you = if member {
        "you are in it"
    } else {
        "you are not in it"
    };
    if access {
        return Check::ok(
            name,
            format!(
                "{}: read and write allowed (group {group}, mode {mode:03o}; {you})",
                path.display()
            ),
        );
    }
    let detail = format!(
        "{}: no read/write access (group {group}, mode {mode:03o}; {you})",
        path.display()
    );
    if gid == 0 {
        return Check::fail(
            name,
            detail,
            "install packaging/99-eyeswitch.rules in /etc/udev/rules.d so the device gets its group (video, gpio, dialout, plugdev, i2c), then sudo udevadm trigger",
        );
    }
    if !member {
        return Check::fail(
            name,
            detail,
            format!("sudo usermod -aG {group} $USER, then log out and in again"),
        );
    }
    Check::fail(
        name,
        detail,
        "the group may not read and write it: install packaging/99-eyeswitch.rules (MODE=\"0660\"), then sudo udevadm trigger",
    )
}

/// The name of group `gid` in /etc/group text.
pub fn group_name(etc_group: &str, gid: u32) -> Option<&str> {
    etc_group.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        (id == gid).then_some(name)
    })
}

fn may_read_write(path: &Path) -> bool {
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: c_path is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c_path.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

/// The effective and supplementary group IDs of this process.
fn user_groups() -> Vec<u32> {
    // SAFETY: getgroups(0, null) only returns the count.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let mut gids = vec![0 as libc::gid_t; usize::try_from(count).unwrap_or(0)];
    // SAFETY: gids has room for `count` entries, the length passed.
    let got = unsafe { libc::getgroups(count.max(0), gids.as_mut_ptr()) };
    gids.truncate(usize::try_from(got).unwrap_or(0));
    // SAFETY: getegid cannot fail.
    gids.push(unsafe { libc::getegid() });
    gids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    const GROUPS: &str = "root:x:0:\nvideo:x:44:pi\ndialout:x:20:pi\n";

    #[test]
    fn group_names_come_from_etc_group() {
        assert_eq!(group_name(GROUPS, 44), Some("video"));
        assert_eq!(group_name(GROUPS, 20), Some("dialout"));
        assert_eq!(group_name(GROUPS, 99), None);
    }

    #[test]
    fn missing_group_membership_names_the_group_to_join() {
        let c = judge(
            Path::new("/dev/video0"),
            false,
            0o20660,
            44,
            Some("video"),
            &[1000],
        );
        assert_eq!(c.status, Status::Fail);
        assert_eq!(
            c.detail,
            "/dev/video0: no read/write access (group video, mode 660; you are not in it)"
        );
        assert_eq!(
            c.fix.as_deref(),
            Some("sudo usermod -aG video $USER, then log out and in again")
        );
    }

    #[test]
    fn root_owned_devices_need_the_udev_rule() {
        let c = judge(
            Path::new("/dev/hidg0"),
            false,
            0o600,
            0,
            Some("root"),
            &[1000],
        );
        assert!(c.fix.unwrap().contains("99-eyeswitch.rules"));
        let c = judge(
            Path::new("/dev/ttyUSB0"),
            false,
            0o640,
            20,
            Some("dialout"),
            &[20],
        );
        assert!(c.detail.contains("you are in it"), "{c:?}");
        assert!(c.fix.unwrap().contains("MODE=\"0660\""));
    }

    #[test]
    fn allowed_access_is_ok() {
        let c = judge(Path::new("/dev/gpiochip0"), true, 0o660, 997, None, &[997]);
        assert_eq!(c.status, Status::Ok);
        assert!(c.detail.contains("group 997"), "{c:?}");
    }
}
