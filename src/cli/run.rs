//! `eyeswitch run`: the camera (or a recording standing in for it), the pipeline, the
//! configured outputs and status screen, until SIGINT/SIGTERM.
//!
//! Exit status: 0 after a signal or the end of a `--source` recording, [`EXIT_CONFIG`] for a
//! config the user must fix (systemd does not restart it), 1 for any other failure (restarted).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::ModelArgs;
use crate::capture::{
    CaptureError, CaptureThread, Decoder, EncodedSource, Frame, Paced, ReplaySource, V4l2Source,
};
use crate::config::{self, Config};
use crate::display::{self, StatusFeed};
use crate::event::Event;
use crate::event_text::EventText;
use crate::gesture::Observation;
use crate::live::{CameraWatch, End, Live, LiveSink, StatusCell};
use crate::output::{setup, FanOut, OutputError};
use crate::pipeline::{self, BuildError, Pipeline};
use crate::service::{self, Health, Notifier};
use crate::web::{Change, WebFeed, WebServer};

/// Exit status for a config error: sysexits.h's EX_CONFIG, named in the unit's
/// `RestartPreventExitStatus`, so a bad file is not restarted every few seconds forever.
pub const EXIT_CONFIG: u8 = 78;

/// How long the frame loop waits for a frame before it checks pulses, stalls and signals:
/// short next to a pulse (200 ms) and to the stall release (300 ms).
const POLL: Duration = Duration::from_millis(20);

/// What can stop `run`.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("outputs: {0}")]
    Output(#[from] OutputError),
    #[error("{0}; every switch was released")]
    Capture(#[from] CaptureError),
    #[error("cannot start the watchdog thread: {0}")]
    Watchdog(std::io::Error),
    #[error("--profile {}: {source}", path.display())]
    Profile {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl RunError {
    /// [`EXIT_CONFIG`] when only the user can fix it, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Config(_) | RunError::Build(BuildError::Config(_)) => EXIT_CONFIG,
            _ => 1,
        }
    }
}

/// Where frames come from (the configured camera, or a recording played in real time), and
/// the gaze profile if the command line names one.
#[derive(Debug, Clone, Default)]
pub struct SourceArgs {
    /// An MJPEG file, a FIFO carrying one, or a directory of images.
    pub source: Option<PathBuf>,
    /// The recording's frame rate.
    pub fps: f64,
    /// A gaze profile in place of the config's `[gaze] profile`.
    pub profile: Option<PathBuf>,
}

/// Set by SIGINT/SIGTERM; the loop then stops and every output releases its switches.
static STOP: AtomicBool = AtomicBool::new(false);
/// How often the stop thread looks at [`STOP`]: short next to a switch pulse.
const STOP_POLL: Duration = Duration::from_millis(20);

extern "C" fn request_stop(_signal: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// The status screen's feed, or `None` when there is no screen or it cannot be opened: the
/// switch matters more than the screen, so a screen fault never stops `run`.
fn start_display(config: &Config) -> Option<StatusFeed> {
    match display::setup::start(&config.display) {
        Ok(feed) => feed,
        Err(e) => {
            log::error!("display: {e}; running without the status screen");
            None
        }
    }
}

/// Outputs and status screen, as the live loop's sink. The fan-out is locked per event only,
/// so the stop thread can always reach it to release the switches.
struct Sinks {
    fan: Arc<Mutex<FanOut>>,
    status: Option<StatusFeed>,
    web: Option<WebFeed>,
}

impl LiveSink for Sinks {
    fn event(&mut self, event: &Event) {
        // The page's test mode holds presses back; releases always go out.
        if !self.web.as_ref().is_some_and(|w| w.holds_back(event)) {
            lock(&self.fan).send(event);
        }
        if let Some(status) = self.status.as_mut() {
            status.event(event);
        }
        if let Some(web) = self.web.as_mut() {
            web.event(event);
        }
        // After the outputs have it: the journal's line for people (the service logs at info).
        log::info!("{}", EventText(event));
    }

    fn frame(&mut self, observation: &Observation) {
        if let Some(status) = self.status.as_mut() {
            status.frame(observation);
        }
        if let Some(web) = self.web.as_mut() {
            web.frame(observation);
        }
    }

    fn after_frame(&mut self, frame: &Frame<'_>, pipeline: &mut Pipeline) {
        let Some(change) = self
            .web
            .as_mut()
            .and_then(|w| w.after_frame(frame, pipeline))
        else {
            return;
        };
        match change {
            Change::Tuning(engine) => {
                let (t, index) = (frame.t_ms, frame.index);
                match pipeline.reconfigure(&engine, t, index, &mut |e| self.event(&e)) {
                    Ok(()) => log::info!("tuning from the setup page applied"),
                    Err(e) => log::error!("tuning from the setup page not applied: {e}"),
                }
            }
            Change::Profile(profile) => pipeline.set_gaze_profile(Some(profile)),
        }
    }
}

/// The setup page when `[web]` asks for it; a page that cannot start is logged and `run` goes
/// on without it, as without a status screen: the switch matters more.
fn start_web(
    config: &Config,
    config_file: Option<PathBuf>,
) -> (Option<WebServer>, Option<WebFeed>) {
    let Some(web) = &config.web else {
        return (None, None);
    };
    let profile = crate::profile::load_or_default(&config.gaze.profile).profile;
    match WebServer::start(web, config, config_file, profile) {
        Ok((server, feed)) => {
            log::info!("setup page: {}", server.url());
            (Some(server), Some(feed))
        }
        Err(e) => {
            log::error!("setup page: {e}; running without it");
            (None, None)
        }
    }
}

/// A poisoned fan-out is still usable: its state is per-worker atomics and queues.
fn lock(fan: &Mutex<FanOut>) -> MutexGuard<'_, FanOut> {
    fan.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The frame source `run` reads: the camera, reporting its status to `cell`, or the recording.
fn open_source(
    config: &Config,
    source: &SourceArgs,
    cell: &Arc<StatusCell>,
) -> Result<Box<dyn EncodedSource + Send>, RunError> {
    if let Some(path) = &source.source {
        let recording = ReplaySource::open(path, source.fps)?;
        return Ok(Box::new(Paced::new(recording)));
    }
    let cam = &config.camera;
    let cell = Arc::clone(cell);
    let camera = V4l2Source::new(&cam.device, cam.wanted()).on_status(move |s| cell.set(s));
    Ok(Box::new(camera))
}

/// Streams until a signal (or the end of a `--source` recording); a camera error never ends
/// it, a capture thread that dies does (non-zero, so the service is restarted).
pub fn run(
    config_path: Option<&Path>,
    models: &ModelArgs,
    source: &SourceArgs,
) -> Result<(), RunError> {
    let mut config = models.apply(Config::load_or_default(config_path)?);
    if let Some(profile) = &source.profile {
        config.gaze.profile = std::path::absolute(profile).map_err(|e| RunError::Profile {
            path: profile.clone(),
            source: e,
        })?;
    }
    let mut pipeline = pipeline::build(&config)?;
    if !config.outputs.any() {
        log::warn!(
            "{}: no output is configured ([outputs.gpio], .serial, .hid or .stdout): presses go nowhere",
            config.origin
        );
    }
    let fan = Arc::new(Mutex::new(setup::start(&config.outputs)?));
    let cell = Arc::new(StatusCell::default());
    let raw = open_source(&config, source, &cell)?;
    let mut frames = Decoder::new(CaptureThread::spawn(raw)?.with_timeout(POLL));
    install_stop(Arc::clone(&fan));
    let health = Arc::new(Health::default());
    let _notifier = Notifier::start(Arc::clone(&health)).map_err(RunError::Watchdog)?;
    let what = match &source.source {
        Some(path) => format!("recording {}", path.display()),
        None => format!("camera {}", config.camera.device.display()),
    };
    log::info!("eyeswitch running: {what}, config {}", config.origin);
    service::ready(&health);
    // Where tuning from the page is saved: the file this config was read from.
    let config_file = config_path
        .map(Path::to_path_buf)
        .or_else(|| Some(PathBuf::from(config::DEFAULT_PATH)).filter(|p| p.is_file()));
    let (server, web) = start_web(&config, config_file);
    let mut status = start_display(&config);
    if let (Some(status), Some(server)) = (status.as_mut(), &server) {
        status.set_setup_url(server.url());
    }
    let mut sinks = Sinks {
        fan: Arc::clone(&fan),
        status,
        web,
    };
    let mut live = Live {
        pipeline: &mut pipeline,
        watch: CameraWatch::new(config.camera.stall_release_ms),
        camera: &cell,
        health: &health,
        stop: &STOP,
    };
    let ended = live.run(&mut frames, &mut sinks);
    lock(&fan).finish();
    match ended {
        Ok(End::Stopped) => log::info!("stopped: every switch released"),
        Ok(End::EndOfStream) => log::info!("{what} ended: every switch released"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// SIGINT/SIGTERM: a thread of its own releases every switch and ends the process, even while
/// the frame loop is busy in a model.
fn install_stop(fan: Arc<Mutex<FanOut>>) {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            request_stop as *const () as libc::sighandler_t,
        );
        libc::signal(
            libc::SIGTERM,
            request_stop as *const () as libc::sighandler_t,
        );
    }
    std::thread::spawn(move || {
        while !STOP.load(Ordering::SeqCst) {
            std::thread::sleep(STOP_POLL);
        }
        log::info!("stopping: releasing every switch");
        lock(&fan).shutdown();
        std::process::exit(0);
    });
}
