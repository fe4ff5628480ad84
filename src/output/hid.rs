//! USB HID keyboard output: switch N presses and releases a key through `/dev/hidgN`.
//!
//! Reports are the 8-byte boot keyboard report `[modifiers, reserved, key1..key6]`, which every
//! host (iOS Switch Control, Windows, AAC software) accepts without a driver.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use crate::event::{Event, EventKind, SwitchAction};
use crate::output::hid_keys::{ENTER, SPACE};
use crate::output::{Output, OutputError};

/// Bytes in a boot keyboard report.
pub const REPORT_LEN: usize = 8;
/// Key slots in a boot keyboard report (bytes 2..8).
const SLOTS: usize = 6;
/// The first key slot; byte 0 holds modifiers and byte 1 is reserved.
const FIRST_SLOT: usize = 2;

/// How long to retry a report while the host is not polling (the gadget returns EAGAIN).
/// A host polls a keyboard every 1–10 ms; 100 ms covers a busy host without stalling shutdown.
const WRITE_PATIENCE: Duration = Duration::from_millis(100);
/// Pause between retries of a report the gadget could not take.
const WRITE_RETRY: Duration = Duration::from_millis(2);

/// One boot keyboard report.
pub type Report = [u8; REPORT_LEN];

/// Which key each switch sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    keys: Vec<(u8, u8)>,
}

impl Default for KeyMap {
    /// Switch 1 → Space, switch 2 → Enter (see [`SPACE`]); iOS Switch Control learns any key.
    fn default() -> Self {
        Self {
            keys: vec![(1, SPACE), (2, ENTER)],
        }
    }
}

impl KeyMap {
    /// `(switch number, usage ID)` pairs; see [`crate::output::hid_keys::usage`].
    pub fn new(keys: Vec<(u8, u8)>) -> Self {
        Self { keys }
    }

    /// The usage ID for `switch`, if it has one.
    pub fn key(&self, switch: u8) -> Option<u8> {
        self.keys
            .iter()
            .find(|(s, _)| *s == switch)
            .map(|&(_, k)| k)
    }
}

/// The keys currently held, as the host sees them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keyboard {
    report: Report,
}

impl Keyboard {
    /// Adds `key` and returns the new report; a seventh key is ignored (six-key rollover).
    pub fn press(&mut self, key: u8) -> Report {
        let slots = &mut self.report[FIRST_SLOT..];
        if !slots.contains(&key) {
            if let Some(free) = slots.iter_mut().find(|k| **k == 0) {
                *free = key;
            }
        }
        self.report
    }

    /// Removes `key`, keeping the other held keys packed at the front, and returns the report.
    pub fn release(&mut self, key: u8) -> Report {
        let mut kept = [0u8; SLOTS];
        let held = self.report[FIRST_SLOT..]
            .iter()
            .filter(|&&k| k != 0 && k != key);
        for (slot, &k) in kept.iter_mut().zip(held) {
            *slot = k;
        }
        self.report[FIRST_SLOT..].copy_from_slice(&kept);
        self.report
    }

    /// Releases every key: the all-zero report.
    pub fn release_all(&mut self) -> Report {
        self.report = [0; REPORT_LEN];
        self.report
    }
}

/// Writes key reports to a HID gadget device such as `/dev/hidg0`.
pub struct HidOutput {
    name: String,
    path: PathBuf,
    file: Option<File>,
    keymap: KeyMap,
    keyboard: Keyboard,
}

impl HidOutput {
    /// Opens `path` (non-blocking, so an unplugged host cannot hang the worker).
    pub fn open(path: impl AsRef<Path>, keymap: KeyMap) -> Result<Self, OutputError> {
        let path = path.as_ref().to_owned();
        let mut out = Self {
            name: format!("hid {}", path.display()),
            path,
            file: None,
            keymap,
            keyboard: Keyboard::default(),
        };
        out.reopen()?;
        Ok(out)
    }

    fn reopen(&mut self) -> Result<(), OutputError> {
        self.file = None;
        let file = OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.path)
            .map_err(|e| self.error("opening", e))?;
        self.file = Some(file);
        Ok(())
    }

    fn write(&mut self, report: &Report) -> Result<(), OutputError> {
        let Some(file) = &mut self.file else {
            return Err(self.error("writing to", ErrorKind::NotConnected.into()));
        };
        let give_up = Instant::now() + WRITE_PATIENCE;
        loop {
            match file.write_all(report) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < give_up => {
                    thread::sleep(WRITE_RETRY);
                }
                Err(e) => {
                    self.file = None;
                    return Err(self.error("writing to", e));
                }
            }
        }
    }

    fn error(&self, action: &'static str, source: std::io::Error) -> OutputError {
        OutputError::Io {
            output: self.name.clone(),
            action,
            path: self.path.clone(),
            source,
            hint: "check that the USB gadget is bound (OTG port connected to the host) and that \
                   the user may write the device",
        }
    }
}

impl Output for HidOutput {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        let EventKind::Switch { switch, action, .. } = event.kind else {
            return Ok(());
        };
        let Some(key) = self.keymap.key(switch) else {
            log::debug!("{}: no key for switch {switch}", self.name);
            return Ok(());
        };
        let report = match action {
            SwitchAction::Press => self.keyboard.press(key),
            SwitchAction::Release => self.keyboard.release(key),
        };
        self.write(&report)
    }

    fn recover(&mut self) -> Result<(), OutputError> {
        self.reopen()
    }

    fn release_all(&mut self) -> Result<(), OutputError> {
        let report = self.keyboard.release_all();
        self.write(&report)
    }
}
