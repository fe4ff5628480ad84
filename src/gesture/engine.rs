//! The engine: one observation in, zero or more events out. Pure and deterministic; its only
//! clock is the observation timestamp. After [`Engine::new`] it does not allocate.

use super::blink::BlinkDetector;
use super::config::{Config, ConfigError};
use super::face::FacePresence;
use super::gaze::{GazeDetector, GazeProfile};
use super::observation::{FaceObservation, IrisPos, Observation};
use super::openness::{EyeRatios, OpennessTracker};
use super::sink::GestureSink;
use super::switch_map::SwitchMap;
use super::wink::WinkDetector;
use crate::event::{Event, EventKind, GazeRegion, Gesture};

/// Blink, wink and gaze-region engine with switch semantics.
#[derive(Debug, Clone)]
pub struct Engine {
    dwell_ms: u32,
    open_fraction: f32,
    /// Both eyes seen open since the face settled; closures count only after that, so eyes that
    /// already looked closed when the face (re)appeared never make a gesture.
    armed: bool,
    face: FacePresence,
    lids: OpennessTracker,
    blink: BlinkDetector,
    wink: WinkDetector,
    gaze: GazeDetector,
    profile: Option<GazeProfile>,
    switches: SwitchMap,
}

impl Engine {
    /// Validates the config and builds an engine with empty baselines and no gaze profile.
    pub fn new(config: &Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let g = &config.gesture;
        Ok(Self {
            dwell_ms: g.gaze_dwell_ms,
            open_fraction: g.open_fraction,
            armed: false,
            face: FacePresence::new(&config.face),
            lids: OpennessTracker::new(g),
            blink: BlinkDetector::new(g),
            wink: WinkDetector::new(g),
            gaze: GazeDetector::new(g.gaze_dwell_ms),
            profile: None,
            switches: SwitchMap::new(config),
        })
    }

    /// Sets or clears the user's gaze profile. Without one no `gaze` event is produced: iris
    /// ranges differ too much between faces for uncalibrated regions to be safe.
    pub fn set_gaze_profile(&mut self, profile: Option<GazeProfile>) {
        self.profile = profile;
        self.gaze = GazeDetector::new(self.dwell_ms);
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
        self.wink.update(t, &eyes, bilateral, &mut out);
        if let Some(profile) = &self.profile {
            let region = gaze_region(profile, &face, &eyes, bilateral);
            self.gaze.update(t, region, &mut out);
        }
    }
}

/// This frame's region, or `None` when an eye is closed or no iris is known.
fn gaze_region(
    profile: &GazeProfile,
    face: &FaceObservation,
    eyes: &EyeRatios,
    bilateral: bool,
) -> Option<GazeRegion> {
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
    Some(profile.classify(iris, face.head))
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
