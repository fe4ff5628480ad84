//! Switch outputs: GPIO, serial, USB HID, stdout (issue 5).
//!
//! Every output implements [`Output`]; [`FanOut`] runs each one on its own thread behind a bounded
//! queue, so a slow or broken output never delays the camera pipeline or the other outputs.
//! Behaviour is added by wrapping (for example [`FaultInjector`]) rather than by flags.

pub mod error;
pub mod fanout;
pub mod fault;
pub mod gpio;
pub mod gpio_cdev;
pub mod hid;
pub mod hid_gadget;
pub mod hid_keys;
pub mod serial;
pub mod setup;
pub mod stdout;

use std::time::Instant;

use crate::event::Event;

pub use error::OutputError;
pub use fanout::{Backoff, FanOut, OutputCounters, QueueSettings};
pub use fault::{FaultControl, FaultInjector};
pub use gpio::{GpioOutput, Polarity};
pub use hid::HidOutput;
pub use serial::{SerialMode, SerialOutput, SerialSettings};
pub use stdout::JsonLinesOutput;

/// Something that turns events into the outside world's signals.
///
/// Methods run on the output's own worker thread; they may block briefly (a device write) but must
/// return within a bounded time so that shutdown can release every switch.
pub trait Output: Send {
    /// Short name for logs and counters, e.g. `serial /dev/ttyUSB0`.
    fn name(&self) -> &str;

    /// Handle one event; outputs ignore the kinds they do not carry.
    fn send(&mut self, event: &Event) -> Result<(), OutputError>;

    /// Bring the output back after a failure (reopen the device). Called with backoff.
    fn recover(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    /// Whether the device is open. An output that starts closed is recovered with backoff from
    /// the start, exactly as after a failure, so a device missing at start-up is waited for.
    fn is_connected(&self) -> bool {
        true
    }

    /// Put every switch in its released state: at start (a crashed earlier run may have left
    /// one closed), after recovery, after a lost release, and on shutdown, because a switch
    /// stuck closed is a safety problem.
    fn release_all(&mut self) -> Result<(), OutputError>;

    /// Do time-driven work (end a feedback flash); returns when it next needs calling.
    fn poll(&mut self, _now: Instant) -> Result<Option<Instant>, OutputError> {
        Ok(None)
    }
}

impl<T: Output + ?Sized> Output for Box<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        (**self).send(event)
    }
    fn recover(&mut self) -> Result<(), OutputError> {
        (**self).recover()
    }
    fn is_connected(&self) -> bool {
        (**self).is_connected()
    }
    fn release_all(&mut self) -> Result<(), OutputError> {
        (**self).release_all()
    }
    fn poll(&mut self, now: Instant) -> Result<Option<Instant>, OutputError> {
        (**self).poll(now)
    }
}
