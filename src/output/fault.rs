//! A wrapper that makes any output fail or stall on demand, to test recovery and isolation.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::event::Event;
use crate::output::{Output, OutputError};

/// The remote control of a [`FaultInjector`]; clones control the same injector.
#[derive(Debug, Clone, Default)]
pub struct FaultControl {
    failing: Arc<AtomicBool>,
    stall_ms: Arc<AtomicU64>,
}

impl FaultControl {
    /// While set, `send`, `recover` and `release_all` fail.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::Release);
    }

    /// Every `send` first sleeps this long, like a device that stopped reading.
    pub fn set_stall(&self, stall: Duration) {
        let ms = u64::try_from(stall.as_millis()).unwrap_or(u64::MAX);
        self.stall_ms.store(ms, Ordering::Release);
    }

    fn failing(&self) -> bool {
        self.failing.load(Ordering::Acquire)
    }

    fn stall(&self) -> Duration {
        Duration::from_millis(self.stall_ms.load(Ordering::Acquire))
    }
}

/// Wraps `O`, passing calls through unless its [`FaultControl`] says to fail or stall.
pub struct FaultInjector<O> {
    inner: O,
    control: FaultControl,
}

impl<O: Output> FaultInjector<O> {
    /// Returns the wrapper and the control that drives it.
    pub fn new(inner: O) -> (Self, FaultControl) {
        let control = FaultControl::default();
        (
            Self {
                inner,
                control: control.clone(),
            },
            control,
        )
    }

    fn check(&self) -> Result<(), OutputError> {
        if self.control.failing() {
            Err(OutputError::Injected {
                output: self.inner.name().to_owned(),
            })
        } else {
            Ok(())
        }
    }
}

impl<O: Output> Output for FaultInjector<O> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        let stall = self.control.stall();
        if !stall.is_zero() {
            thread::sleep(stall);
        }
        self.check()?;
        self.inner.send(event)
    }

    fn recover(&mut self) -> Result<(), OutputError> {
        self.check()?;
        self.inner.recover()
    }

    fn is_connected(&self) -> bool {
        self.inner.is_connected()
    }

    fn release_all(&mut self) -> Result<(), OutputError> {
        self.check()?;
        self.inner.release_all()
    }

    fn poll(&mut self, now: Instant) -> Result<Option<Instant>, OutputError> {
        self.inner.poll(now)
    }
}
