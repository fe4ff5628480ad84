//! `eyeswitch replay`: runs a recording through exactly the camera's pipeline.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::capture::{CaptureError, Decoder, FrameSource, ReplaySource};
use crate::event::Event;
use crate::gesture::{self, Engine};
use crate::inference::ModelError;
use crate::models::Precisions;
use crate::pipeline::{FrameReport, Pipeline, Tracker};
use crate::vision::Landmarker;

/// What can stop `replay` or `bench`.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("gesture settings: {0}")]
    Gesture(#[from] gesture::ConfigError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("baseline {path}: {what}")]
    Baseline { path: PathBuf, what: String },
    #[error("cannot write to stdout: {0}")]
    Stdout(#[from] std::io::Error),
}

/// Loads the models and the gesture engine into a ready pipeline.
///
/// `threads`: see [`Landmarker::use_threads`].
pub fn build_pipeline(
    models_dir: &Path,
    precisions: &Precisions,
    threads: u32,
    gestures: &gesture::Config,
) -> Result<Pipeline, ReplayError> {
    let mut landmarker = Landmarker::load(models_dir, precisions)?;
    landmarker.use_threads(models_dir, threads)?;
    let tracker = Tracker::new(landmarker);
    Ok(Pipeline::new(tracker, Engine::new(gestures)?))
}

/// Opens a recording (MJPEG stream file or directory of images) as a decoded frame source.
pub fn open_source(path: &Path, fps: f64) -> Result<Decoder<ReplaySource>, ReplayError> {
    Ok(Decoder::new(ReplaySource::open(path, fps)?))
}

/// Replays `source`, printing events (JSON lines when `json`) and a closing summary line.
pub fn run(
    models_dir: &Path,
    precisions: &Precisions,
    threads: u32,
    source: &Path,
    fps: f64,
    json: bool,
    trace: Option<&Path>,
) -> Result<(), ReplayError> {
    let mut pipeline =
        build_pipeline(models_dir, precisions, threads, &gesture::Config::default())?;
    let mut frames_in = open_source(source, fps)?;
    let mut trace_out = match trace {
        Some(path) => Some((path, BufWriter::new(create(path)?))),
        None => None,
    };
    if let Some((path, out)) = trace_out.as_mut() {
        writeln!(
            out,
            "frame,t_ms,face,openness_right,openness_left,gaze_x,gaze_y"
        )
        .map_err(write_err(path))?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut write_result = Ok(());
    let (mut frames, mut face_frames) = (0u64, 0u64);
    let start = Instant::now();
    while let Some(frame) = frames_in.next_frame()? {
        let report = pipeline.process(&frame, &mut |e| {
            if write_result.is_ok() {
                write_result = print_event(&mut out, &e, json);
            }
        })?;
        std::mem::replace(&mut write_result, Ok(()))?;
        frames += 1;
        face_frames += u64::from(report.observation.face.is_some());
        if let Some((path, w)) = trace_out.as_mut() {
            trace_row(w, &report).map_err(write_err(path))?;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let fps_processing = if secs > 0.0 {
        frames as f64 / secs
    } else {
        0.0
    };
    let summary = serde_json::json!({"summary": {
        "frames": frames,
        "face_frames": face_frames,
        "dropped": frames_in.corrupt_frames(),
        "fps_processing": (fps_processing * 10.0).round() / 10.0,
    }});
    writeln!(out, "{summary}")?;
    if let Some((path, mut w)) = trace_out {
        w.flush().map_err(write_err(path))?;
    }
    Ok(())
}

fn create(path: &Path) -> Result<File, ReplayError> {
    File::create(path).map_err(write_err(path))
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> ReplayError + '_ {
    move |source| ReplayError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// One event: a JSON line, or a short line for people.
pub fn print_event(out: &mut impl Write, e: &Event, json: bool) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, e)?;
        writeln!(out)
    } else {
        writeln!(
            out,
            "{:>9.3} s  frame {:>6}  {:?}",
            e.t_ms as f64 / 1000.0,
            e.frame,
            e.kind
        )
    }
}

fn trace_row(w: &mut impl Write, r: &FrameReport) -> std::io::Result<()> {
    let o = &r.observation;
    write!(w, "{},{},{}", o.frame, o.t_ms, u8::from(o.face.is_some()))?;
    match o.face {
        Some(f) => {
            let gaze = match (f.right.iris, f.left.iris) {
                (Some(a), Some(b)) => Some(((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)),
                _ => None,
            };
            write!(w, ",{:.4},{:.4}", f.right.openness, f.left.openness)?;
            match gaze {
                Some((x, y)) => writeln!(w, ",{x:.4},{y:.4}"),
                None => writeln!(w, ",,"),
            }
        }
        None => writeln!(w, ",,,,"),
    }
}
