//! GPIO switch lines: a press drives a line active, a release drives it inactive.
//!
//! Generic over embedded-hal's [`OutputPin`] so the logic is tested with a pin double; the Linux
//! backend is in [`crate::output::gpio_cdev`]. Pulse-or-follow is decided upstream by the gesture
//! engine, which emits both edges, so this module only follows edges.

use std::time::{Duration, Instant};

use embedded_hal::digital::OutputPin;

use crate::event::{Event, EventKind, SwitchAction};
use crate::output::{Output, OutputError};

/// Which electrical level means "switch closed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    ActiveHigh,
    ActiveLow,
}

impl Polarity {
    /// The level (`true` = high) that represents `active`.
    pub fn level(self, active: bool) -> bool {
        match self {
            Polarity::ActiveHigh => active,
            Polarity::ActiveLow => !active,
        }
    }
}

/// One pin and its polarity.
struct Line<P> {
    pin: P,
    polarity: Polarity,
}

impl<P: OutputPin> Line<P> {
    fn drive(&mut self, active: bool) -> Result<(), P::Error> {
        if self.polarity.level(active) {
            self.pin.set_high()
        } else {
            self.pin.set_low()
        }
    }
}

/// An LED or buzzer that lights for `flash` after every press.
struct Feedback<P> {
    line: Line<P>,
    flash: Duration,
    off_at: Option<Instant>,
}

/// Drives one line per switch, plus an optional feedback line.
pub struct GpioOutput<P: OutputPin> {
    name: String,
    switches: Vec<(u8, Line<P>)>,
    feedback: Option<Feedback<P>>,
}

impl<P: OutputPin> GpioOutput<P> {
    /// Takes `(switch number, pin)` pairs and drives every line inactive at once, so a switch is
    /// never closed before the first press.
    pub fn new(
        name: impl Into<String>,
        switches: Vec<(u8, P)>,
        polarity: Polarity,
    ) -> Result<Self, OutputError> {
        let mut out = Self {
            name: name.into(),
            switches: switches
                .into_iter()
                .map(|(n, pin)| (n, Line { pin, polarity }))
                .collect(),
            feedback: None,
        };
        out.release_lines()?;
        Ok(out)
    }

    /// Adds a feedback line that is active for `flash` after every press; starts inactive.
    pub fn with_feedback(
        mut self,
        pin: P,
        polarity: Polarity,
        flash: Duration,
    ) -> Result<Self, OutputError> {
        let mut line = Line { pin, polarity };
        line.drive(false).map_err(|e| self.pin_error(0, &e))?;
        self.feedback = Some(Feedback {
            line,
            flash,
            off_at: None,
        });
        Ok(self)
    }

    /// Drives `switch`'s line; unknown switch numbers are ignored (no line is wired for them).
    pub fn set(&mut self, switch: u8, active: bool, now: Instant) -> Result<(), OutputError> {
        let Some(index) = self.switches.iter().position(|(n, _)| *n == switch) else {
            log::debug!("{}: no line for switch {switch}", self.name);
            return Ok(());
        };
        let result = self.switches[index].1.drive(active);
        result.map_err(|e| self.pin_error(switch, &e))?;
        if active {
            self.flash(now)?;
        }
        Ok(())
    }

    /// Drives every line, feedback included, inactive; tries all lines even if one fails.
    pub fn release_lines(&mut self) -> Result<(), OutputError> {
        let mut first_error = None;
        for index in 0..self.switches.len() {
            let (switch, line) = &mut self.switches[index];
            let switch = *switch;
            if let Err(e) = line.drive(false) {
                let err = self.pin_error(switch, &e);
                log::error!("{err}");
                first_error.get_or_insert(err);
            }
        }
        if let Some(fb) = &mut self.feedback {
            fb.off_at = None;
            if let Err(e) = fb.line.drive(false) {
                let err = self.pin_error(0, &e);
                log::error!("{err}");
                first_error.get_or_insert(err);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn flash(&mut self, now: Instant) -> Result<(), OutputError> {
        let Some(fb) = &mut self.feedback else {
            return Ok(());
        };
        fb.off_at = Some(now + fb.flash);
        let result = fb.line.drive(true);
        result.map_err(|e| self.pin_error(0, &e))
    }

    /// Switch 0 stands for the feedback line in messages.
    fn pin_error(&self, switch: u8, e: &P::Error) -> OutputError {
        OutputError::Pin {
            output: self.name.clone(),
            switch,
            detail: format!("{e:?}"),
        }
    }
}

impl<P: OutputPin + Send> Output for GpioOutput<P> {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        match event.kind {
            EventKind::Switch { switch, action, .. } => {
                self.set(switch, action == SwitchAction::Press, Instant::now())
            }
            _ => Ok(()),
        }
    }

    fn release_all(&mut self) -> Result<(), OutputError> {
        self.release_lines()
    }

    /// Ends the feedback flash once its time is up.
    fn poll(&mut self, now: Instant) -> Result<Option<Instant>, OutputError> {
        let Some(fb) = &mut self.feedback else {
            return Ok(None);
        };
        match fb.off_at {
            Some(at) if now >= at => {
                fb.off_at = None;
                let result = fb.line.drive(false);
                result.map_err(|e| self.pin_error(0, &e))?;
                Ok(None)
            }
            other => Ok(other),
        }
    }
}

impl<P: OutputPin> Drop for GpioOutput<P> {
    /// Releases every line even when the worker unwinds from a panic.
    fn drop(&mut self) {
        if let Err(e) = self.release_lines() {
            log::error!("{e}");
        }
    }
}
