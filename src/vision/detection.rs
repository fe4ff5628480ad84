//! A detected face and the weighted non-maximum suppression that merges overlapping ones.

use crate::geometry::Point;

/// Keypoints the detector gives, in model order.
pub const NUM_KEYPOINTS: usize = 6;

/// One face from the detector, in the coordinates it was decoded in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Detection {
    pub score: f32,
    /// x0, y0, x1, y1.
    pub bbox: [f32; 4],
    /// Subject's right eye, left eye, nose tip, mouth, right ear tragion, left ear tragion.
    pub keypoints: [Point; NUM_KEYPOINTS],
}

impl Detection {
    /// Intersection over union of the two boxes; 0 when either is empty.
    pub fn iou(&self, other: &Detection) -> f32 {
        let [a0, a1, a2, a3] = self.bbox;
        let [b0, b1, b2, b3] = other.bbox;
        let iw = (a2.min(b2) - a0.max(b0)).max(0.0);
        let ih = (a3.min(b3) - a1.max(b1)).max(0.0);
        let inter = iw * ih;
        let union = (a2 - a0) * (a3 - a1) + (b2 - b0) * (b3 - b1) - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }
}

/// NonMaxSuppressionCalculator with `algorithm: WEIGHTED`, `overlap_type:
/// INTERSECTION_OVER_UNION`: every detection overlapping the best remaining one by more than
/// `threshold` is folded into it, boxes and keypoints averaged by score; the best one's score
/// is kept. `candidates` is consumed (left empty); merged faces are appended to `out`.
pub fn weighted_nms(candidates: &mut Vec<Detection>, threshold: f32, out: &mut Vec<Detection>) {
    // Unstable sort: a stable one allocates a buffer on every frame.
    candidates.sort_unstable_by(|a, b| b.score.total_cmp(&a.score));
    while !candidates.is_empty() {
        let best = candidates[0];
        let mut total = 0.0;
        let mut bbox = [0.0f32; 4];
        let mut kps = [[0.0f32; 2]; NUM_KEYPOINTS];
        candidates.retain(|d| {
            if d.iou(&best) <= threshold {
                return true;
            }
            total += d.score;
            for (acc, v) in bbox.iter_mut().zip(d.bbox) {
                *acc += v * d.score;
            }
            for (acc, k) in kps.iter_mut().zip(d.keypoints) {
                acc[0] += k[0] * d.score;
                acc[1] += k[1] * d.score;
            }
            false
        });
        let merged = if total > 0.0 {
            Detection {
                score: best.score,
                bbox: bbox.map(|v| v / total),
                keypoints: kps.map(|k| [k[0] / total, k[1] / total]),
            }
        } else {
            // A zero-area best box overlaps nothing, not even itself; keep it as it is.
            candidates.retain(|d| d != &best);
            best
        };
        out.push(merged);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f32, x0: f32) -> Detection {
        Detection {
            score,
            bbox: [x0, 0.0, x0 + 10.0, 10.0],
            keypoints: [[x0, 0.0]; NUM_KEYPOINTS],
        }
    }

    #[test]
    fn overlapping_boxes_merge_by_score() {
        let mut c = vec![det(0.6, 2.0), det(0.9, 0.0), det(0.8, 50.0)];
        let mut out = Vec::new();
        weighted_nms(&mut c, 0.3, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        let x0 = (0.0 * 0.9 + 2.0 * 0.6) / 1.5;
        assert!((out[0].bbox[0] - x0).abs() < 1e-5);
        assert_eq!(out[1].bbox[0], 50.0);
    }

    #[test]
    fn degenerate_box_does_not_loop() {
        let mut d = det(0.9, 0.0);
        d.bbox = [1.0, 1.0, 1.0, 1.0];
        let mut c = vec![d];
        let mut out = Vec::new();
        weighted_nms(&mut c, 0.3, &mut out);
        assert_eq!(out.len(), 1);
    }
}
