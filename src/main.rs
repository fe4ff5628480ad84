//! The `eyeswitch` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use eyeswitch::cli::ModelArgs;
use eyeswitch::models::{LandmarkModel, Precision};

#[derive(Parser)]
#[command(
    name = "eyeswitch",
    version,
    about = "Camera-based assistive switch: blinks, winks and gaze become switch presses"
)]
struct Cli {
    /// Also accepted before the subcommand (`eyeswitch --precision int8 bench ...`).
    #[command(flatten)]
    models: ModelOpts,
    #[command(subcommand)]
    command: Command,
}

/// The model options, on the subcommands that load models (so `gadget --help` lists none).
#[derive(clap::Args, Clone, Default)]
struct ModelOpts {
    /// Directory holding the ONNX models (default: $EYESWITCH_MODELS, ./models, next to the binary, /usr/share/eyeswitch/models).
    #[arg(long)]
    models: Option<PathBuf>,
    /// Which model gives the landmarks: attention (face_landmark_with_attention, 478 points in one model, as MediaPipe runs it) or iris (the 468-point mesh, then the iris model on each eye) (default: [models] landmarks, else attention).
    #[arg(long, value_name = "attention|iris")]
    landmark_model: Option<LandmarkModel>,
    /// Precision for every model, f32 or int8 (default: [models.precision] and the board profile; f32 for detect and replay). bench also runs the other precision and prints the ratio.
    #[arg(long, value_name = "f32|int8")]
    precision: Option<Precision>,
    /// Cores inference may use; 2 or more runs the two eyes at once (default: [models] threads, the board profile's threads; 1 for detect, replay and bench).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8))]
    threads: Option<u32>,
}

impl ModelOpts {
    /// These options, each one given after the subcommand winning over the one before it.
    fn after(self, before: ModelOpts) -> ModelArgs {
        ModelArgs {
            dir: self.models.or(before.models),
            landmark_model: self.landmark_model.or(before.landmark_model),
            precision: self.precision.or(before.precision),
            threads: self.threads.or(before.threads),
        }
    }
}

impl Command {
    /// The model options given after the subcommand (none for `gadget`).
    fn model_opts(&self) -> ModelOpts {
        match self {
            Command::Detect { models, .. }
            | Command::Replay { models, .. }
            | Command::Run { models, .. }
            | Command::Doctor { models, .. }
            | Command::Bench { models, .. }
            | Command::Calibrate { models, .. } => models.clone(),
            Command::Gadget { .. } => ModelOpts::default(),
        }
    }
}

/// Counts allocations so `bench` can report them; forwards everything to the system allocator.
#[global_allocator]
static ALLOCATOR: eyeswitch::alloc_count::CountingAllocator =
    eyeswitch::alloc_count::CountingAllocator;

#[derive(Subcommand)]
enum Command {
    /// Find faces, the 478 landmarks and eye contours in still images.
    Detect {
        #[command(flatten)]
        models: ModelOpts,
        /// Print one JSON object per image.
        #[arg(long)]
        json: bool,
        /// Write the image with landmarks drawn on it (PNG or JPEG, by extension).
        #[arg(long, value_name = "OUT.png")]
        draw: Option<PathBuf>,
        /// Images to read (PNG or JPEG).
        #[arg(required = true, value_name = "IMAGE")]
        images: Vec<PathBuf>,
    },
    /// Run a recording (MJPEG stream or directory of images) through the live pipeline.
    Replay {
        #[command(flatten)]
        models: ModelOpts,
        /// Frame rate of the recording, which stamps every frame (default 30, with a warning: a wrong rate stretches every gesture).
        #[arg(long, value_name = "N")]
        fps: Option<f64>,
        /// Print events as JSON lines.
        #[arg(long)]
        json: bool,
        /// Write one CSV row per frame: frame, t_ms, face, openness_right, openness_left, gaze_x, gaze_y, distance_mm.
        #[arg(long, value_name = "FILE.csv")]
        trace: Option<PathBuf>,
        /// Config file whose [gesture], [[switch]] and [gaze] settings to rehearse (the file `run` reads; default: built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Gaze profile to use instead of the config's [gaze] profile.
        #[arg(long, value_name = "PATH")]
        profile: Option<PathBuf>,
        /// MJPEG stream file (e.g. from `ffmpeg -f mjpeg`) or a directory of images.
        source: PathBuf,
    },
    /// Guided gaze calibration: the person looks at the centre, left, right, up and down; writes the profile `run` uses.
    Calibrate {
        #[command(flatten)]
        models: ModelOpts,
        /// Config file (default /etc/eyeswitch/eyeswitch.toml if present, else built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Where to write the profile (default: the config's [gaze] profile, /var/lib/eyeswitch/profile.toml).
        #[arg(long, value_name = "PATH")]
        profile: Option<PathBuf>,
        /// Seconds the person holds each look on the camera.
        #[arg(long, value_name = "SECS", default_value_t = 2.0, conflicts_with = "source", value_parser = step_secs)]
        step_secs: f64,
        /// Calibrate on this recording (MJPEG file or directory of images) instead of the camera; needs --steps.
        #[arg(long, value_name = "FILE", requires = "steps")]
        source: Option<PathBuf>,
        /// Frame rate of the --source recording.
        #[arg(long, value_name = "N", default_value_t = 30.0, requires = "source")]
        fps: f64,
        /// The --source recording's steps as frame ranges, TARGET=FIRST-LAST,... (0-based, inclusive; targets centre, left, right, up, down on the person's own side; centre first), e.g. centre=0-60,left=61-120.
        #[arg(long, value_name = "STEPS", requires = "source")]
        steps: Option<eyeswitch::cli::calibrate::Steps>,
    },
    /// Run the switch: camera → gestures → the outputs in the config, until SIGINT or SIGTERM.
    Run {
        #[command(flatten)]
        models: ModelOpts,
        /// Config file (default /etc/eyeswitch/eyeswitch.toml if present, else built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Gaze profile to use instead of the config's [gaze] profile.
        #[arg(long, value_name = "PATH")]
        profile: Option<PathBuf>,
        /// Read this recording (MJPEG file or FIFO, or a directory of images) in real time instead of the camera.
        #[arg(long, value_name = "FILE")]
        source: Option<PathBuf>,
        /// Frame rate of the --source recording.
        #[arg(long, default_value_t = 30.0, requires = "source")]
        fps: f64,
    },
    /// Check what `run` needs (camera, models, outputs, permissions, CPU), with a fix for each failure.
    Doctor {
        #[command(flatten)]
        models: ModelOpts,
        /// Config file (default /etc/eyeswitch/eyeswitch.toml if present, else built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Print one JSON object per check.
        #[arg(long)]
        json: bool,
    },
    /// As root, before `run`: register the USB keyboard gadget that [outputs.hid] writes to.
    Gadget {
        /// Config file (default /etc/eyeswitch/eyeswitch.toml if present, else built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Remove eyeswitch's gadget instead.
        #[arg(long)]
        remove: bool,
    },
    /// Time each stage of the live pipeline on a recording.
    Bench {
        #[command(flatten)]
        models: ModelOpts,
        /// Frames to measure (default: the whole recording), after 10 warm-up frames.
        #[arg(long)]
        frames: Option<usize>,
        /// Frame rate of the recording, for timestamps.
        #[arg(long, default_value_t = 30.0)]
        fps: f64,
        /// Replay the recording again and again until this many seconds have passed (RSS soak).
        #[arg(long, value_name = "SECS", value_parser = soak_secs)]
        duration: Option<std::time::Duration>,
        /// JSON line from scripts/bench-mediapipe: adds mediapipe_ms and ratio_vs_mediapipe.
        #[arg(long, value_name = "FILE.json")]
        baseline: Option<PathBuf>,
        /// Config file whose models, [gesture], [[switch]] and [gaze] settings to time (the file `run` reads; default: built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// MJPEG stream file or directory of images.
        source: PathBuf,
    },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let models = cli.command.model_opts().after(cli.models);
    let result = match cli.command {
        Command::Run {
            config,
            profile,
            source,
            fps,
            ..
        } => {
            let source = eyeswitch::cli::run::SourceArgs {
                source,
                fps,
                profile,
            };
            return match eyeswitch::cli::run::run(config.as_deref(), &models, &source) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("eyeswitch: {e}");
                    ExitCode::from(e.exit_code())
                }
            };
        }
        Command::Doctor { config, json, .. } => {
            eyeswitch::cli::doctor::run(config.as_deref(), &models, json).map_err(|e| e.to_string())
        }
        Command::Calibrate {
            config,
            profile,
            step_secs,
            source,
            fps,
            steps,
            ..
        } => {
            use eyeswitch::cli::calibrate::{self, Source};
            let source = match (source, steps) {
                (Some(path), Some(steps)) => Source::Recording { path, fps, steps },
                _ => Source::Camera {
                    step_ms: (step_secs * 1000.0).round() as u32,
                },
            };
            calibrate::run(config.as_deref(), &models, profile.as_deref(), &source)
                .map(|()| true)
                .map_err(|e| e.to_string())
        }
        Command::Gadget { config, remove } => {
            eyeswitch::cli::gadget::run(config.as_deref(), remove)
                .map(|()| true)
                .map_err(|e| e.to_string())
        }
        command => run_offline(command, models),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("eyeswitch: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The subcommands that read files, not the camera: the built-in defaults (f32, one thread)
/// with the command-line options applied.
fn run_offline(command: Command, args: ModelArgs) -> Result<bool, String> {
    let config = args.apply(offline_config(&command)?);
    let models = config.models_dir().map_err(|e| e.to_string())?;
    let precisions = config.precisions().map_err(|e| e.to_string())?;
    let threads = config.threads().map_err(|e| e.to_string())?;
    match command {
        Command::Detect {
            json, draw, images, ..
        } => eyeswitch::cli::detect::run(
            &models,
            &precisions,
            config.models.landmarks(),
            threads,
            &images,
            json,
            draw.as_deref(),
        )
        .map(|failed| failed == 0)
        .map_err(|e| e.to_string()),
        Command::Replay {
            fps,
            json,
            trace,
            source,
            ..
        } => eyeswitch::cli::replay::run(&config, &source, fps, json, trace.as_deref())
            .map(|()| true)
            .map_err(|e| e.to_string()),
        Command::Bench {
            frames,
            fps,
            duration,
            baseline,
            source,
            ..
        } => {
            let opts = eyeswitch::cli::bench::Options {
                fps,
                max_frames: frames,
                duration,
                baseline: baseline.as_deref(),
                precision: args.precision,
            };
            eyeswitch::cli::bench::run(&config, &source, &opts)
                .map(|()| true)
                .map_err(|e| e.to_string())
        }
        Command::Run { .. }
        | Command::Doctor { .. }
        | Command::Gadget { .. }
        | Command::Calibrate { .. } => {
            Err("run, doctor, gadget and calibrate use devices, not files".into())
        }
    }
}

/// The `--config` of `replay` and `bench` (the file `run` reads, so a carer can rehearse its
/// settings on a recording), else the built-in defaults; `--profile` replaces `[gaze] profile`.
fn offline_config(command: &Command) -> Result<eyeswitch::config::Config, String> {
    let (file, profile) = match command {
        Command::Replay {
            config, profile, ..
        } => (config.as_deref(), profile.as_deref()),
        Command::Bench { config, .. } => (config.as_deref(), None),
        _ => (None, None),
    };
    let mut config = match file {
        Some(path) => eyeswitch::config::Config::load(path).map_err(|e| e.to_string())?,
        None => eyeswitch::config::Config::default(),
    };
    if let Some(p) = profile {
        config.gaze.profile =
            std::path::absolute(p).map_err(|e| format!("--profile {}: {e}", p.display()))?;
    }
    Ok(config)
}

/// `--step-secs`: 1 s is the shortest hold that leaves enough frames after the reaction time;
/// beyond 10 s nobody holds a look still.
fn step_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (1.0..=10.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?}: use a number of seconds from 1 to 10")),
    }
}

/// `bench --duration`: a soak runs at most a week; a negative, NaN or huge value would panic
/// in `Duration::from_secs_f64`.
fn soak_secs(s: &str) -> Result<std::time::Duration, String> {
    const WEEK_SECS: f64 = 7.0 * 24.0 * 3600.0;
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= WEEK_SECS => Ok(std::time::Duration::from_secs_f64(v)),
        _ => Err(format!(
            "{s:?}: use a number of seconds above 0 and at most {WEEK_SECS} (a week)"
        )),
    }
}
