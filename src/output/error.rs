//! The one error type shared by all outputs.

use std::io;
use std::path::PathBuf;

/// Why an output could not deliver; every message names the output or device at fault.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A device write or open failed.
    #[error("{output}: {action} {}: {source}; {hint}", path.display())]
    Io {
        output: String,
        action: &'static str,
        path: PathBuf,
        source: io::Error,
        hint: &'static str,
    },
    /// The serial port could not be opened or configured.
    #[error("{output}: cannot open serial device {device} at {baud} baud: {source}; check the cable, the device path and that the user is in the dialout group")]
    SerialOpen {
        output: String,
        device: String,
        baud: u32,
        source: serialport::Error,
    },
    /// The GPIO chip could not be opened: no line offset is at fault yet.
    #[error("{output}: cannot open GPIO chip {}: {detail}; check [outputs.gpio] chip against `ls /dev/gpiochip*` and the board profile, and that the user is in the gpio group", chip.display())]
    GpioChip {
        output: String,
        chip: PathBuf,
        detail: String,
    },
    /// A GPIO line could not be requested or driven.
    #[error("{output}: GPIO line {line} on {}: {detail}; check the line offset in the board profile and that the user is in the gpio group", chip.display())]
    Gpio {
        output: String,
        chip: PathBuf,
        line: u32,
        detail: String,
    },
    /// A GPIO pin double or driver reported an error while driving switch `switch`.
    #[error("{output}: driving the line of switch {switch} failed: {detail}")]
    Pin {
        output: String,
        switch: u8,
        detail: String,
    },
    /// Setting up the USB HID gadget through configfs failed.
    #[error("USB HID gadget: {step}: {source}; {hint}")]
    Gadget {
        step: &'static str,
        source: io::Error,
        hint: &'static str,
    },
    /// The worker thread for an output could not be started.
    #[error("{output}: cannot start its worker thread: {source}")]
    Spawn { output: String, source: io::Error },
    /// A failure made on purpose by [`crate::output::FaultInjector`].
    #[error("{output}: injected fault")]
    Injected { output: String },
}
