//! `eyeswitch gadget`: registers the USB keyboard gadget as root before `run` starts, since
//! configfs needs root and the service itself runs as the unprivileged `eyeswitch` user.

use std::io::Write;
use std::path::Path;

use crate::config::{Config, ConfigError};
use crate::output::hid_gadget::{bind_keyboard_gadget, remove_keyboard_gadget};
use crate::output::OutputError;

/// What can stop `gadget`.
#[derive(Debug, thiserror::Error)]
pub enum GadgetError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Gadget(#[from] OutputError),
    #[error("cannot write to stdout: {0}")]
    Stdout(#[from] std::io::Error),
}

/// Replaces any earlier eyeswitch gadget with a fresh one and leaves it bound (or only
/// removes it, with `remove`). Does nothing when the config has no `[outputs.hid]`, so the
/// service can always run it first.
pub fn run(config_path: Option<&Path>, remove: bool) -> Result<(), GadgetError> {
    if remove {
        let message = if remove_keyboard_gadget()? {
            "removed the eyeswitch keyboard gadget"
        } else {
            "no eyeswitch keyboard gadget was registered"
        };
        writeln!(std::io::stdout(), "{message}")?;
        return Ok(());
    }
    let config = Config::load_or_default(config_path)?;
    let Some(hid) = &config.outputs.hid else {
        writeln!(
            std::io::stdout(),
            "{} has no [outputs.hid]: no keyboard gadget needed",
            config.origin
        )?;
        return Ok(());
    };
    remove_keyboard_gadget()?;
    let device = bind_keyboard_gadget(&serial_number())?.persist()?;
    writeln!(
        std::io::stdout(),
        "keyboard gadget bound: reports go to {}",
        device.display()
    )?;
    if device != hid.device {
        log::warn!(
            "the gadget's report device is {} but [outputs.hid] device in {} is {}: set it to {}",
            device.display(),
            config.origin,
            hid.device.display(),
            device.display()
        );
    }
    Ok(())
}

/// The host tells gadgets apart by serial number; the machine id keeps it stable per board.
fn serial_number() -> String {
    std::fs::read_to_string("/etc/machine-id")
        .ok()
        .and_then(|id| id.get(..12).map(str::to_owned))
        .unwrap_or_else(|| "eyeswitch".into())
}
