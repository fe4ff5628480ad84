//! Follows one face from frame to frame as MediaPipe's FaceLandmarkFrontCpu graph does (with
//! either landmark model): the detector runs only until a face is found, then each frame's
//! face ROI comes from the previous frame's landmarks, and the detector runs again only when
//! the face model's presence score drops.

use std::time::{Duration, Instant};

use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::ModelError;
use crate::vision::detection::Detection;
use crate::vision::mesh::MIN_PRESENCE;
use crate::vision::roi::{face_from_detection, face_from_landmarks};
use crate::vision::{Face, Landmarker};

/// Time spent in each model on the last frame (zero when a stage did not run).
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub detector: Duration,
    /// The face model: the mesh-only model, or the whole attention mesh.
    pub mesh: Duration,
    /// The iris model on both eyes (zero with the attention mesh, which has them).
    pub iris: Duration,
}

/// Tracks the one face that drives the switch (MediaPipe's `max_num_faces: 1`).
pub struct Tracker {
    landmarker: Landmarker,
    detections: Vec<Detection>,
    /// The ROI for this frame's mesh, from the last frame's landmarks.
    roi: Option<RotatedRect>,
    face: Face,
    /// Whether the last frame found `face`.
    found: bool,
    times: StageTimes,
}

impl Tracker {
    pub fn new(landmarker: Landmarker) -> Tracker {
        Tracker {
            landmarker,
            detections: Vec::with_capacity(16),
            roi: None,
            face: Face::default(),
            found: false,
            times: StageTimes::default(),
        }
    }

    /// Processes one frame; `Some` with the face when one is found.
    pub fn track(&mut self, img: RgbView<'_>) -> Result<Option<&Face>, ModelError> {
        self.times = StageTimes::default();
        self.found = false;
        let (detector, landmarks) = self.landmarker.stages();
        let mut found = false;
        if let Some(roi) = self.roi {
            let t = Instant::now();
            landmarks.run_face(img, &roi, &mut self.face)?;
            self.times.mesh += t.elapsed();
            found = self.face.mesh.presence >= MIN_PRESENCE;
            self.face.roi = roi;
        }
        if !found {
            let t = Instant::now();
            detector.detect(img, &mut self.detections)?;
            self.times.detector = t.elapsed();
            if let Some(det) = self.detections.first() {
                let roi = face_from_detection(det);
                let t = Instant::now();
                landmarks.run_face(img, &roi, &mut self.face)?;
                self.times.mesh += t.elapsed();
                self.face.detection = *det;
                self.face.roi = roi;
                found = self.face.mesh.presence >= MIN_PRESENCE;
            }
        }
        if !found {
            self.roi = None;
            return Ok(None);
        }
        let t = Instant::now();
        if landmarks.run_eyes(img, &mut self.face)? {
            self.times.iris = t.elapsed();
        }
        self.roi = face_from_landmarks(&self.face.mesh.points);
        self.found = true;
        Ok(Some(&self.face))
    }

    /// The face the last frame found, if it found one.
    pub fn last_face(&self) -> Option<&Face> {
        self.found.then_some(&self.face)
    }

    /// How long each model took on the last frame.
    pub fn times(&self) -> StageTimes {
        self.times
    }

    /// Forgets the tracked face, so the next frame starts with the detector.
    pub fn reset(&mut self) {
        self.roi = None;
        self.found = false;
    }
}
