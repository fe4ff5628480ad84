//! The still-image pipeline: detector → face ROI → landmarks, per face. The landmarks come
//! from the attention mesh (one model, 478 refined points) or from the mesh-only model then
//! the iris model on each eye.

use std::path::Path;

use super::attention::AttentionMesh;
use super::detection::Detection;
use super::detector::FaceDetector;
use super::iris::{Eye, IrisModel};
use super::mesh::{FaceMesh, Mesh, MIN_PRESENCE};
use super::roi::face_from_detection;
use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::ModelError;
use crate::models::{LandmarkModel, Precisions};

/// At most this many faces per image (FaceMesh `max_num_faces`, as the reference runs it).
pub const MAX_FACES: usize = 4;

/// Everything eyeswitch knows about one face in one image.
#[derive(Debug, Clone, Copy, Default)]
pub struct Face {
    /// The detection this face was found from.
    pub detection: Detection,
    /// The ROI the mesh ran in.
    pub roi: RotatedRect,
    pub mesh: Mesh,
    /// Subject's right eye (corners 33/133).
    pub right_eye: Eye,
    /// Subject's left eye (corners 362/263).
    pub left_eye: Eye,
}

impl Face {
    /// The 478-point layout of MediaPipe's refined mesh: 468 mesh points, then the right
    /// eye's iris (centre first), then the left eye's.
    pub fn landmarks_478(&self) -> impl Iterator<Item = [f32; 3]> + '_ {
        self.mesh
            .points
            .iter()
            .chain(self.right_eye.iris.iter())
            .chain(self.left_eye.iris.iter())
            .copied()
    }
}

/// The landmark stage: one of the two landmark models' pipelines.
pub enum Landmarks {
    /// The attention mesh: 478 refined points from one model.
    Attention(AttentionMesh),
    /// The mesh-only model, then the iris model on each eye (boxed: the two differ in size,
    /// and one is made per pipeline).
    Iris {
        mesh: FaceMesh,
        iris: Box<IrisModel>,
    },
}

impl Landmarks {
    /// Runs the face model in `roi` into `face` (for the attention mesh, eyes included).
    pub fn run_face(
        &mut self,
        img: RgbView<'_>,
        roi: &RotatedRect,
        face: &mut Face,
    ) -> Result<(), ModelError> {
        match self {
            Landmarks::Attention(model) => model.run(
                img,
                roi,
                &mut face.mesh,
                &mut face.right_eye,
                &mut face.left_eye,
            ),
            Landmarks::Iris { mesh, .. } => mesh.run(img, roi, &mut face.mesh),
        }
    }

    /// Runs the eye models from `face.mesh`, where the landmark model has them apart; says
    /// whether any ran.
    pub fn run_eyes(&mut self, img: RgbView<'_>, face: &mut Face) -> Result<bool, ModelError> {
        match self {
            Landmarks::Attention(_) => Ok(false),
            Landmarks::Iris { iris, .. } => iris
                .run_both(img, &face.mesh, &mut face.right_eye, &mut face.left_eye)
                .map(|()| true),
        }
    }
}

/// The detector and the landmark models, loaded once.
pub struct Landmarker {
    detector: FaceDetector,
    landmarks: Landmarks,
    detections: Vec<Detection>,
}

impl Landmarker {
    /// Loads the detector and `model`'s landmark models from `models_dir`, each at its
    /// precision (the attention mesh has only f32).
    pub fn load(
        models_dir: &Path,
        precisions: &Precisions,
        model: LandmarkModel,
    ) -> Result<Landmarker, ModelError> {
        // In pipeline order, so a missing models directory is reported by its first file.
        let detector = FaceDetector::load(models_dir, precisions.face_detector)?;
        let landmarks = match model {
            LandmarkModel::Attention => Landmarks::Attention(AttentionMesh::load(models_dir)?),
            LandmarkModel::Iris => Landmarks::Iris {
                mesh: FaceMesh::load(models_dir, precisions.face_landmark)?,
                iris: Box::new(IrisModel::load(models_dir, precisions.iris_landmark)?),
            },
        };
        Ok(Landmarker {
            detector,
            landmarks,
            detections: Vec::with_capacity(16),
        })
    }

    /// With `threads` of 2 or more, the iris pipeline runs its two eyes on two cores from now
    /// on (see [`IrisModel::offload_left_eye`]); the attention mesh is one model, so it stays
    /// on the caller's thread.
    pub fn use_threads(&mut self, models_dir: &Path, threads: u32) -> Result<(), ModelError> {
        if let (true, Landmarks::Iris { iris, .. }) = (threads >= 2, &mut self.landmarks) {
            iris.offload_left_eye(models_dir)?;
        }
        Ok(())
    }

    /// Finds every face (up to [`MAX_FACES`]) in `img`, sorted left to right, into `out`.
    pub fn detect(&mut self, img: RgbView<'_>, out: &mut Vec<Face>) -> Result<(), ModelError> {
        out.clear();
        self.detector.detect(img, &mut self.detections)?;
        // ClipDetectionVectorSizeCalculator keeps the best `max_num_faces`.
        self.detections.truncate(MAX_FACES);
        for det in &self.detections {
            let roi = face_from_detection(det);
            let mut face = Face {
                detection: *det,
                roi,
                mesh: Mesh::default(),
                right_eye: Eye::default(),
                left_eye: Eye::default(),
            };
            self.landmarks.run_face(img, &roi, &mut face)?;
            if face.mesh.presence < MIN_PRESENCE {
                continue;
            }
            self.landmarks.run_eyes(img, &mut face)?;
            out.push(face);
        }
        out.sort_by(|a, b| min_x(&a.mesh).total_cmp(&min_x(&b.mesh)));
        Ok(())
    }

    /// The stages, for callers that schedule them themselves (tracking, benchmarks).
    pub fn stages(&mut self) -> (&mut FaceDetector, &mut Landmarks) {
        (&mut self.detector, &mut self.landmarks)
    }
}

fn min_x(mesh: &Mesh) -> f32 {
    mesh.points
        .iter()
        .map(|p| p[0])
        .fold(f32::INFINITY, f32::min)
}
