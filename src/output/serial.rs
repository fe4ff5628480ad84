//! Serial line protocol (see docs/serial-protocol.md): text `PRESS n` / `RELEASE n` lines or
//! JSON lines, with a `HELLO` on every (re)connect so the reader knows all switches are released.

use std::io::Write;
use std::time::Duration;

use serialport::SerialPort;

use crate::event::{Event, EventKind, SwitchAction};
use crate::output::{Output, OutputError};

/// What each line carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SerialMode {
    /// `PRESS n` / `RELEASE n` for switch edges only.
    Text,
    /// Every event as one JSON object per line.
    Json,
}

/// Where and how to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialSettings {
    pub device: String,
    pub baud: u32,
    pub mode: SerialMode,
    /// A write that cannot finish in this time counts as a failure (the reader stalled).
    pub write_timeout: Duration,
}

impl SerialSettings {
    /// 200 ms is far longer than a line takes at 9600 baud (about 15 ms) and short enough that a
    /// stalled reader is noticed and shutdown stays quick.
    pub fn new(device: impl Into<String>, baud: u32, mode: SerialMode) -> Self {
        Self {
            device: device.into(),
            baud,
            mode,
            write_timeout: Duration::from_millis(200),
        }
    }
}

/// The greeting sent on every connect in text mode, e.g. `HELLO eyeswitch 0.1.0`.
pub fn hello_text() -> String {
    format!("HELLO eyeswitch {}\n", env!("CARGO_PKG_VERSION"))
}

/// The greeting sent on every connect in JSON mode; it has no `t_ms`, so it is not an event.
pub fn hello_json() -> String {
    format!(
        "{{\"kind\":\"hello\",\"program\":\"eyeswitch\",\"version\":\"{}\"}}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Appends the line for `event` in `mode` to `buf`; returns false if the mode does not carry it.
pub fn encode(mode: SerialMode, event: &Event, buf: &mut Vec<u8>) -> bool {
    match mode {
        SerialMode::Text => match event.kind {
            EventKind::Switch { switch, action, .. } => {
                let verb = match action {
                    SwitchAction::Press => "PRESS",
                    SwitchAction::Release => "RELEASE",
                };
                // Writing into a Vec cannot fail.
                let _ = writeln!(buf, "{verb} {switch}");
                true
            }
            _ => false,
        },
        SerialMode::Json => {
            // Event holds only plain fields, so serialising it cannot fail.
            let ok = serde_json::to_writer(&mut *buf, event).is_ok();
            buf.push(b'\n');
            ok
        }
    }
}

/// Writes events to a serial device, reconnecting (via [`Output::recover`]) after it disappears.
pub struct SerialOutput {
    name: String,
    settings: SerialSettings,
    port: Option<Box<dyn SerialPort>>,
    /// Presses not yet released, so `release_all` can release exactly those.
    held: Vec<Event>,
    line: Vec<u8>,
}

impl SerialOutput {
    /// Opens the device and sends the greeting.
    pub fn open(settings: SerialSettings) -> Result<Self, OutputError> {
        let mut out = Self::closed(settings);
        out.connect()?;
        Ok(out)
    }

    /// Like [`SerialOutput::open`], but a device that is missing or fails to open is logged
    /// and left closed; [`crate::output::FanOut`] then reopens it with backoff, as it does after
    /// an unplug. A serial adapter plugged in after start-up must still work.
    pub fn open_or_wait(settings: SerialSettings) -> Self {
        let mut out = Self::closed(settings);
        if let Err(e) = out.connect() {
            log::warn!("{e}; eyeswitch keeps running and retries in the background");
        }
        out
    }

    fn closed(settings: SerialSettings) -> Self {
        Self {
            name: format!("serial {}", settings.device),
            settings,
            port: None,
            held: Vec::new(),
            line: Vec::new(),
        }
    }

    fn connect(&mut self) -> Result<(), OutputError> {
        self.port = None;
        let port = serialport::new(&self.settings.device, self.settings.baud)
            .timeout(self.settings.write_timeout)
            .open()
            .map_err(|source| OutputError::SerialOpen {
                output: self.name.clone(),
                device: self.settings.device.clone(),
                baud: self.settings.baud,
                source,
            })?;
        self.port = Some(port);
        let hello = match self.settings.mode {
            SerialMode::Text => hello_text(),
            SerialMode::Json => hello_json(),
        };
        self.write(hello.as_bytes())
    }

    /// Writes one whole line; any error drops the port so the next recovery reopens it.
    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputError> {
        let Some(port) = &mut self.port else {
            return Err(self.io_error(std::io::ErrorKind::NotConnected.into()));
        };
        // No flush: it waits for the reader (tcdrain) and would block on a stalled peer.
        port.write_all(bytes).map_err(|e| {
            self.port = None;
            self.io_error(e)
        })
    }

    fn io_error(&self, source: std::io::Error) -> OutputError {
        OutputError::Io {
            output: self.name.clone(),
            action: "writing to",
            path: self.settings.device.clone().into(),
            source,
            hint: "the device was unplugged or the reader stopped; eyeswitch reconnects when it returns",
        }
    }

    fn track(&mut self, event: &Event) {
        if let EventKind::Switch { switch, action, .. } = event.kind {
            self.held.retain(|held| !same_switch(held, switch));
            if action == SwitchAction::Press {
                self.held.push(*event);
            }
        }
    }
}

fn same_switch(event: &Event, number: u8) -> bool {
    matches!(event.kind, EventKind::Switch { switch, .. } if switch == number)
}

impl Output for SerialOutput {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        let result = if encode(self.settings.mode, event, &mut line) {
            self.write(&line)
        } else {
            Ok(())
        };
        self.line = line;
        result?;
        self.track(event);
        Ok(())
    }

    fn recover(&mut self) -> Result<(), OutputError> {
        self.connect()
    }

    fn is_connected(&self) -> bool {
        self.port.is_some()
    }

    /// Sends a release for every switch still pressed.
    fn release_all(&mut self) -> Result<(), OutputError> {
        while let Some(press) = self.held.last().copied() {
            let mut release = press;
            if let EventKind::Switch { action, .. } = &mut release.kind {
                *action = SwitchAction::Release;
            }
            self.send(&release)?;
        }
        Ok(())
    }
}
