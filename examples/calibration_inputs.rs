//! Dumps the exact model input tensors eyeswitch's own crops produce on recordings, as
//! calibration data for int8 quantisation (`scripts/quantize-models`).
//!
//! Usage:
//!
//! ```text
//! cargo run --release --example calibration_inputs -- \
//!     --out DIR [--every K] [--offset O] [--models DIR] RECORDING...
//! ```
//!
//! Each recording (an MJPEG stream file or a directory of images) is decoded by eyeswitch's
//! own capture path. Of every frame whose index `i` has `i % K == O`, the detector input is
//! written; each detected face (at most [`MAX_FACES`]) whose mesh presence reaches
//! [`MIN_PRESENCE`] adds its mesh input and both eyes' iris inputs (right eye, then the
//! mirrored left eye). A different `--offset` gives a held-out set disjoint from the
//! calibration frames.
//!
//! Output, raw little-endian f32 in NHWC order, N samples each:
//! `DIR/detector.f32` (N × 128 × 128 × 3), `DIR/mesh.f32` (N × 192 × 192 × 3),
//! `DIR/iris.f32` (N × 64 × 64 × 3).
//!
//! Do not feed it `tests/fixtures/stills`: those are the parity test set, which calibration
//! must not see.

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::Parser;
use eyeswitch::capture::{EncodedSource, FrameDecoder, ReplaySource};
use eyeswitch::frame::RgbView;
use eyeswitch::models::{LandmarkModel, Precisions};
use eyeswitch::vision::landmarker::MAX_FACES;
use eyeswitch::vision::mesh::MIN_PRESENCE;
use eyeswitch::vision::roi::face_from_detection;
use eyeswitch::vision::{Eye, Landmarker, Landmarks, Mesh, Side};

#[derive(Parser)]
#[command(about = "Writes eyeswitch's model input tensors on recordings, for int8 calibration")]
struct Args {
    /// Directory for detector.f32, mesh.f32 and iris.f32 (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Use every K-th frame of each recording.
    #[arg(long, default_value_t = 12)]
    every: u64,
    /// Use the frames whose index modulo K is this (a held-out set takes another offset).
    #[arg(long, default_value_t = 0)]
    offset: u64,
    /// Directory holding the three .onnx models.
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// MJPEG stream files or directories of images.
    #[arg(required = true)]
    recordings: Vec<PathBuf>,
}

/// One output file of raw f32 tensors and how many it holds.
struct TensorFile {
    path: PathBuf,
    out: BufWriter<File>,
    count: usize,
}

impl TensorFile {
    fn create(dir: &Path, name: &str) -> Result<TensorFile, Box<dyn Error>> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(TensorFile {
            path,
            out: BufWriter::new(file),
            count: 0,
        })
    }

    fn push(&mut self, tensor: &[f32]) -> Result<(), Box<dyn Error>> {
        for v in tensor {
            self.out.write_all(&v.to_le_bytes())?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<(), Box<dyn Error>> {
        self.out
            .flush()
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        println!("{}: {} tensors", self.path.display(), self.count);
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    if args.every == 0 || args.offset >= args.every {
        return Err(format!(
            "need --every ≥ 1 and --offset < --every, got {} and {}",
            args.every, args.offset
        )
        .into());
    }
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    // The f32 models: calibration sees the crops the unquantised pipeline makes.
    // The iris pipeline: its two models are the ones with int8 variants.
    let mut landmarker =
        Landmarker::load(&args.models, &Precisions::default(), LandmarkModel::Iris)?;
    let (detector, landmarks) = landmarker.stages();
    let Landmarks::Iris {
        mesh: face_mesh,
        iris,
    } = landmarks
    else {
        return Err("the iris pipeline was loaded, but another came back".into());
    };
    let mut detector_out = TensorFile::create(&args.out, "detector.f32")?;
    let mut mesh_out = TensorFile::create(&args.out, "mesh.f32")?;
    let mut iris_out = TensorFile::create(&args.out, "iris.f32")?;

    let mut decoder = FrameDecoder::new();
    let mut detections = Vec::new();
    let mut mesh = Mesh::default();
    let mut eye = Eye::default();
    for recording in &args.recordings {
        // The fps only stamps frame times, which nothing here reads.
        let mut source = ReplaySource::open(recording, 30.0)?;
        while let Some(encoded) = source.next_encoded()? {
            if encoded.index % args.every != args.offset {
                continue;
            }
            let (width, height) = match decoder.decode(&encoded) {
                Ok(size) => size,
                Err(e) => {
                    eprintln!(
                        "{} frame {}: skipped: {e}",
                        recording.display(),
                        encoded.index
                    );
                    continue;
                }
            };
            let image = RgbView::new(width, height, decoder.rgb())
                .ok_or("the decoder returned an image of the wrong size")?;
            detector.detect(image, &mut detections)?;
            detector_out.push(detector.input())?;
            for det in detections.iter().take(MAX_FACES) {
                face_mesh.run(image, &face_from_detection(det), &mut mesh)?;
                if mesh.presence < MIN_PRESENCE {
                    continue;
                }
                mesh_out.push(face_mesh.input())?;
                for side in [Side::Right, Side::Left] {
                    iris.run(image, &mesh, side, &mut eye)?;
                    iris_out.push(iris.input())?;
                }
            }
        }
    }
    detector_out.finish()?;
    mesh_out.finish()?;
    iris_out.finish()?;
    Ok(())
}
