//! GPIO switch logic against an embedded-hal `OutputPin` double: follow, active-low, feedback
//! flash, and release on shutdown, drop and panic.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use embedded_hal::digital::{ErrorType, OutputPin};
use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::output::{FanOut, GpioOutput, Output, Polarity};

/// Records every level written; `true` = high.
#[derive(Clone, Default)]
struct Pin(Arc<Mutex<Vec<bool>>>);

impl Pin {
    fn level(&self) -> Option<bool> {
        self.0.lock().unwrap().last().copied()
    }
    fn history(&self) -> Vec<bool> {
        self.0.lock().unwrap().clone()
    }
}

impl ErrorType for Pin {
    type Error = Infallible;
}

impl OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().push(false);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.lock().unwrap().push(true);
        Ok(())
    }
}

fn switch(n: u8, action: SwitchAction) -> Event {
    Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Switch {
            switch: n,
            action,
            gesture: Gesture::LongBlink,
        },
    }
}

#[test]
fn lines_follow_press_and_release_active_high() {
    let (a, b) = (Pin::default(), Pin::default());
    let lines = vec![(1, a.clone()), (2, b.clone())];
    let mut out = GpioOutput::new("test", lines, Polarity::ActiveHigh).unwrap();
    assert_eq!(a.level(), Some(false), "starts released");
    out.send(&switch(1, SwitchAction::Press)).unwrap();
    assert_eq!(a.level(), Some(true));
    assert_eq!(b.level(), Some(false), "other switch untouched");
    out.send(&switch(1, SwitchAction::Release)).unwrap();
    assert_eq!(a.level(), Some(false));
    out.send(&switch(2, SwitchAction::Press)).unwrap();
    assert_eq!(b.level(), Some(true));
    // A switch without a line and non-switch events are ignored.
    out.send(&switch(5, SwitchAction::Press)).unwrap();
    let blink = Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Blink { duration_ms: 100 },
    };
    out.send(&blink).unwrap();
    assert_eq!(a.history(), vec![false, true, false]);
}

#[test]
fn active_low_inverts_levels() {
    let a = Pin::default();
    let mut out = GpioOutput::new("test", vec![(1, a.clone())], Polarity::ActiveLow).unwrap();
    assert_eq!(a.level(), Some(true), "released = high when active-low");
    out.send(&switch(1, SwitchAction::Press)).unwrap();
    assert_eq!(a.level(), Some(false));
    out.send(&switch(1, SwitchAction::Release)).unwrap();
    assert_eq!(a.level(), Some(true));
}

#[test]
fn feedback_flashes_on_every_press_and_ends_on_poll() {
    let (a, led) = (Pin::default(), Pin::default());
    let flash = Duration::from_millis(150);
    let mut out = GpioOutput::new("test", vec![(1, a.clone())], Polarity::ActiveHigh)
        .unwrap()
        .with_feedback(led.clone(), Polarity::ActiveHigh, flash)
        .unwrap();
    assert_eq!(led.level(), Some(false));
    let t0 = Instant::now();
    out.set(1, true, t0).unwrap();
    assert_eq!(led.level(), Some(true), "flash starts with the press");
    assert_eq!(out.poll(t0 + flash / 2).unwrap(), Some(t0 + flash));
    assert_eq!(led.level(), Some(true), "still flashing");
    assert_eq!(out.poll(t0 + flash).unwrap(), None);
    assert_eq!(led.level(), Some(false), "flash over");
    out.set(1, false, t0 + flash).unwrap();
    assert_eq!(led.level(), Some(false), "a release does not flash");
    out.set(1, true, t0 + flash * 2).unwrap();
    assert_eq!(led.level(), Some(true), "second press flashes again");
}

#[test]
fn active_low_feedback_line() {
    let led = Pin::default();
    let mut out = GpioOutput::new("test", vec![(1, Pin::default())], Polarity::ActiveHigh)
        .unwrap()
        .with_feedback(led.clone(), Polarity::ActiveLow, Duration::from_millis(10))
        .unwrap();
    assert_eq!(led.level(), Some(true));
    out.set(1, true, Instant::now()).unwrap();
    assert_eq!(led.level(), Some(false));
}

#[test]
fn release_all_drives_every_line_inactive() {
    let (a, b, led) = (Pin::default(), Pin::default(), Pin::default());
    let lines = vec![(1, a.clone()), (2, b.clone())];
    let mut out = GpioOutput::new("test", lines, Polarity::ActiveLow)
        .unwrap()
        .with_feedback(led.clone(), Polarity::ActiveHigh, Duration::from_secs(10))
        .unwrap();
    out.send(&switch(1, SwitchAction::Press)).unwrap();
    out.send(&switch(2, SwitchAction::Press)).unwrap();
    let levels = || (a.level(), b.level(), led.level());
    assert_eq!(levels(), (Some(false), Some(false), Some(true)));
    out.release_all().unwrap();
    assert_eq!(levels(), (Some(true), Some(true), Some(false)));
}

#[test]
fn drop_releases_a_held_switch() {
    let a = Pin::default();
    {
        let mut out = GpioOutput::new("test", vec![(1, a.clone())], Polarity::ActiveHigh).unwrap();
        out.send(&switch(1, SwitchAction::Press)).unwrap();
        assert_eq!(a.level(), Some(true));
    }
    assert_eq!(
        a.level(),
        Some(false),
        "dropping the output released the line"
    );
}

#[test]
fn panic_while_held_releases_the_line() {
    let a = Pin::default();
    let pin = a.clone();
    let result = std::thread::spawn(move || {
        let mut out = GpioOutput::new("test", vec![(1, pin)], Polarity::ActiveHigh).unwrap();
        out.send(&switch(1, SwitchAction::Press)).unwrap();
        panic!("simulated crash while the switch is held (expected by this test)");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(a.level(), Some(false), "unwinding released the line");
}

#[test]
fn fanout_shutdown_releases_gpio() {
    let a = Pin::default();
    let out = GpioOutput::new("test", vec![(1, a.clone())], Polarity::ActiveHigh).unwrap();
    let mut fan = FanOut::new();
    fan.add(out).unwrap();
    fan.send(&switch(1, SwitchAction::Press));
    let deadline = Instant::now() + Duration::from_secs(5);
    while a.level() != Some(true) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(a.level(), Some(true));
    fan.shutdown();
    assert_eq!(a.level(), Some(false), "shutdown released the held switch");
}
