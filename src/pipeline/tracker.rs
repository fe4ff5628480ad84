//! Follows one face from frame to frame as MediaPipe's FaceLandmarkFrontCpu graph does: the
//! detector runs only until a face is found, then each frame's mesh ROI comes from the previous
//! mesh, and the detector runs again only when the mesh's face-presence score drops.
//!
//! Optionally it also tracks at eye level: with a mesh interval of N, the mesh runs on one
//! frame in N and the frames between take their eye ROIs from the previous iris contours.

use std::time::{Duration, Instant};

use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::ModelError;
use crate::vision::detection::Detection;
use crate::vision::mesh::MIN_PRESENCE;
use crate::vision::roi::{eye_from_corners, face_from_detection, face_from_landmarks};
use crate::vision::{Eye, Face, Landmarker, Side};

/// Time spent in each model on the last frame (zero when a stage did not run).
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub detector: Duration,
    pub mesh: Duration,
    pub iris: Duration,
}

/// Tracks the one face that drives the switch (MediaPipe's `max_num_faces: 1`).
pub struct Tracker {
    landmarker: Landmarker,
    detections: Vec<Detection>,
    /// The ROI for this frame's mesh, from the last frame's landmarks.
    roi: Option<RotatedRect>,
    face: Face,
    times: StageTimes,
    /// Run the mesh on one frame in this many (1: every frame, as MediaPipe does).
    mesh_interval: u32,
    /// Frames since the mesh last ran.
    since_mesh: u32,
}

impl Tracker {
    pub fn new(landmarker: Landmarker) -> Tracker {
        Tracker {
            landmarker,
            detections: Vec::with_capacity(16),
            roi: None,
            face: Face::default(),
            times: StageTimes::default(),
            mesh_interval: 1,
            since_mesh: 0,
        }
    }

    /// Runs the mesh on one frame in `interval` (at least 1) and tracks the eyes alone between.
    pub fn with_mesh_interval(mut self, interval: u32) -> Tracker {
        self.mesh_interval = interval.max(1);
        self
    }

    /// Processes one frame; `Some` with the face when one is found.
    pub fn track(&mut self, img: RgbView<'_>) -> Result<Option<&Face>, ModelError> {
        self.times = StageTimes::default();
        if self.roi.is_some() && self.since_mesh + 1 < self.mesh_interval {
            self.since_mesh += 1;
            let (_, _, iris) = self.landmarker.stages();
            let t = Instant::now();
            for (side, eye) in [
                (Side::Right, &mut self.face.right_eye),
                (Side::Left, &mut self.face.left_eye),
            ] {
                let roi = eye_from_contour(eye, side);
                iris.run_roi(img, &roi, side, eye)?;
            }
            self.times.iris = t.elapsed();
            return Ok(Some(&self.face));
        }
        self.since_mesh = 0;
        let (detector, mesh, iris) = self.landmarker.stages();
        let mut found = false;
        if let Some(roi) = self.roi {
            let t = Instant::now();
            mesh.run(img, &roi, &mut self.face.mesh)?;
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
                mesh.run(img, &roi, &mut self.face.mesh)?;
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
        iris.run(img, &self.face.mesh, Side::Right, &mut self.face.right_eye)?;
        iris.run(img, &self.face.mesh, Side::Left, &mut self.face.left_eye)?;
        self.times.iris = t.elapsed();
        self.roi = face_from_landmarks(&self.face.mesh.points);
        Ok(Some(&self.face))
    }

    /// How long each model took on the last frame.
    pub fn times(&self) -> StageTimes {
        self.times
    }

    /// Forgets the tracked face, so the next frame starts with the detector.
    pub fn reset(&mut self) {
        self.roi = None;
    }
}

/// The next frame's eye ROI from this frame's iris-model contour, whose points 0 and 8 are the
/// corners the mesh would give (33/133 or 263/362: `eye_contour_mesh_index` of the iris graph).
fn eye_from_contour(eye: &Eye, side: Side) -> RotatedRect {
    let (a, b) = (eye.contour[0], eye.contour[8]);
    let (a, b) = ([a[0], a[1]], [b[0], b[1]]);
    match side {
        Side::Right => eye_from_corners(a, b),
        Side::Left => eye_from_corners(b, a),
    }
}
