//! `eyeswitch replay`: runs a recording through exactly the camera's pipeline.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::capture::{CaptureError, Decoder, FrameSource, ReplaySource};
use crate::config::Config;
use crate::event::Event;
use crate::event_text::EventText;
use crate::inference::ModelError;
use crate::pipeline::{self, BuildError, FrameReport};

/// What can stop `replay` or `bench`.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("baseline {path}: {what}")]
    Baseline { path: PathBuf, what: String },
    #[error("--precision compares the iris pipeline's f32 and int8 models; the attention mesh has only f32: add --landmark-model iris")]
    NoInt8Attention,
    #[error("cannot write to stdout: {0}")]
    Stdout(#[from] std::io::Error),
}

/// Opens a recording (MJPEG stream file or directory of images) as a decoded frame source.
pub fn open_source(path: &Path, fps: f64) -> Result<Decoder<ReplaySource>, ReplayError> {
    Ok(Decoder::new(ReplaySource::open(path, fps)?))
}

/// The rate `replay` assumes without `--fps`: what a UVC camera streams by default.
pub const DEFAULT_FPS: f64 = 30.0;

/// Replays `source`, printing events (JSON lines when `json`, else one line per event for
/// people) and a closing summary line. `fps`: `--fps`, if given.
pub fn run(
    config: &Config,
    source: &Path,
    fps: Option<f64>,
    json: bool,
    trace: Option<&Path>,
) -> Result<(), ReplayError> {
    let mut pipeline = pipeline::build(config)?;
    let mut frames_in = open_source(source, fps.unwrap_or(DEFAULT_FPS))?;
    announce_rate(source, fps);
    let mut trace_out = match trace {
        Some(path) => Some((path, BufWriter::new(create(path)?))),
        None => None,
    };
    if let Some((path, out)) = trace_out.as_mut() {
        writeln!(
            out,
            "frame,t_ms,face,openness_right,openness_left,gaze_x,gaze_y,distance_mm"
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
    let dropped = frames_in.corrupt_frames();
    let fps_processing = (fps_processing * 10.0).round() / 10.0;
    if json {
        let summary = serde_json::json!({"summary": {
            "frames": frames,
            "face_frames": face_frames,
            "dropped": dropped,
            "fps_processing": fps_processing,
        }});
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "{frames} frames, {face_frames} with a face, {dropped} unreadable; \
             processed at {fps_processing} frames/s"
        )?;
    }
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

/// Says on stderr which rate stamps the frames: MJPEG streams and image directories carry no
/// timing, and a wrong rate stretches every gesture, so a guessed rate is a warning.
fn announce_rate(source: &Path, fps: Option<f64>) {
    let source = source.display();
    match fps {
        Some(fps) => eprintln!("replay: {source} carries no frame timing; using --fps {fps}"),
        None => eprintln!(
            "replay: warning: {source} carries no frame timing and --fps was not given, so \
             {DEFAULT_FPS} fps is assumed. A wrong rate stretches every gesture (a 400 ms blink \
             of a 30 fps clip read at 24 fps lasts 500 ms, a long blink): pass the recording's \
             rate with --fps (ffprobe shows it)"
        ),
    }
}

/// One event: a JSON line, or a line for people (see [`EventText`]).
pub fn print_event(out: &mut impl Write, e: &Event, json: bool) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, e)?;
        writeln!(out)
    } else {
        writeln!(out, "{}", EventText(e))
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
                Some((x, y)) => write!(w, ",{x:.4},{y:.4}")?,
                None => write!(w, ",,")?,
            }
            match f.distance_mm {
                Some(d) => writeln!(w, ",{d:.0}"),
                None => writeln!(w, ","),
            }
        }
        None => writeln!(w, ",,,,,"),
    }
}
