//! Which gaze profile `run` would use, and whether it can detect every direction a switch is
//! mapped to: a `gaze_up` switch on a profile that cannot see "up" would never fire.

use std::path::Path;

use crate::config::SwitchConfig;
use crate::doctor::Check;
use crate::event::{GazeRegion, Gesture};
use crate::profile::{self, ProfileSource};

/// The profile check, then one warning per gaze switch the profile in use cannot serve.
/// Warnings leave the exit status alone: the switch still runs, that gesture just never fires.
pub fn check(path: &Path, switches: &[SwitchConfig]) -> Vec<Check> {
    let loaded = profile::resolve(path);
    let mut checks = vec![match &loaded.source {
        ProfileSource::Unusable(why) => Check::warn(
            "gaze profile",
            format!("{why}; run would use the default profile"),
            "run `eyeswitch calibrate` to write a new one, or delete the file",
        ),
        _ => Check::ok(
            "gaze profile",
            format!("run would use {}", loaded.describe()),
        ),
    }];
    let in_use = loaded.in_use();
    for s in switches {
        let Some(region) = region(s.gesture) else {
            continue;
        };
        if in_use.is_some_and(|p| p.detects(region)) {
            continue;
        }
        let which = match &loaded.source {
            ProfileSource::File(p) => format!("the profile {}", p.display()),
            _ => "the default profile".to_owned(),
        };
        checks.push(Check::warn(
            format!("switch {}", s.number),
            format!(
                "{} relies on looking {}, which {which} cannot detect: it will never fire",
                s.gesture.name(),
                region.name()
            ),
            "run `eyeswitch calibrate` with the person (it measures every direction), or map \
             another gesture",
        ));
    }
    checks
}

fn region(gesture: Gesture) -> Option<GazeRegion> {
    Some(match gesture {
        Gesture::GazeLeft => GazeRegion::Left,
        Gesture::GazeRight => GazeRegion::Right,
        Gesture::GazeUp => GazeRegion::Up,
        Gesture::GazeDown => GazeRegion::Down,
        _ => return None,
    })
}
