//! Property test of the gesture engine's safety invariants on arbitrary observation sequences:
//! runs of frames with open, closed, winking or unreadable eyes, random face scores and iris
//! positions, face loss, stalls (`Engine::tick`) and camera loss (`Engine::camera_lost`), with
//! random frame gaps and random switch mappings, refractory and face times.
//!
//! Invariants checked after every call:
//! - a switch is pressed only while processing a frame whose face is settled (present, by the
//!   enter/exit hysteresis, for `settle_ms`); never from `tick` or `camera_lost`;
//! - a switch is never pressed twice without a release, nor twice within `refractory_ms`;
//! - a pulse is released no earlier than `pulse_ms` after its press, and by the first call at
//!   or after that (so within `pulse_ms` + one frame, or + one tick while the camera stalls);
//! - a follow switch is released by a frame without a present face;
//! - after `camera_lost` no switch is pressed.

use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::gesture::{
    can_follow, Config, Engine, EyeObservation, FaceConfig, FaceObservation, GazeProfile,
    GestureConfig, HeadPose, IrisPos, Observation, SwitchMapping, SwitchMode, HEAD_GAIN,
};
use proptest::prelude::*;

use crate::prop_cases;

const GESTURES: [Gesture; 8] = [
    Gesture::LongBlink,
    Gesture::DoubleBlink,
    Gesture::WinkLeft,
    Gesture::WinkRight,
    Gesture::GazeLeft,
    Gesture::GazeRight,
    Gesture::GazeUp,
    Gesture::GazeDown,
];

/// The lids of one run of frames.
#[derive(Debug, Clone, Copy)]
enum Lids {
    Open,
    Shut,
    RightShut,
    LeftShut,
    /// What a broken landmark frame gives.
    NotFinite,
    Any(f32, f32),
}

/// One piece of a sequence.
#[derive(Debug, Clone)]
enum Step {
    /// `frames` frames, `gap_ms` apart (± a little jitter), all with this face.
    Frames {
        frames: u8,
        gap_ms: u64,
        lids: Lids,
        score: f32,
        iris: (f32, f32),
    },
    /// `count` quick blinks of both eyes, as a double blink is made of.
    Blinks {
        count: u8,
        shut: u8,
        open: u8,
        gap_ms: u64,
    },
    /// Frames without a face.
    NoFace { frames: u8, gap_ms: u64 },
    /// The camera delivers nothing; the loop ticks every `every_ms` for `ticks` times.
    Stall { ticks: u8, every_ms: u64 },
    /// The camera is declared lost after `after_ms` without frames.
    CameraLost { after_ms: u64 },
}

fn lids() -> impl Strategy<Value = Lids> {
    prop_oneof![
        4 => Just(Lids::Open),
        3 => Just(Lids::Shut),
        1 => Just(Lids::RightShut),
        1 => Just(Lids::LeftShut),
        1 => Just(Lids::NotFinite),
        1 => (0.0f32..0.4, 0.0f32..0.4).prop_map(|(r, l)| Lids::Any(r, l)),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let score = prop_oneof![6 => Just(0.95f32), 3 => 0.0f32..1.0, 1 => Just(f32::NAN)];
    prop_oneof![
        10 => (1u8..40, 10u64..80, lids(), score, (-0.5f32..0.5, -0.3f32..0.3)).prop_map(
            |(frames, gap_ms, lids, score, iris)| Step::Frames { frames, gap_ms, lids, score, iris }
        ),
        2 => (1u8..4, 2u8..10, 2u8..12, 20u64..50)
            .prop_map(|(count, shut, open, gap_ms)| Step::Blinks { count, shut, open, gap_ms }),
        2 => (1u8..20, 10u64..80).prop_map(|(frames, gap_ms)| Step::NoFace { frames, gap_ms }),
        1 => (1u8..40, 5u64..100).prop_map(|(ticks, every_ms)| Step::Stall { ticks, every_ms }),
        1 => (0u64..2000).prop_map(|after_ms| Step::CameraLost { after_ms }),
    ]
}

/// A valid engine config: up to four mappings of distinct gestures to switches 1–4.
fn config() -> impl Strategy<Value = Config> {
    let mapping = (any::<bool>(), 50u32..2000);
    (
        prop::sample::subsequence(GESTURES.to_vec(), 1..=4),
        prop::collection::vec(mapping, 4),
        0u32..3000,
        (100u32..1200, 100u32..1200),
        (0.3f32..0.9, 0.0f32..1.0, 0u32..1000, 0u32..1000),
    )
        .prop_map(
            |(gestures, modes, refractory_ms, (long_blink_ms, wink_ms), face)| {
                let (enter_score, exit_fraction, settle_ms, lost_ms) = face;
                let switch = gestures
                    .iter()
                    .zip(modes)
                    .enumerate()
                    .map(|(i, (&gesture, (follow, pulse_ms)))| SwitchMapping {
                        gesture,
                        switch: i as u8 + 1,
                        mode: if follow && can_follow(gesture) {
                            SwitchMode::Follow
                        } else {
                            SwitchMode::Pulse
                        },
                        pulse_ms,
                    })
                    .collect();
                Config {
                    gesture: GestureConfig {
                        refractory_ms,
                        long_blink_ms,
                        wink_ms,
                        ..GestureConfig::default()
                    },
                    face: FaceConfig {
                        enter_score,
                        exit_score: enter_score * exit_fraction,
                        settle_ms,
                        lost_ms,
                    },
                    switch,
                }
            },
        )
}

/// Face presence as the config defines it (score hysteresis, settle time): the reference the
/// engine's presses are checked against.
struct Presence {
    face: FaceConfig,
    present: bool,
    since: Option<u64>,
}

impl Presence {
    /// (present, settled) after a frame with this score (0 without a usable face).
    fn update(&mut self, t: u64, score: f32) -> (bool, bool) {
        let threshold = if self.present {
            self.face.exit_score
        } else {
            self.face.enter_score
        };
        let present = score >= threshold;
        if present != self.present || self.since.is_none() {
            self.present = present;
            self.since = Some(t);
        }
        let settled = present && t - self.since.unwrap_or(t) >= u64::from(self.face.settle_ms);
        (present, settled)
    }
}

/// What kind of call produced an event.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Call {
    Frame { settled: bool },
    Tick,
    CameraLost,
}

/// The state of one switch as seen from its events.
#[derive(Debug, Clone, Copy, Default)]
struct SwitchState {
    pressed_at: Option<u64>,
    last_press: Option<u64>,
}

struct Checker {
    config: Config,
    switches: [SwitchState; 5],
}

impl Checker {
    fn mapping(&self, switch: u8) -> SwitchMapping {
        *self
            .config
            .switch
            .iter()
            .find(|m| m.switch == switch)
            .expect("a mapped switch")
    }

    /// Checks the events of one call at time `t`.
    fn events(&mut self, t: u64, call: Call, events: &[Event]) -> Result<(), String> {
        for e in events {
            let EventKind::Switch { switch, action, .. } = e.kind else {
                continue;
            };
            let m = self.mapping(switch);
            let refractory = u64::from(self.config.gesture.refractory_ms);
            let s = &mut self.switches[usize::from(switch)];
            match action {
                SwitchAction::Press => {
                    if call != (Call::Frame { settled: true }) {
                        return Err(format!("switch {switch} pressed at {t} by {call:?}"));
                    }
                    if s.pressed_at.is_some() {
                        return Err(format!("switch {switch} pressed twice at {t}"));
                    }
                    if let Some(last) = s.last_press.filter(|&last| t - last < refractory) {
                        return Err(format!(
                            "switch {switch} pressed at {last} and again at {t}, within {refractory} ms"
                        ));
                    }
                    s.pressed_at = Some(t);
                    s.last_press = Some(t);
                }
                SwitchAction::Release => {
                    let Some(at) = s.pressed_at.take() else {
                        return Err(format!("switch {switch} released at {t} but not pressed"));
                    };
                    let due = at + u64::from(m.pulse_ms);
                    if m.mode == SwitchMode::Pulse && call != Call::CameraLost && t < due {
                        return Err(format!("pulse of switch {switch} from {at} cut at {t}"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks what must hold after a call at `t`; `face_present`: the call saw a present face.
    fn after(&self, t: u64, call: Call, face_present: bool) -> Result<(), String> {
        for m in &self.config.switch {
            let Some(at) = self.switches[usize::from(m.switch)].pressed_at else {
                continue;
            };
            let held = match m.mode {
                SwitchMode::Pulse if t >= at + u64::from(m.pulse_ms) => "past its pulse",
                SwitchMode::Follow if matches!(call, Call::Frame { .. }) && !face_present => {
                    "without a face"
                }
                _ if call == Call::CameraLost => "after camera loss",
                _ => continue,
            };
            return Err(format!(
                "switch {} pressed at {at} still held at {t} {held}",
                m.switch
            ));
        }
        Ok(())
    }
}

/// An engine under test, the reference presence and the checker.
struct Harness {
    engine: Engine,
    presence: Presence,
    checker: Checker,
    events: Vec<Event>,
}

impl Harness {
    fn frame(&mut self, t: u64, frame: u64, face: Option<FaceObservation>) -> Result<(), String> {
        let usable = face.filter(|f| f.right.openness.is_finite() && f.left.openness.is_finite());
        let (present, settled) = self.presence.update(t, usable.map_or(0.0, |f| f.score));
        let events = &mut self.events;
        events.clear();
        let obs = Observation {
            t_ms: t,
            frame,
            face,
        };
        self.engine.process(&obs, &mut |e| events.push(e));
        let call = Call::Frame { settled };
        self.checker.events(t, call, &self.events)?;
        self.checker.after(t, call, present)
    }

    fn tick(&mut self, t: u64, frame: u64) -> Result<(), String> {
        let events = &mut self.events;
        events.clear();
        self.engine.tick(t, frame, &mut |e| events.push(e));
        self.checker.events(t, Call::Tick, &self.events)?;
        self.checker.after(t, Call::Tick, true)
    }

    fn camera_lost(&mut self, t: u64, frame: u64) -> Result<(), String> {
        let events = &mut self.events;
        events.clear();
        self.engine.camera_lost(t, frame, &mut |e| events.push(e));
        // camera_lost processes a frame without a face, then releases everything.
        self.presence.update(t, 0.0);
        self.checker.events(t, Call::CameraLost, &self.events)?;
        self.checker.after(t, Call::CameraLost, false)
    }
}

/// Runs `steps` through an engine and checks every invariant; the first violation, if any.
fn run(config: Config, steps: &[Step]) -> Result<(), String> {
    let mut engine = Engine::new(&config).map_err(|e| format!("generated config invalid: {e}"))?;
    engine.set_gaze_profile(Some(GazeProfile {
        head_gain: HEAD_GAIN,
        centre_yaw: 0.0,
        centre_pitch: 0.0,
        centre_x: 0.0,
        centre_y: 0.0,
        left_x: 0.2,
        right_x: -0.2,
        up_y: -0.1,
        down_y: 0.1,
    }));
    let mut h = Harness {
        engine,
        presence: Presence {
            face: config.face,
            present: false,
            since: None,
        },
        checker: Checker {
            config,
            switches: [SwitchState::default(); 5],
        },
        events: Vec::new(),
    };
    let (mut t, mut frame) = (0u64, 0u64);
    for step in steps {
        match *step {
            Step::Frames {
                frames,
                gap_ms,
                lids,
                score,
                iris,
            } => {
                let (r, l) = match lids {
                    Lids::Open => (0.3, 0.3),
                    Lids::Shut => (0.03, 0.03),
                    Lids::RightShut => (0.03, 0.3),
                    Lids::LeftShut => (0.3, 0.03),
                    Lids::NotFinite => (f32::NAN, 0.3),
                    Lids::Any(r, l) => (r, l),
                };
                let iris = Some(IrisPos {
                    x: iris.0,
                    y: iris.1,
                });
                let face = FaceObservation {
                    score,
                    right: EyeObservation { openness: r, iris },
                    left: EyeObservation { openness: l, iris },
                    head: HeadPose::default(),
                    ..FaceObservation::default()
                };
                for i in 0..frames {
                    h.frame(t, frame, Some(face))?;
                    frame += 1;
                    t += gap_ms + u64::from(i % 3) * 3;
                }
            }
            Step::Blinks {
                count,
                shut,
                open,
                gap_ms,
            } => {
                let lids = [0.03f32; 16]
                    .into_iter()
                    .take(shut.into())
                    .chain([0.3; 16].into_iter().take(open.into()));
                for openness in (0..count).flat_map(|_| lids.clone()) {
                    let eye = EyeObservation {
                        openness,
                        iris: None,
                    };
                    let face = FaceObservation {
                        score: 0.95,
                        right: eye,
                        left: eye,
                        ..FaceObservation::default()
                    };
                    h.frame(t, frame, Some(face))?;
                    frame += 1;
                    t += gap_ms;
                }
            }
            Step::NoFace { frames, gap_ms } => {
                for _ in 0..frames {
                    h.frame(t, frame, None)?;
                    frame += 1;
                    t += gap_ms;
                }
            }
            Step::Stall { ticks, every_ms } => {
                for _ in 0..ticks {
                    h.tick(t, frame)?;
                    t += every_ms;
                }
            }
            Step::CameraLost { after_ms } => {
                t += after_ms;
                h.camera_lost(t, frame)?;
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(prop_cases::config())]

    #[test]
    fn switches_press_only_with_a_settled_face_and_always_release(
        config in config(),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        if let Err(violation) = run(config, &steps) {
            prop_assert!(false, "{}", violation);
        }
    }
}

/// The generator does reach presses: a face that settles, opens and holds a long blink.
#[test]
fn the_sequences_can_press_and_release() {
    let config = Config {
        switch: vec![SwitchMapping::default()],
        ..Config::default()
    };
    let open = Step::Frames {
        frames: 40,
        gap_ms: 33,
        lids: Lids::Open,
        score: 0.95,
        iris: (0.0, 0.0),
    };
    let shut = Step::Frames {
        frames: 30,
        gap_ms: 33,
        lids: Lids::Shut,
        score: 0.95,
        iris: (0.0, 0.0),
    };
    assert_eq!(
        run(config.clone(), &[open.clone(), shut.clone(), open.clone()]),
        Ok(())
    );
    let mut engine = Engine::new(&config).expect("valid");
    let mut presses = 0;
    let mut t = 0;
    for lids in [0.3f32; 40].iter().chain(&[0.03; 30]) {
        let face = FaceObservation {
            score: 0.95,
            right: EyeObservation {
                openness: *lids,
                iris: None,
            },
            left: EyeObservation {
                openness: *lids,
                iris: None,
            },
            ..FaceObservation::default()
        };
        engine.process(
            &Observation {
                t_ms: t,
                frame: t / 33,
                face: Some(face),
            },
            &mut |e| {
                presses += usize::from(matches!(
                    e.kind,
                    EventKind::Switch {
                        action: SwitchAction::Press,
                        ..
                    }
                ));
            },
        );
        t += 33;
    }
    assert_eq!(presses, 1, "a long blink presses switch 1");
}
