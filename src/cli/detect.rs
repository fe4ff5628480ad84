//! `eyeswitch detect`: landmarks for still images, as JSON and/or a drawn overlay.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::frame::RgbView;
use crate::gesture::distance::{self, Guidance, Lens};
use crate::models::{LandmarkModel, Precisions};
use crate::vision::{Face, Landmarker};

/// What can stop `detect`.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("cannot read image {path}: {source}")]
    Image {
        path: PathBuf,
        source: image::ImageError,
    },
    #[error("cannot write overlay {path}: {source}")]
    Draw {
        path: PathBuf,
        source: image::ImageError,
    },
    #[error("--draw {path} names one output file, but {count} images were given: run one image at a time")]
    DrawMany { path: PathBuf, count: usize },
    #[error("image {path}: {source}")]
    TooLarge {
        path: PathBuf,
        source: crate::capture::DecodeError,
    },
    #[error("cannot write to stdout: {0}")]
    Stdout(#[from] std::io::Error),
    #[error(transparent)]
    Model(#[from] crate::inference::ModelError),
}

/// One image's result, in the JSON shape documented in README.md.
#[derive(Serialize)]
struct ImageJson<'a> {
    image: &'a str,
    width: usize,
    height: usize,
    faces: Vec<FaceJson>,
}

#[derive(Serialize)]
struct FaceJson {
    score: f32,
    #[serde(rename = "box")]
    bbox: [f32; 4],
    landmarks: Vec<[f32; 3]>,
    eye_contours: EyeContoursJson,
    /// Eye-to-camera distance from the iris size, for a camera of the default field of view.
    distance_mm: Option<f32>,
    /// Whether that is a distance at which the eye crops stay accurate.
    distance_guidance: Option<Guidance>,
}

#[derive(Serialize)]
struct EyeContoursJson {
    right: Vec<[f32; 2]>,
    left: Vec<[f32; 2]>,
}

impl FaceJson {
    fn new(face: &Face, (width, height): (usize, usize)) -> FaceJson {
        let xy = |c: &[[f32; 3]]| c.iter().map(|p| [p[0], p[1]]).collect();
        let iris_px = crate::pipeline::mean_iris_px(face);
        FaceJson {
            distance_mm: iris_px.and_then(|d| Lens::default().distance_mm(d, width)),
            distance_guidance: iris_px.map(|d| distance::guidance(d, height)),
            score: face.detection.score,
            bbox: face.detection.bbox,
            landmarks: face.landmarks_478().collect(),
            eye_contours: EyeContoursJson {
                right: xy(&face.right_eye.contour),
                left: xy(&face.left_eye.contour),
            },
        }
    }
}

/// Runs detection on each image; prints JSON lines when `json`, writes an overlay to `draw`.
/// Returns the number of images that could not be read (each is reported on stderr).
pub fn run(
    models_dir: &Path,
    precisions: &Precisions,
    landmarks: LandmarkModel,
    threads: u32,
    images: &[PathBuf],
    json: bool,
    draw: Option<&Path>,
) -> Result<usize, DetectError> {
    if let (Some(path), true) = (draw, images.len() > 1) {
        return Err(DetectError::DrawMany {
            path: path.to_path_buf(),
            count: images.len(),
        });
    }
    let mut landmarker = Landmarker::load(models_dir, precisions, landmarks)?;
    landmarker.use_threads(models_dir, threads)?;
    let mut faces = Vec::new();
    let mut failed = 0;
    let stdout = std::io::stdout();
    for path in images {
        let mut rgb = match read_rgb(path) {
            Ok(rgb) => rgb,
            Err(e) => {
                eprintln!("eyeswitch: {e}");
                failed += 1;
                continue;
            }
        };
        let (w, h) = (rgb.width() as usize, rgb.height() as usize);
        let Some(view) = RgbView::new(w, h, rgb.as_raw()) else {
            eprintln!("eyeswitch: image {} is empty", path.display());
            failed += 1;
            continue;
        };
        landmarker.detect(view, &mut faces)?;
        let written = if json {
            let out = ImageJson {
                image: &path.to_string_lossy(),
                width: w,
                height: h,
                faces: faces.iter().map(|f| FaceJson::new(f, (w, h))).collect(),
            };
            let mut lock = stdout.lock();
            serde_json::to_writer(&mut lock, &out)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(lock))
        } else {
            writeln!(stdout.lock(), "{}: {} face(s)", path.display(), faces.len())
        };
        match written {
            // The reader has gone (`detect ... | head -1`): nobody wants the rest.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(failed),
            other => other?,
        }
        if let Some(out) = draw {
            crate::draw::draw_faces(&mut rgb, &faces);
            rgb.save(out).map_err(|source| DetectError::Draw {
                path: out.to_path_buf(),
                source,
            })?;
        }
    }
    Ok(failed)
}

/// Reads an image as RGB, refusing one above [`MAX_PIXELS`](crate::capture::MAX_PIXELS) from
/// its header, before decoding allocates for it.
fn read_rgb(path: &Path) -> Result<image::RgbImage, DetectError> {
    let image_err = |source| DetectError::Image {
        path: path.to_path_buf(),
        source,
    };
    let open = || {
        image::ImageReader::open(path)
            .and_then(|r| r.with_guessed_format())
            .map_err(|e| image_err(e.into()))
    };
    let (w, h) = open()?.into_dimensions().map_err(image_err)?;
    crate::capture::check_size(w as usize, h as usize).map_err(|source| DetectError::TooLarge {
        path: path.to_path_buf(),
        source,
    })?;
    // into_rgb8 keeps an RGB image's buffer instead of copying it.
    Ok(open()?.decode().map_err(image_err)?.into_rgb8())
}
