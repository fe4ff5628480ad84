//! `eyeswitch bench`: per-stage timing and allocations of the live pipeline on a recording.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use super::replay::{open_source, ReplayError};
use crate::alloc_count;
use crate::capture::FrameSource;
use crate::config::{Config, PrecisionChoice};
use crate::models::{LandmarkModel, Precision, Precisions};
use crate::pipeline::{self, Pipeline};

/// Frames run before measuring, so start-up allocations and cold caches are left out.
const WARM_UP: usize = 10;
/// The stages timed, in the order printed. `own` is the frame less its time inside tract on
/// this thread: decode, crops, projections and gestures, the part that is eyeswitch's code
/// (with `--threads 2`, waiting for the other core's iris run counts in it too).
const STAGES: [&str; 7] = [
    "decode", "detector", "mesh", "iris", "gestures", "own", "frame",
];

/// Times of one stage, one entry per frame it ran on, in a ring of the last `capacity` frames.
///
/// The ring is filled at start-up, so a long `--duration` run's RSS measures the pipeline, not
/// a growing list of samples.
struct Stage {
    name: &'static str,
    ms: Vec<f64>,
    runs: usize,
}

impl Stage {
    fn new(name: &'static str, capacity: usize) -> Stage {
        Stage {
            name,
            ms: vec![0.0; capacity.max(1)],
            runs: 0,
        }
    }
    fn push(&mut self, d: Duration) {
        if !d.is_zero() {
            let slot = self.runs % self.ms.len();
            self.ms[slot] = d.as_secs_f64() * 1000.0;
            self.runs += 1;
        }
    }
    fn quantile(&mut self, q: f64) -> f64 {
        let len = self.runs.min(self.ms.len());
        let kept = &mut self.ms[..len];
        if kept.is_empty() {
            return 0.0;
        }
        kept.sort_by(f64::total_cmp);
        kept[((kept.len() - 1) as f64 * q).round() as usize]
    }
}

/// Resident and peak memory of this process, kB (VmRSS, VmHWM of /proc/self/status); zeros
/// where /proc is missing.
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// What `eyeswitch bench` runs and compares against.
pub struct Options<'a> {
    pub fps: f64,
    /// Frames to measure after the warm-up (all when `None`).
    pub max_frames: Option<usize>,
    /// Replay the source again from the start until this much time has passed.
    pub duration: Option<Duration>,
    /// The JSON line `scripts/bench-mediapipe` printed, to compare with.
    pub baseline: Option<&'a Path>,
    /// Time every model in this precision, and the same frames in the other one to compare
    /// with; f32 alone when `None`.
    pub precision: Option<Precision>,
}

/// The MediaPipe figure to compare with, from `scripts/bench-mediapipe`'s JSON line.
fn read_baseline(path: &Path) -> Result<f64, ReplayError> {
    let bad = |what: String| ReplayError::Baseline {
        path: path.to_path_buf(),
        what,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let json: serde_json::Value = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| bad("no JSON line".into()))?;
    json["mediapipe"]["median_ms"]
        .as_f64()
        .filter(|ms| *ms > 0.0)
        .ok_or_else(|| bad("no positive mediapipe.median_ms".into()))
}

/// One pipeline under test: a landmark model, every model in one precision, and its stage
/// timings.
struct Run {
    landmarks: LandmarkModel,
    precision: Precision,
    pipeline: Pipeline,
    stages: [Stage; 7],
}

impl Run {
    /// `config`'s pipeline with `landmarks` and every model in `precision`.
    fn new(
        config: &Config,
        landmarks: LandmarkModel,
        precision: Precision,
        capacity: usize,
    ) -> Result<Run, ReplayError> {
        let mut config = config.clone();
        config.models.landmarks = Some(landmarks);
        config.models.precision = PrecisionChoice::all(precision);
        Ok(Run {
            landmarks,
            precision,
            pipeline: pipeline::build(&config)?,
            stages: STAGES.map(|n| Stage::new(n, capacity)),
        })
    }

    /// "attention f32", "iris int8": what this run is, as printed.
    fn label(&self) -> String {
        format!("{} {}", self.landmarks.name(), self.precision.name())
    }

    /// Prints the stage table; returns the JSON of the stages and the frame median.
    fn report(&mut self) -> Result<(serde_json::Value, f64), ReplayError> {
        let mut out = std::io::stdout().lock();
        let specs = Precisions::all(self.precision).specs(self.landmarks);
        let files: Vec<&str> = specs.iter().map(|s| s.file).collect();
        writeln!(
            out,
            "landmarks {}, precision {} ({})",
            self.landmarks.name(),
            self.precision.name(),
            files.join(", ")
        )?;
        writeln!(
            out,
            "{:<9} {:>6} {:>10} {:>8}",
            "stage", "runs", "median ms", "p90 ms"
        )?;
        let mut json = serde_json::Map::new();
        for s in self.stages.iter_mut() {
            let (median, p90) = (s.quantile(0.5), s.quantile(0.9));
            writeln!(
                out,
                "{:<9} {:>6} {:>10.3} {:>8.3}",
                s.name, s.runs, median, p90
            )?;
            json.insert(
                s.name.into(),
                serde_json::json!({"runs": s.runs, "median_ms": median, "p90_ms": p90}),
            );
        }
        let median = |stage: &str| json[stage]["median_ms"].as_f64().unwrap_or(0.0);
        let frame = median("frame");
        if frame > 0.0 {
            writeln!(
                out,
                "own work (not in tract): {:.1} % of the frame (medians)",
                100.0 * median("own") / frame
            )?;
        }
        Ok((json.into(), frame))
    }
}

/// The other precision, the one `--precision` is compared with.
fn other(p: Precision) -> Precision {
    match p {
        Precision::F32 => Precision::Int8,
        Precision::Int8 => Precision::F32,
    }
}

/// The other landmark model, the one `--baseline` also times.
fn other_landmarks(m: LandmarkModel) -> LandmarkModel {
    match m {
        LandmarkModel::Attention => LandmarkModel::Iris,
        LandmarkModel::Iris => LandmarkModel::Attention,
    }
}

/// Runs the recording (see [`Options`]) and prints the figures, then one JSON line.
///
/// With `--precision`, the same landmark model also runs in the other precision; with
/// `--baseline`, the other landmark model also runs, so both are compared with MediaPipe on
/// the same frames. Every pipeline runs on every decoded frame, in rotating order so none
/// always gets the warmer cache; decode time counts in each.
pub fn run(config: &Config, source: &Path, opts: &Options<'_>) -> Result<(), ReplayError> {
    let mediapipe_ms = opts.baseline.map(read_baseline).transpose()?;
    let _tracking = alloc_count::track_this_thread();
    let load = Instant::now();
    let capacity = opts.max_frames.unwrap_or(4096);
    let under_test = opts.precision.unwrap_or_default();
    let landmarks = config.models.landmarks();
    if opts.precision.is_some() && landmarks == LandmarkModel::Attention {
        return Err(ReplayError::NoInt8Attention);
    }
    let mut runs = vec![Run::new(config, landmarks, under_test, capacity)?];
    if opts.precision.is_some() {
        runs.push(Run::new(config, landmarks, other(under_test), capacity)?);
    }
    if opts.baseline.is_some() {
        runs.push(Run::new(
            config,
            other_landmarks(landmarks),
            Precision::F32,
            capacity,
        )?);
    }
    let mut frames_in = open_source(source, opts.fps)?;
    let mut frames = 0usize;
    let mut passes = 1usize;
    let mut first_frame_ms = 0.0;
    let mut rss_first = 0;
    let mut rss_warm = 0;
    let mut counts = alloc_count::counts();
    // Reaching the end of the recording and reopening it for another pass allocate (an EOF
    // error, a new file, the new decoder's buffers on its first frame); that is not the hot
    // loop's doing, so it is counted apart.
    let mut reopen_counts = alloc_count::Counts::default();
    let mut reopened = false;
    let mut rss_first_pass = 0;
    let mut measured = Duration::ZERO;
    loop {
        if opts.max_frames.is_some_and(|m| frames >= m + WARM_UP) {
            break;
        }
        let t0 = Instant::now();
        let before_next = alloc_count::counts();
        let next = frames_in.next_frame()?;
        if std::mem::take(&mut reopened) {
            reopen_counts += alloc_count::counts().since(before_next);
        }
        let Some(frame) = next else {
            let again = opts.duration.is_some_and(|d| load.elapsed() < d) && frames > 0;
            if again {
                let rss = memory_kb().0;
                if passes == 1 {
                    rss_first_pass = rss;
                }
                eprintln!("pass {passes} done after {frames} frames: VmRSS {rss} kB");
                frames_in = open_source(source, opts.fps)?;
                reopened = true;
            }
            reopen_counts += alloc_count::counts().since(before_next);
            if again {
                passes += 1;
                continue;
            }
            break;
        };
        let decode = t0.elapsed();
        frames += 1;
        let measuring = frames > WARM_UP;
        let order = runs.len();
        for i in 0..order {
            let run = &mut runs[(i + frames) % order];
            let t1 = Instant::now();
            let in_tract = crate::inference::time_in_tract();
            let report = run.pipeline.process(&frame, &mut |_| {})?;
            let total = decode + t1.elapsed();
            let own = total.saturating_sub(crate::inference::time_in_tract() - in_tract);
            if !measuring {
                continue;
            }
            measured += total;
            for (stage, d) in run.stages.iter_mut().zip([
                decode,
                report.times.detector,
                report.times.mesh,
                report.times.iris,
                report.gestures,
                own,
                total,
            ]) {
                stage.push(d);
            }
        }
        if frames == 1 {
            first_frame_ms = load.elapsed().as_secs_f64() * 1000.0;
            rss_first = memory_kb().0;
        }
        if frames == WARM_UP {
            // Read /proc before taking the counts: reading it allocates.
            rss_warm = memory_kb().0;
            counts = alloc_count::counts();
        }
    }
    let allocs = alloc_count::counts().since(counts).since(reopen_counts);
    let (rss_end, rss_peak) = memory_kb();
    let n = frames.saturating_sub(WARM_UP);
    // Per frame and pipeline: with --precision two pipelines share each frame.
    let pipeline_frames = n * runs.len();
    let per = |v: u64| {
        if pipeline_frames > 0 {
            v as f64 / pipeline_frames as f64
        } else {
            0.0
        }
    };
    let (json_stages, frame_median) = runs[0].report()?;
    let under_test_label = runs[0].label();
    let mut out = std::io::stdout().lock();
    let mut compared = Vec::new();
    for other_run in runs.iter_mut().skip(1) {
        let (other_stages, other_median) = other_run.report()?;
        let mut ratios = serde_json::Map::new();
        for stage in ["detector", "mesh", "iris", "frame"] {
            let median = |j: &serde_json::Value| j[stage]["median_ms"].as_f64().unwrap_or(0.0);
            let (test, baseline) = (median(&json_stages), median(&other_stages));
            let ratio = (baseline > 0.0 && test > 0.0).then(|| test / baseline);
            if let Some(r) = ratio {
                writeln!(
                    out,
                    "{stage}: {under_test_label} takes {r:.2}x as long as {}",
                    other_run.label()
                )?;
            }
            ratios.insert(stage.into(), ratio.into());
        }
        compared.push(serde_json::json!({
            "landmarks": other_run.landmarks.name(),
            "precision": other_run.precision.name(),
            "stages": other_stages,
            "ratio": ratios,
            "ratio_vs_mediapipe": mediapipe_ms.map(|mp| other_median / mp),
        }));
        if let Some(mp) = mediapipe_ms {
            writeln!(
                out,
                "MediaPipe {mp:.3} ms/frame: {} takes {:.2}x as long",
                other_run.label(),
                other_median / mp
            )?;
        }
    }
    let fps_out = if measured.is_zero() {
        0.0
    } else {
        pipeline_frames as f64 / measured.as_secs_f64()
    };
    let seconds = load.elapsed().as_secs_f64();
    writeln!(out, "frames/s {fps_out:.1} over {n} frames (after {WARM_UP} warm-up), {passes} pass(es) in {seconds:.0} s; start-up to first frame {first_frame_ms:.0} ms")?;
    writeln!(
        out,
        "allocations per frame: eyeswitch {:.2}, tract + jpeg decoder {:.1} ({:.0} bytes)",
        per(allocs.own),
        per(allocs.foreign),
        per(allocs.foreign_bytes)
    )?;
    writeln!(out, "memory: VmRSS {rss_first} kB at the first frame, {rss_warm} kB after warm-up, {rss_end} kB at the end; VmHWM {rss_peak} kB")?;
    let ratio = mediapipe_ms.map(|mp| frame_median / mp);
    if let (Some(mp), Some(r)) = (mediapipe_ms, ratio) {
        writeln!(
            out,
            "MediaPipe {mp:.3} ms/frame: {under_test_label} takes {r:.2}x as long"
        )?;
    }
    let line = serde_json::json!({"bench": {
        "source": source.display().to_string(),
        "frames": n,
        "passes": passes,
        "seconds": seconds,
        "landmarks": runs[0].landmarks.name(),
        "precision": under_test.name(),
        "compared": compared,
        "stages": json_stages,
        "fps": fps_out,
        "first_frame_ms": first_frame_ms,
        "rss_kb": {"first_frame": rss_first, "after_warm_up": rss_warm, "after_first_pass": rss_first_pass, "end": rss_end, "peak": rss_peak},
        "allocations_per_frame": {"eyeswitch": per(allocs.own), "libraries": per(allocs.foreign), "library_bytes": per(allocs.foreign_bytes)},
        "mediapipe_ms": mediapipe_ms,
        "ratio_vs_mediapipe": ratio,
    }});
    writeln!(out, "{line}")?;
    Ok(())
}
