//! `eyeswitch run`: the camera, the pipeline, the configured outputs and status screen, until
//! SIGINT/SIGTERM.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::replay::{build_pipeline, ReplayError};
use super::ModelArgs;
use crate::capture::{CaptureThread, Decoder, FrameSource, V4l2Source, Wanted};
use crate::config::{self, Config};
use crate::display::{self, StatusFeed};
use crate::event::{Event, EventKind};
use crate::gesture::{self, GestureConfig};
use crate::output::{setup, OutputError};

/// What can stop `run` before it starts streaming.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("{file}: [gesture] {source}")]
    Gesture {
        file: String,
        source: toml::de::Error,
    },
    #[error(transparent)]
    Pipeline(#[from] ReplayError),
    #[error("outputs: {0}")]
    Output(#[from] OutputError),
}

/// Set by SIGINT/SIGTERM; the loop then stops and every output releases its switches.
static STOP: AtomicBool = AtomicBool::new(false);
/// How often the stop thread looks at [`STOP`]: short next to a switch pulse.
const STOP_POLL: Duration = Duration::from_millis(20);

extern "C" fn request_stop(_signal: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Loads the config (`path`, else /etc/eyeswitch/eyeswitch.toml if present, else defaults).
pub fn load_config(path: Option<&Path>) -> Result<(Config, String), RunError> {
    let default = Path::new(config::DEFAULT_PATH);
    match path {
        Some(p) => Ok((Config::load(p)?, p.display().to_string())),
        None if default.is_file() => Ok((Config::load(default)?, config::DEFAULT_PATH.into())),
        None => Ok((Config::default(), "built-in defaults".into())),
    }
}

/// The gesture engine's settings: timings from `[gesture]`, switches from `[[switch]]`.
pub fn engine_config(config: &Config, file: &str) -> Result<gesture::Config, RunError> {
    let timings: GestureConfig = toml::Value::Table(config.gesture.clone())
        .try_into()
        .map_err(|source| RunError::Gesture {
            file: file.to_string(),
            source,
        })?;
    Ok(gesture::Config {
        gesture: timings,
        switch: config.switches.iter().map(|s| s.mapping()).collect(),
        ..gesture::Config::default()
    })
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

/// Streams from the configured camera until a signal; never exits on a camera error.
pub fn run(config_path: Option<&Path>, models: &ModelArgs) -> Result<(), RunError> {
    let (config, file) = load_config(config_path)?;
    let mut pipeline = build_pipeline(
        &models.dir_for(&config),
        &models.precisions_for(&config)?,
        models.threads_for(&config)?,
        &engine_config(&config, &file)?,
    )?;
    let fan = Arc::new(Mutex::new(setup::start(&config.outputs)?));
    let mut status = start_display(&config);
    let cam = &config.camera;
    let wanted = Wanted {
        width: cam.width,
        height: cam.height,
        fps: f64::from(cam.fps),
    };
    let slot = status.as_ref().map(StatusFeed::slot);
    let camera = V4l2Source::new(&cam.device, wanted).on_status(move |status| {
        log::warn!("camera: {status:?}");
        if let Some(slot) = &slot {
            // The screen shows only the kind; the camera has no frame time to give.
            let kind = EventKind::Camera { status };
            slot.apply(&Event {
                t_ms: 0,
                frame: 0,
                kind,
            });
        }
    });
    let mut frames = Decoder::new(CaptureThread::spawn(camera).map_err(ReplayError::from)?);
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
    // The frame loop may wait on a camera that is gone, so a separate thread answers the
    // signal: it releases every switch and ends the process.
    let stopper = Arc::clone(&fan);
    std::thread::spawn(move || {
        while !STOP.load(Ordering::SeqCst) {
            std::thread::sleep(STOP_POLL);
        }
        log::info!("stopping: releasing every switch");
        if let Ok(mut fan) = stopper.lock() {
            fan.shutdown();
        }
        std::process::exit(0);
    });
    log::info!(
        "eyeswitch running: camera {}, config {file}",
        cam.device.display()
    );
    loop {
        match frames.next_frame() {
            Ok(Some(frame)) => {
                let Ok(fan) = fan.lock() else { break };
                let processed = pipeline.process(&frame, &mut |e: Event| {
                    fan.send(&e);
                    if let Some(status) = status.as_mut() {
                        status.event(&e);
                    }
                });
                match processed {
                    Ok(report) => {
                        if let Some(status) = status.as_mut() {
                            status.frame(&report.observation);
                        }
                    }
                    Err(e) => log::error!("frame {}: {e}", frame.index),
                }
            }
            Ok(None) => break,
            Err(e) => log::error!("camera: {e}"),
        }
    }
    if let Ok(mut fan) = fan.lock() {
        fan.shutdown();
    }
    Ok(())
}
