//! The systemd notifications: `READY=1` once, then `WATCHDOG=1` and `STATUS=` from a thread
//! that pings only while the frame loop keeps turning, so a hung pipeline is restarted while a
//! camera that is merely absent (the loop still turns, waiting) is not.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sd_notify::NotifyState;

use super::Health;

/// Tells systemd the models and outputs are up; a failure to tell is logged, never fatal.
pub fn ready(health: &Health) {
    let status = status_line(health, 0.0);
    if let Err(e) = sd_notify::notify(&[NotifyState::Ready, NotifyState::Status(&status)]) {
        log::warn!("systemd notify socket: {e}; readiness not reported");
    }
}

/// The watchdog thread; it runs for the life of the process.
pub struct Notifier {
    _thread: JoinHandle<()>,
}

impl Notifier {
    /// Starts pinging at a quarter of the unit's `WatchdogSec`; `None` when the service has no
    /// watchdog (not under systemd, or `WatchdogSec` unset).
    pub fn start(health: Arc<Health>) -> std::io::Result<Option<Notifier>> {
        let Some(timeout) = sd_notify::watchdog_enabled() else {
            return Ok(None);
        };
        let thread = std::thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || ping(&health, timeout))?;
        Ok(Some(Notifier { _thread: thread }))
    }
}

fn ping(health: &Health, timeout: Duration) {
    let mut pinger = Pinger::new(health, timeout);
    loop {
        std::thread::sleep(pinger.every());
        if let Some(status) = pinger.turn() {
            let state = [NotifyState::Watchdog, NotifyState::Status(&status)];
            if let Err(e) = sd_notify::notify(&state) {
                log::warn!("systemd notify socket: {e}");
            }
        }
    }
}

/// Decides, once per period, whether the watchdog may be fed, and with which status line.
struct Pinger<'a> {
    health: &'a Health,
    timeout: Duration,
    last: (Instant, u64),
    hung_reported: bool,
}

impl<'a> Pinger<'a> {
    fn new(health: &'a Health, timeout: Duration) -> Pinger<'a> {
        Pinger {
            health,
            timeout,
            last: (Instant::now(), health.frames()),
            hung_reported: false,
        }
    }

    /// How often to turn: a quarter of the watchdog time, as sd_watchdog_enabled(3) advises
    /// (at most half).
    fn every(&self) -> Duration {
        (self.timeout / 4).max(Duration::from_millis(10))
    }

    /// The status line to send with `WATCHDOG=1`, or `None` when the frame loop has not turned
    /// for half the watchdog time: its longest honest pause is one frame's inference or one
    /// wait for a frame, far below that, so it is hung and systemd should restart it.
    fn turn(&mut self) -> Option<String> {
        let stalled_for = self.health.since_beat();
        if stalled_for > self.timeout / 2 {
            if !self.hung_reported {
                log::error!(
                    "the frame loop has not turned for {} ms; not feeding the watchdog, so systemd restarts eyeswitch",
                    stalled_for.as_millis()
                );
                self.hung_reported = true;
            }
            return None;
        }
        self.hung_reported = false;
        let frames = self.health.frames();
        let secs = self.last.0.elapsed().as_secs_f64();
        let fps = if secs > 0.0 {
            frames.saturating_sub(self.last.1) as f64 / secs
        } else {
            0.0
        };
        self.last = (Instant::now(), frames);
        Some(status_line(self.health, fps))
    }
}

/// E.g. `24.8 fps, face tracked, camera streaming`.
fn status_line(health: &Health, fps: f64) -> String {
    let (face, camera) = health.describe();
    format!("{fps:.1} fps, {face}, {camera}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::CameraStatus;

    #[test]
    fn a_loop_that_stops_turning_stops_the_pings() {
        let health = Health::default();
        let mut pinger = Pinger::new(&health, Duration::from_millis(200));
        health.beat();
        health.frame(true);
        health.camera(CameraStatus::Streaming);
        let status = pinger.turn().expect("a turning loop is fed");
        assert!(
            status.ends_with(" fps, face tracked, camera streaming"),
            "{status}"
        );
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(
            pinger.turn(),
            None,
            "hung for more than half the watchdog time"
        );
        health.beat();
        assert!(pinger.turn().is_some(), "fed again once the loop turns");
    }
}
