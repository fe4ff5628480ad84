//! The engine: one observation in, zero or more events out. Pure and deterministic; its only
//! clock is the observation timestamp. After [`Engine::new`] it does not allocate.

use super::blink::BlinkDetector;
use super::config::{Config, ConfigError};
use super::dip::DipDetector;
use super::face::FacePresence;
use super::gaze::{GazeDetector, GazeProfile};
use super::gaze_centre::CentreTracker;
use super::observation::{FaceObservation, IrisPos, Observation};
use super::openness::{EyeRatios, OpennessTracker};
use super::sink::GestureSink;
use super::switch_map::SwitchMap;
use super::wink::WinkDetector;
use crate::event::{Event, EventKind, GazeRegion, Gesture};

/// Blink, wink and gaze-region engine with switch semantics.
#[derive(Debug, Clone)]
pub struct Engine {
    open_fraction: f32,
    /// Both eyes seen open since the face settled; closures count only after that, so eyes that
    /// already looked closed when the face (re)appeared never make a gesture.
    armed: bool,
    face: FacePresence,
    lids: OpennessTracker,
    blink: BlinkDetector,
    dip: DipDetector,
    wink: WinkDetector,
    gaze: GazeDetector,
    /// The user's calibrated profile; `None`: the built-in default around the learned centre.
    profile: Option<GazeProfile>,
    centre: CentreTracker,
    /// A new profile was set: the region held under the old one ends on the next frame.
    profile_changed: bool,
    switches: SwitchMap,
}

impl Engine {
    /// Validates the config and builds an engine with empty baselines and the default gaze
    /// profile.
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let g = &config.gesture;
        Ok(Self {
            open_fraction: g.open_fraction,
            armed: false,
            face: FacePresence::new(&config.face),
            lids: OpennessTracker::new(g),
            blink: BlinkDetector::new(g),
            dip: DipDetector::new(),
            wink: WinkDetector::new(g),
            gaze: GazeDetector::new(g.gaze_dwell_ms),
            profile: None,
            centre: CentreTracker::new(),
            profile_changed: false,
            switches: SwitchMap::new(config),
        })
    }

    /// Sets the user's calibrated gaze profile, or `None` for the built-in default
    /// ([`GazeProfile::default_uncalibrated`]: left and right only, its centre learned online
    /// because iris rest positions differ between faces).
    /// A region held under the old profile ends on the next frame (releasing a `follow`
    /// switch it holds), since the new thresholds may not place the eyes there at all.
    pub fn set_gaze_profile(&mut self, profile: Option<GazeProfile>) {
        self.profile = profile;
        self.profile_changed = true;
    }

    /// Each eye's learned open baseline (right, left), for the setup page.
    pub fn baselines(&self) -> (Option<f32>, Option<f32>) {
        self.lids.baselines()
    }

    /// Takes new settings between frames (the setup page's tuning): every switch is released
    /// and every gesture in progress dropped first, as on a camera loss, since a closure timed
    /// under the old settings must not finish under the new ones. The gaze profile is kept;
    /// the baselines are learned again (a few hundred milliseconds).
    pub fn reconfigure(
        &mut self,
        config: &Config,
        t: u64,
        frame: u64,
        emit: &mut impl FnMut(Event),
    ) -> Result<(), ConfigError> {
        let mut next = Engine::new(config)?;
        self.camera_lost(t, frame, emit);
        next.profile = self.profile;
        next.profile_changed = true;
        *self = next;
        Ok(())
    }

    /// Processes one frame and passes every event it causes to `emit`, in order: due pulse
    /// releases, face, gestures, switch edges. Non-finite openness counts as no face. Without a
    /// settled face (or before the baselines are learned) every gesture in progress is dropped: a
    /// closure cut short by face loss is no blink, and held switches are released.
    pub fn process(&mut self, obs: &Observation, emit: &mut impl FnMut(Event)) {
        let (t, frame) = (obs.t_ms, obs.frame);
        let mut stamp = |kind| {
            emit(Event {
                t_ms: t,
                frame,
                kind,
            })
        };
        self.switches.tick(t, &mut stamp);
        let mut out = Out {
            t,
            switches: &mut self.switches,
            emit: &mut stamp,
        };
        if std::mem::take(&mut self.profile_changed) {
            self.gaze.reset(&mut out);
        }
        let face = obs
            .face
            .filter(|f| f.right.openness.is_finite() && f.left.openness.is_finite());
        let gate = self.face.update(t, face.map_or(0.0, |f| f.score), &mut out);
        let face = face.filter(|_| gate.present);
        let learn = self.blink.baseline_may_learn();
        let ratios = face.and_then(|f| self.lids.update(f.right.openness, f.left.openness, learn));
        let (Some(face), Some(eyes), true) = (face, ratios, gate.settled) else {
            self.armed = false;
            self.blink.reset(&mut out);
            self.dip.reset();
            self.wink.reset(&mut out);
            self.gaze.reset(&mut out);
            return;
        };
        self.armed |= eyes.right > self.open_fraction && eyes.left > self.open_fraction;
        if !self.armed {
            return;
        }
        self.blink.update(t, &eyes, &mut out);
        let bilateral = self.blink.in_closure();
        self.dip.update(t, &eyes, bilateral, &mut out);
        self.wink.update(t, &eyes, bilateral, &mut out);
        let region = gaze_iris(&face, &eyes, bilateral).map(|iris| match &self.profile {
            Some(profile) => profile.classify(iris, face.head),
            None => {
                let profile = self.centre.profile(&GazeProfile::default_uncalibrated());
                let region = profile.classify(iris, face.head);
                if region == GazeRegion::Center {
                    self.centre.learn(t, profile.gaze_point(iris, face.head).0);
                }
                region
            }
        });
        self.gaze.update(t, region, &mut out);
    }
}

impl Engine {
    /// Time passes without a frame: releases the pulses that are due, so a stalled camera never
    /// stretches a press. `t` is the stream time now (the last frame's plus the time since).
    pub fn tick(&mut self, t: u64, frame: u64, emit: &mut impl FnMut(Event)) {
        self.switches.tick(t, &mut |kind| {
            emit(Event {
                t_ms: t,
                frame,
                kind,
            })
        });
    }

    /// The camera stopped delivering frames: every switch is released, every gesture in
    /// progress dropped and the face treated as gone, so nothing resumes or fires when frames
    /// come back.
    pub fn camera_lost(&mut self, t: u64, frame: u64, emit: &mut impl FnMut(Event)) {
        let gone = Observation {
            t_ms: t,
            frame,
            face: None,
        };
        self.process(&gone, emit);
        self.switches.release_all(&mut |kind| {
            emit(Event {
                t_ms: t,
                frame,
                kind,
            })
        });
    }
}

/// This frame's iris position (both eyes' mean), or `None` when an eye is closed or no iris is
/// known.
fn gaze_iris(face: &FaceObservation, eyes: &EyeRatios, bilateral: bool) -> Option<IrisPos> {
    if bilateral || eyes.right_closed || eyes.left_closed {
        return None;
    }
    let iris = match (face.right.iris, face.left.iris) {
        (Some(r), Some(l)) => IrisPos {
            x: (r.x + l.x) / 2.0,
            y: (r.y + l.y) / 2.0,
        },
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => return None,
    };
    Some(iris)
}

/// Stamps detector output and routes gesture edges through the switch map.
struct Out<'a, F: FnMut(EventKind)> {
    t: u64,
    switches: &'a mut SwitchMap,
    emit: &'a mut F,
}

impl<F: FnMut(EventKind)> GestureSink for Out<'_, F> {
    fn event(&mut self, kind: EventKind) {
        (self.emit)(kind);
    }

    fn start(&mut self, gesture: Gesture) {
        self.switches.start(gesture, self.t, self.emit);
    }

    fn end(&mut self, gesture: Gesture) {
        self.switches.end(gesture, self.emit);
    }
}
