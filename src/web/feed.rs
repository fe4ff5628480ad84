//! The frame loop's side of the setup page: it keeps the page's status, hands events to the
//! ring, fills the preview slot while someone watches, and takes the page's requests between
//! frames. Nothing here waits for the server or allocates per frame.

use std::path::PathBuf;
use std::sync::Arc;

use crate::capture::Frame;
use crate::event::{Event, EventKind, SwitchAction};
use crate::gesture::{GazeProfile, GuidedCalibration, Observation, Progress};
use crate::pipeline::Pipeline;
use crate::vision::Face;
use crate::web::status::{CalibrationState, Light, WebStatus};
use crate::web::Shared;

/// Events held while the ring is busy; more in one frame than this never happen.
const PENDING: usize = 64;
/// Test mode ends by itself after this long, so a forgotten test never leaves the switch
/// silently off.
pub const TEST_MODE_MS: u64 = 10 * 60 * 1000;
/// Time per calibration step when the page does not say: as `eyeswitch calibrate`'s default.
pub const STEP_MS: u32 = 2000;
/// Eye-region pixels sampled for the light level: every 2nd pixel of every 2nd row.
const LIGHT_STRIDE: usize = 2;

/// What the page asked the frame loop to do with the pipeline.
pub enum Change {
    /// New engine settings, applied with [`Pipeline::reconfigure`].
    Tuning(Box<crate::gesture::Config>),
    /// A calibrated profile, already saved.
    Profile(GazeProfile),
}

/// Feeds the page; the server threads live as long as the [`crate::web::WebServer`].
pub struct WebFeed {
    shared: Arc<Shared>,
    status: WebStatus,
    pending: [Event; PENDING],
    queued: usize,
    last_preview_ms: Option<u64>,
    calibration: Option<GuidedCalibration>,
    close_fraction: f32,
    profile_path: PathBuf,
    test_until_ms: Option<u64>,
}

impl WebFeed {
    pub(crate) fn new(shared: Arc<Shared>, status: WebStatus, profile_path: PathBuf) -> Self {
        Self {
            close_fraction: status.gesture.close_fraction,
            shared,
            status,
            pending: [EMPTY; PENDING],
            queued: 0,
            last_preview_ms: None,
            calibration: None,
            profile_path,
            test_until_ms: None,
        }
    }

    /// Whether `event` is kept from the outputs: in test mode and during a calibration from
    /// the page (whose prompts ask for the very looks a gaze switch may be mapped to) a press
    /// is (its gesture still reaches the page), a release never is, so nothing pressed before
    /// stays held.
    pub fn holds_back(&self, event: &Event) -> bool {
        (self.status.test_mode || self.calibration.is_some())
            && matches!(
                event.kind,
                EventKind::Switch {
                    action: SwitchAction::Press,
                    ..
                }
            )
    }

    /// One event, as every output gets it.
    pub fn event(&mut self, event: &Event) {
        self.status.model.apply(event);
        if self.queued < PENDING {
            self.pending[self.queued] = *event;
            self.queued += 1;
        }
        self.flush();
    }

    /// After each frame: the observation, and the calibration step it may finish.
    pub fn frame(&mut self, observation: &Observation) {
        self.status.model.observe(observation);
        self.status.observation = *observation;
        if self
            .test_until_ms
            .is_some_and(|until| observation.t_ms >= until)
        {
            self.test_until_ms = None;
            self.status.test_mode = false;
        }
        self.flush();
        self.shared.status.offer(&self.status);
    }

    /// Between frames: the preview (only while watched, at most [`crate::web::preview::MAX_FPS`]
    /// a second), baselines and light for the status, and the page's requests. Returns a change
    /// for the pipeline, if the page made one.
    pub fn after_frame(&mut self, frame: &Frame<'_>, pipeline: &Pipeline) -> Option<Change> {
        let face = pipeline.last_face();
        let preview = &self.shared.preview;
        let period = 1000 / crate::web::preview::MAX_FPS;
        if preview.watched()
            && self
                .last_preview_ms
                .is_none_or(|t| frame.t_ms.saturating_sub(t) >= period)
        {
            preview.fill(frame, face);
            self.last_preview_ms = Some(frame.t_ms);
        }
        self.status.baselines = pipeline.baselines();
        self.status.light = face.and_then(|f| light(frame, f));
        let change = self.requests(frame.t_ms).or_else(|| self.calibrate());
        self.shared.status.offer(&self.status);
        change
    }

    fn requests(&mut self, t_ms: u64) -> Option<Change> {
        let requests = self.shared.control.take()?;
        if let Some(on) = requests.test_mode {
            self.status.test_mode = on;
            self.test_until_ms = on.then_some(t_ms + TEST_MODE_MS);
        }
        match requests.calibrate {
            Some(Some(step_ms)) => {
                let flow = GuidedCalibration::new(
                    self.close_fraction,
                    step_ms,
                    crate::profile::default_profile(),
                );
                let line = flow.begin().line();
                self.calibration = Some(flow);
                self.status.calibration = CalibrationState::Running;
                self.show(&line);
            }
            Some(None) => {
                self.calibration = None;
                self.status.calibration = CalibrationState::Idle;
                self.show("calibration cancelled");
            }
            None => {}
        }
        let tuning = requests.tuning?;
        self.status.gesture = tuning.gesture;
        self.close_fraction = tuning.gesture.close_fraction;
        Some(Change::Tuning(Box::new(tuning)))
    }

    /// Feeds the running calibration this frame's observation; a finished one is saved.
    fn calibrate(&mut self) -> Option<Change> {
        let flow = self.calibration.as_mut()?;
        let mut last = None;
        flow.feed(&self.status.observation, &mut |p| {
            log::info!("calibration from the setup page: {}", p.line());
            last = Some(p);
        });
        let progress = last?;
        self.show(&progress.line());
        match progress {
            Progress::Done(profile) => {
                self.calibration = None;
                if let Err(e) = crate::profile::save(&self.profile_path, &profile) {
                    self.status.calibration = CalibrationState::Failed;
                    self.show(&format!("calibration done, but {e}"));
                    return None;
                }
                log::info!(
                    "calibrated from the setup page: wrote {}",
                    self.profile_path.display()
                );
                self.status.calibration = CalibrationState::Done;
                self.status.profile = Some(profile);
                Some(Change::Profile(profile))
            }
            Progress::Failed(_) => {
                self.calibration = None;
                self.status.calibration = CalibrationState::Failed;
                None
            }
            _ => None,
        }
    }

    fn show(&mut self, line: &str) {
        use std::fmt::Write;
        self.status.calibration_line.clear();
        let _ = self.status.calibration_line.write_str(line);
    }

    fn flush(&mut self) {
        if self.queued > 0 && self.shared.events.try_push(&self.pending[..self.queued]) {
            self.queued = 0;
        }
    }
}

/// Fills the pending array before any event is queued; never sent.
const EMPTY: Event = Event {
    t_ms: 0,
    frame: 0,
    kind: EventKind::Switch {
        switch: 0,
        action: SwitchAction::Release,
        gesture: crate::event::Gesture::LongBlink,
    },
};

/// Mean luma and clipped share over both eyes' contour boxes.
fn light(frame: &Frame<'_>, face: &Face) -> Option<Light> {
    let img = frame.image;
    let (mut sum, mut clipped, mut n) = (0u64, 0u64, 0u64);
    for eye in [&face.right_eye, &face.left_eye] {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in &eye.contour {
            x0 = x0.min(p[0]);
            y0 = y0.min(p[1]);
            x1 = x1.max(p[0]);
            y1 = y1.max(p[1]);
        }
        let clamp = |v: f32, max: usize| (v.max(0.0) as usize).min(max);
        let (x0, x1) = (clamp(x0, img.width), clamp(x1, img.width));
        let (y0, y1) = (clamp(y0, img.height), clamp(y1, img.height));
        for y in (y0..y1).step_by(LIGHT_STRIDE) {
            for x in (x0..x1).step_by(LIGHT_STRIDE) {
                let i = (y * img.width + x) * 3;
                let [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]].map(u32::from);
                // ITU-R BT.601 luma, in integers.
                let luma = (299 * r + 587 * g + 114 * b) / 1000;
                sum += u64::from(luma);
                clipped += u64::from(luma >= 250);
                n += 1;
            }
        }
    }
    (n > 0).then(|| Light {
        mean: sum as f32 / n as f32,
        clipped: clipped as f32 / n as f32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::event::Gesture;
    use crate::web::{control, events, preview, status};

    fn feed() -> WebFeed {
        let s = WebStatus::new(Config::default().gesture, None);
        let shared = Arc::new(Shared {
            status: status::StatusSlot::new(s),
            events: Arc::new(events::EventRing::default()),
            preview: preview::PreviewSlot::default(),
            control: control::Control::default(),
        });
        WebFeed::new(shared, s, PathBuf::from("/nonexistent/profile.toml"))
    }

    fn switch(action: SwitchAction) -> Event {
        Event {
            t_ms: 0,
            frame: 0,
            kind: EventKind::Switch {
                switch: 1,
                action,
                gesture: Gesture::LongBlink,
            },
        }
    }

    #[test]
    fn test_mode_holds_back_presses_but_never_releases_and_ends_by_itself() {
        let mut f = feed();
        assert!(!f.holds_back(&switch(SwitchAction::Press)));
        f.shared.control.request(|r| r.test_mode = Some(true));
        assert!(f.requests(1000).is_none());
        assert!(f.holds_back(&switch(SwitchAction::Press)));
        assert!(!f.holds_back(&switch(SwitchAction::Release)));
        let blink = Event {
            kind: EventKind::Blink { duration_ms: 100 },
            ..switch(SwitchAction::Press)
        };
        assert!(!f.holds_back(&blink));
        f.frame(&Observation {
            t_ms: 1000 + TEST_MODE_MS,
            ..Observation::default()
        });
        assert!(!f.holds_back(&switch(SwitchAction::Press)), "expired");
    }

    #[test]
    fn a_calibration_from_the_page_holds_back_presses_until_it_ends() {
        let mut f = feed();
        f.shared.control.request(|r| r.calibrate = Some(Some(1000)));
        assert!(f.requests(0).is_none());
        assert!(f.holds_back(&switch(SwitchAction::Press)));
        assert!(!f.holds_back(&switch(SwitchAction::Release)));
        f.shared.control.request(|r| r.calibrate = Some(None));
        assert!(f.requests(10).is_none());
        assert!(!f.holds_back(&switch(SwitchAction::Press)), "cancelled");
    }
}
