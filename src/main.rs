//! The `eyeswitch` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    #[command(subcommand)]
    command: Command,
}

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
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let models = cli.models.unwrap_or_else(eyeswitch::models::default_dir);
    match cli.command {
        Command::Detect { json, draw, images } => {
            match eyeswitch::cli::detect::run(&models, &images, json, draw.as_deref()) {
                Ok(0) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::FAILURE,
                Err(e) => {
                    eprintln!("eyeswitch: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
