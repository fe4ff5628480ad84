//! `eyeswitch calibrate`: a guided gaze calibration a carer runs with the user. It asks for a
//! look at the centre, then left, right, up and down, about 2 s each; a step where the face was
//! lost or the eyes were closed is repeated; the profile goes where `run` reads it.
//!
//! With `--source` the same flow runs on a recording, the steps given as frame ranges, so it
//! can be tried (and tested) on real footage.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::ModelArgs;
use crate::capture::{CaptureError, CaptureThread, Decoder, FrameSource, ReplaySource, V4l2Source};
use crate::config::{Config, ConfigError};
use crate::display::{self, StatusFeed};
use crate::event::GazeRegion;
use crate::gesture::calibration_flow::{explain, name, TARGETS};
use crate::gesture::{
    CalibrationSession, DirectionRange, GazeProfile, GuidedCalibration, Observation, Progress,
};
use crate::pipeline::{self, BuildError, Pipeline};
use crate::profile::{self, ProfileFileError};

/// What can stop `calibrate`.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Model(#[from] crate::inference::ModelError),
    #[error(transparent)]
    Profile(#[from] ProfileFileError),
    #[error("the centre step failed ({0}); no profile was written: the other directions are measured from the centre")]
    NoCentre(String),
    #[error("cannot write to stdout: {0}")]
    Stdout(#[from] std::io::Error),
}

/// One step of a recording: a target and its first and last frame (0-based, inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameStep {
    pub target: GazeRegion,
    pub first: u64,
    pub last: u64,
}

/// `--steps`: `TARGET=FIRST-LAST,...`, e.g. `centre=0-60,left=61-120`. Targets are `centre`
/// (or `center`), `left`, `right`, `up`, `down`, on the user's own side; frames are 0-based and
/// inclusive, as ffmpeg numbers them. The centre comes first and each target at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Steps(pub Vec<FrameStep>);

impl FromStr for Steps {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut steps: Vec<FrameStep> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = |why: &str| {
                format!("{part:?}: {why}; write TARGET=FIRST-LAST, e.g. centre=0-60,left=61-120")
            };
            let (name, range) = part.split_once('=').ok_or_else(|| bad("no '='"))?;
            let target = region(name.trim())
                .ok_or_else(|| bad("the target is not one of centre, left, right, up, down"))?;
            let (first, last) = range.split_once('-').ok_or_else(|| bad("no '-'"))?;
            let frame = |v: &str| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| bad("a frame is not a whole number"))
            };
            let (first, last) = (frame(first)?, frame(last)?);
            if last < first {
                return Err(bad("the last frame comes before the first"));
            }
            if steps.iter().any(|s| s.target == target) {
                return Err(bad("this target is given twice"));
            }
            if steps.is_empty() && target != GazeRegion::Center {
                return Err(bad("the first step must be the centre"));
            }
            if let Some(prev) = steps.last().filter(|p| first <= p.last) {
                return Err(bad(&format!(
                    "it starts before the previous step ends (frame {})",
                    prev.last
                )));
            }
            steps.push(FrameStep {
                target,
                first,
                last,
            });
        }
        if steps.is_empty() {
            return Err("is empty; write TARGET=FIRST-LAST, e.g. centre=0-60,left=61-120".into());
        }
        Ok(Steps(steps))
    }
}

fn region(name: &str) -> Option<GazeRegion> {
    Some(match name {
        "centre" | "center" => GazeRegion::Center,
        "left" => GazeRegion::Left,
        "right" => GazeRegion::Right,
        "up" => GazeRegion::Up,
        "down" => GazeRegion::Down,
        _ => return None,
    })
}

/// Where the frames come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The configured camera, `step_ms` per step.
    Camera { step_ms: u32 },
    /// A recording at `fps`, with the steps as frame ranges.
    Recording {
        path: PathBuf,
        fps: f64,
        steps: Steps,
    },
}

/// Runs the calibration, writes the profile and prints the range measured per direction.
/// `profile_path` overrides `[gaze] profile`.
pub fn run(
    config_path: Option<&Path>,
    models: &ModelArgs,
    profile_path: Option<&Path>,
    source: &Source,
) -> Result<(), CalibrateError> {
    let mut config = models.apply(Config::load_or_default(config_path)?);
    if let Some(p) = profile_path {
        config.gaze.profile = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    }
    let mut pipeline = pipeline::build(&config)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // Directions left uncalibrated keep the default's reach, recentred on this user.
    let fallback = profile::default_profile();
    let (profile, directions) = match source {
        Source::Recording { path, fps, steps } => {
            let mut session = CalibrationSession::new(config.gesture.close_fraction);
            recording(&mut pipeline, &mut session, path, *fps, steps, &mut out)?;
            let profile = session
                .profile(fallback.as_ref())
                .ok_or_else(|| CalibrateError::NoCentre("not measured".into()))?;
            (profile, session.directions().to_vec())
        }
        Source::Camera { step_ms } => {
            let mut status = match display::setup::start(&config.display) {
                Ok(feed) => feed,
                Err(e) => {
                    log::error!("display: {e}; prompts only on the terminal");
                    None
                }
            };
            let flow = GuidedCalibration::new(config.gesture.close_fraction, *step_ms, fallback);
            camera(
                &config,
                &mut pipeline,
                flow,
                *step_ms,
                status.as_mut(),
                &mut out,
            )?
        }
    };
    summary(&mut out, &directions, &profile)?;
    profile::save(&config.gaze.profile, &profile)?;
    writeln!(
        out,
        "wrote {}; `eyeswitch run` uses it from its next start",
        config.gaze.profile.display()
    )?;
    Ok(())
}

/// The flow on a recording: every frame goes through the pipeline (so tracking is as on the
/// camera); the frames inside each range make that step. A rejected step cannot be repeated
/// on a recording: it is reported and its direction left uncalibrated.
fn recording(
    pipeline: &mut Pipeline,
    session: &mut CalibrationSession,
    path: &Path,
    fps: f64,
    steps: &Steps,
    out: &mut impl Write,
) -> Result<(), CalibrateError> {
    let mut frames = Decoder::new(ReplaySource::open(path, fps)?);
    let last = steps.0.iter().map(|s| s.last).max().unwrap_or(0);
    let mut taken: Vec<Vec<Observation>> = vec![Vec::new(); steps.0.len()];
    while let Some(frame) = frames.next_frame()? {
        let index = frame.index;
        let report = pipeline.process(&frame, &mut |_| {})?;
        if let Some(i) = steps
            .0
            .iter()
            .position(|s| (s.first..=s.last).contains(&index))
        {
            taken[i].push(report.observation);
        }
        if index >= last {
            break;
        }
    }
    for (step, frames) in steps.0.iter().zip(&taken) {
        let name = name(step.target);
        let expected = (step.last - step.first + 1) as usize;
        let outcome = if frames.len() < expected {
            Err(format!(
                "frames {}-{}: the recording has only {} of its {expected} frames",
                step.first,
                step.last,
                frames.len()
            ))
        } else {
            session
                .step(step.target, frames)
                .map(|_| ())
                .map_err(|e| explain(&e))
        };
        match outcome {
            Ok(()) => writeln!(out, "{name}: frames {}-{} accepted", step.first, step.last)?,
            Err(why) if step.target == GazeRegion::Center => {
                return Err(CalibrateError::NoCentre(why))
            }
            Err(why) => writeln!(
                out,
                "{name}: rejected: {why} (on the camera this step would be repeated); {name} is left uncalibrated"
            )?,
        }
    }
    Ok(())
}

/// The guided flow on the camera ([`GuidedCalibration`], as the setup page runs it): the
/// profile and the directions measured, or why the centre failed.
fn camera(
    config: &Config,
    pipeline: &mut Pipeline,
    mut flow: GuidedCalibration,
    step_ms: u32,
    mut status: Option<&mut StatusFeed>,
    out: &mut impl Write,
) -> Result<(GazeProfile, Vec<DirectionRange>), CalibrateError> {
    let cam = &config.camera;
    let camera =
        V4l2Source::new(&cam.device, cam.wanted()).on_status(|s| log::warn!("camera: {s:?}"));
    let mut frames = Decoder::new(CaptureThread::spawn(camera)?);
    writeln!(
        out,
        "calibrating on {}: the person looks at each target for about {:.0} s, head still",
        cam.device.display(),
        f64::from(step_ms) / 1000.0
    )?;
    let mut lines: Vec<Progress> = vec![flow.begin()];
    let mut ended = None;
    loop {
        for progress in lines.drain(..) {
            if let Some(s) = status.as_deref_mut() {
                s.prompt(&progress.line());
            }
            writeln!(out, "{}", progress.line())?;
            out.flush()?;
            match progress {
                Progress::Done(profile) => ended = Some(Ok(profile)),
                Progress::Failed(why) => ended = Some(Err(CalibrateError::NoCentre(why))),
                _ => {}
            }
        }
        if let Some(ended) = ended {
            return ended.map(|p| (p, flow.session().directions().to_vec()));
        }
        let Some(frame) = frames.next_frame()? else {
            return Err(CalibrateError::NoCentre("the camera stopped".into()));
        };
        let report = pipeline.process(&frame, &mut |_| {})?;
        flow.feed(&report.observation, &mut |p| lines.push(p));
    }
}

/// The measured range per direction, a warning for each too close to the centre, and which
/// directions the profile cannot detect.
fn summary(
    out: &mut impl Write,
    directions: &[DirectionRange],
    profile: &GazeProfile,
) -> std::io::Result<()> {
    writeln!(
        out,
        "centre: iris at x {:+.2}, y {:+.2} half eye widths (head yaw {:+.2}, pitch {:+.2} rad)",
        profile.centre_x, profile.centre_y, profile.centre_yaw, profile.centre_pitch
    )?;
    for target in &TARGETS[1..] {
        let name = name(*target);
        match directions.iter().find(|d| d.target == *target) {
            Some(d) => {
                writeln!(
                    out,
                    "{name}: moved {:.2} ({:.2}..{:.2}) half eye widths from the centre; threshold at {:.2}",
                    d.offset, d.low, d.high, d.offset / 2.0
                )?;
                if d.is_close() {
                    writeln!(
                        out,
                        "warning: {name} is too close to the centre to be told apart reliably \
                         (under {:.2}): mild looks may trigger it; calibrate again with a \
                         farther look, or do not map gaze_{name}",
                        crate::gesture::WARN_OFFSET
                    )?;
                }
            }
            None if profile.detects(*target) => {
                writeln!(out, "{name}: not calibrated; the default threshold applies")?
            }
            None => writeln!(
                out,
                "{name}: not calibrated; this profile cannot detect it (gaze_{name} will not fire)"
            )?,
        }
    }
    Ok(())
}
