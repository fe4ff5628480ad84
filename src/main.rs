//! The `eyeswitch` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use eyeswitch::cli::ModelArgs;
use eyeswitch::models::{Precision, Precisions};

#[derive(Parser)]
#[command(
    name = "eyeswitch",
    version,
    about = "Camera-based assistive switch: blinks, winks and gaze become switch presses"
)]
struct Cli {
    /// Directory holding the ONNX models (default: $EYESWITCH_MODELS, ./models, next to the binary, /usr/share/eyeswitch/models).
    #[arg(long, global = true)]
    models: Option<PathBuf>,
    /// Precision for every model, f32 or int8 (default: [models.precision] and the board profile; f32 for detect and replay). bench also runs the other precision and prints the ratio.
    #[arg(long, global = true, value_name = "f32|int8")]
    precision: Option<Precision>,
    /// Cores inference may use; 2 or more runs the two eyes at once (default: [models] threads, the board profile's threads; 1 for detect, replay and bench).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8))]
    threads: Option<u32>,
    #[command(subcommand)]
    command: Command,
}

/// Counts allocations so `bench` can report them; forwards everything to the system allocator.
#[global_allocator]
static ALLOCATOR: eyeswitch::alloc_count::CountingAllocator =
    eyeswitch::alloc_count::CountingAllocator;

#[derive(Subcommand)]
enum Command {
    /// Find faces, the 478 landmarks and eye contours in still images.
    Detect {
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
        /// Frame rate of the recording, for timestamps.
        #[arg(long, default_value_t = 30.0)]
        fps: f64,
        /// Print events as JSON lines.
        #[arg(long)]
        json: bool,
        /// Write one CSV row per frame: frame, t_ms, face, openness_right, openness_left, gaze_x, gaze_y.
        #[arg(long, value_name = "FILE.csv")]
        trace: Option<PathBuf>,
        /// MJPEG stream file (e.g. from `ffmpeg -f mjpeg`) or a directory of images.
        source: PathBuf,
    },
    /// Run the switch: camera → gestures → the outputs in the config, until SIGINT or SIGTERM.
    Run {
        /// Config file (default /etc/eyeswitch/eyeswitch.toml if present, else built-in defaults).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check what `run` needs (camera, models, outputs, permissions, CPU), with a fix for each failure.
    Doctor {
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
        /// Frames to measure (default: the whole recording), after 10 warm-up frames.
        #[arg(long)]
        frames: Option<usize>,
        /// Frame rate of the recording, for timestamps.
        #[arg(long, default_value_t = 30.0)]
        fps: f64,
        /// Replay the recording again and again until this many seconds have passed (RSS soak).
        #[arg(long, value_name = "SECS")]
        duration: Option<f64>,
        /// JSON line from scripts/bench-mediapipe: adds mediapipe_ms and ratio_vs_mediapipe.
        #[arg(long, value_name = "FILE.json")]
        baseline: Option<PathBuf>,
        /// MJPEG stream file or directory of images.
        source: PathBuf,
    },
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let models = ModelArgs {
        dir: cli.models,
        precision: cli.precision,
        threads: cli.threads,
    };
    let result = match cli.command {
        Command::Run { config } => eyeswitch::cli::run::run(config.as_deref(), &models)
            .map(|()| true)
            .map_err(|e| e.to_string()),
        Command::Doctor { config, json } => {
            eyeswitch::cli::doctor::run(config.as_deref(), &models, json).map_err(|e| e.to_string())
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

/// The subcommands that read files, not the camera.
fn run_offline(command: Command, args: ModelArgs) -> Result<bool, String> {
    let models = args.dir.unwrap_or_else(eyeswitch::models::default_dir);
    let precisions = Precisions::all(args.precision.unwrap_or_default());
    let threads = args.threads.unwrap_or(1);
    match command {
        Command::Detect { json, draw, images } => eyeswitch::cli::detect::run(
            &models,
            &precisions,
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
        } => eyeswitch::cli::replay::run(
            &models,
            &precisions,
            threads,
            &source,
            fps,
            json,
            trace.as_deref(),
        )
        .map(|()| true)
        .map_err(|e| e.to_string()),
        Command::Bench {
            frames,
            fps,
            duration,
            baseline,
            source,
        } => {
            let opts = eyeswitch::cli::bench::Options {
                fps,
                max_frames: frames,
                duration: duration.map(std::time::Duration::from_secs_f64),
                baseline: baseline.as_deref(),
                precision: args.precision,
                threads,
            };
            eyeswitch::cli::bench::run(&models, &source, &opts)
                .map(|()| true)
                .map_err(|e| e.to_string())
        }
        Command::Run { .. } | Command::Doctor { .. } | Command::Gadget { .. } => {
            Err("run, doctor and gadget use devices, not files".into())
        }
    }
}
