//! The fan-out: every output gets every event, a failing or stalled output never blocks the sender
//! or the other outputs, failures are retried with backoff, and shutdown releases everything.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::output::{
    Backoff, FanOut, FaultInjector, JsonLinesOutput, Output, OutputError, QueueSettings,
};

/// Records what it was asked to do, as text.
#[derive(Clone)]
struct Recorder {
    name: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            log: Arc::default(),
        }
    }
    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
    /// Waits until `pred` holds for the log, up to 5 s.
    fn wait_for(&self, pred: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let log = self.log();
            if pred(&log) || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Output for Recorder {
    fn name(&self) -> &str {
        &self.name
    }
    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        self.log.lock().unwrap().push(format!("t{}", event.t_ms));
        Ok(())
    }
    fn recover(&mut self) -> Result<(), OutputError> {
        self.log.lock().unwrap().push("recover".into());
        Ok(())
    }
    fn release_all(&mut self) -> Result<(), OutputError> {
        self.log.lock().unwrap().push("release_all".into());
        Ok(())
    }
}

fn press(t_ms: u64) -> Event {
    edge(t_ms, SwitchAction::Press)
}

fn edge(t_ms: u64, action: SwitchAction) -> Event {
    Event {
        t_ms,
        frame: t_ms,
        kind: EventKind::Switch {
            switch: 1,
            action,
            gesture: Gesture::LongBlink,
        },
    }
}

fn fast(capacity: usize) -> QueueSettings {
    QueueSettings {
        capacity,
        backoff: Backoff {
            first: Duration::from_millis(10),
            max: Duration::from_millis(40),
        },
    }
}

fn has(log: &[String], entry: &str) -> bool {
    log.iter().any(|l| l == entry)
}

#[test]
fn every_output_gets_every_event_in_order() {
    let (a, b) = (Recorder::new("a"), Recorder::new("b"));
    let mut fan = FanOut::new();
    fan.add(a.clone()).unwrap();
    fan.add(b.clone()).unwrap();
    for t in 0..5 {
        fan.send(&press(t));
    }
    // First a release of everything a crashed earlier run may have left closed, then the events.
    let want: Vec<String> = std::iter::once("release_all".to_string())
        .chain((0..5).map(|t| format!("t{t}")))
        .collect();
    assert_eq!(a.wait_for(|l| l.len() >= 6), want);
    assert_eq!(b.wait_for(|l| l.len() >= 6), want);
    let counters = fan.counters();
    assert_eq!(counters[0].name, "a");
    assert_eq!(counters[0].delivered, 5);
    assert_eq!(counters[1].dropped, 0);
    fan.shutdown();
    assert_eq!(a.log().last().map(String::as_str), Some("release_all"));
}

#[test]
fn failing_output_recovers_with_backoff_and_others_keep_running() {
    let (good, bad) = (Recorder::new("good"), Recorder::new("bad"));
    let (faulty, control) = FaultInjector::new(bad.clone());
    // Failing from the start: even the start-up release fails and is retried.
    control.set_failing(true);
    let mut fan = FanOut::new();
    fan.add_with(faulty, fast(16)).unwrap();
    fan.add(good.clone()).unwrap();

    fan.send(&press(1));
    fan.send(&press(2));
    assert_eq!(
        good.wait_for(|l| l.len() >= 3),
        vec!["release_all", "t1", "t2"],
        "healthy output unaffected"
    );
    // Let a few retries fail, then let the output come back.
    std::thread::sleep(Duration::from_millis(60));
    assert!(bad.log().is_empty());
    control.set_failing(false);
    let log = bad.wait_for(|l| has(l, "release_all"));
    assert_eq!(
        log,
        vec!["recover", "release_all"],
        "recovery releases everything"
    );
    fan.send(&press(3));
    assert_eq!(bad.wait_for(|l| l.len() >= 3).last().unwrap(), "t3");
    let counters = fan.counters();
    assert_eq!(
        counters[0].failed, 2,
        "both events sent while failing are counted"
    );
    assert_eq!(counters[0].delivered, 1);
}

#[test]
fn stalled_output_never_blocks_the_sender() {
    let (good, slow) = (Recorder::new("good"), Recorder::new("slow"));
    let (stalled, control) = FaultInjector::new(slow.clone());
    control.set_stall(Duration::from_millis(200));
    let mut fan = FanOut::new();
    fan.add_with(stalled, fast(4)).unwrap();
    fan.add_with(good.clone(), fast(1000)).unwrap();

    let start = Instant::now();
    for t in 0..1000 {
        fan.send(&press(t));
    }
    let elapsed = start.elapsed();
    // 1000 non-blocking sends take well under a millisecond; one blocked send would take 200 ms.
    assert!(
        elapsed < Duration::from_millis(150),
        "sending took {elapsed:?}"
    );
    let counters = fan.counters();
    assert!(counters[0].dropped >= 990, "{counters:?}");
    // Its start-up release, then every event.
    assert_eq!(good.wait_for(|l| l.len() >= 1001).len(), 1001);
    control.set_stall(Duration::ZERO);
}

#[test]
fn a_dropped_release_triggers_release_all() {
    let slow = Recorder::new("slow");
    let (stalled, control) = FaultInjector::new(slow.clone());
    control.set_stall(Duration::from_millis(50));
    let mut fan = FanOut::new();
    fan.add_with(stalled, fast(1)).unwrap();
    fan.send(&press(1));
    fan.send(&press(2));
    fan.send(&press(3));
    // The queue is full: this release is dropped, so the worker must release everything itself.
    fan.send(&edge(4, SwitchAction::Release));
    control.set_stall(Duration::ZERO);
    let log = slow.wait_for(|l| has(l, "release_all"));
    assert!(has(&log, "release_all"), "{log:?}");
    assert!(!has(&log, "t4"), "{log:?}");
}

#[test]
fn stdout_output_writes_json_lines() {
    let mut out = JsonLinesOutput::new("mem", Vec::new());
    out.send(&press(7)).unwrap();
    out.send(&edge(9, SwitchAction::Release)).unwrap();
    let text = String::from_utf8(out.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"t_ms":7,"frame":7,"kind":"switch","switch":1,"action":"press","gesture":"long_blink"}"#
    );
    let back: Event = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(back, edge(9, SwitchAction::Release));
}

#[test]
fn finish_delivers_what_is_queued_then_releases() {
    let recorder = Recorder::new("slow");
    let (slow, control) = FaultInjector::new(recorder.clone());
    control.set_stall(Duration::from_millis(20));
    let mut fan = FanOut::new();
    fan.add_with(slow, fast(16)).unwrap();
    for t in 0..5 {
        fan.send(&press(t));
    }
    fan.finish();
    let log = recorder.log();
    let events: Vec<&str> = log
        .iter()
        .map(String::as_str)
        .filter(|l| l.starts_with('t'))
        .collect();
    assert_eq!(events, ["t0", "t1", "t2", "t3", "t4"], "{log:?}");
    assert_eq!(log.last().map(String::as_str), Some("release_all"));
}
