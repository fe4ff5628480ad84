//! SSD anchors for the short-range face detector (SsdAnchorsCalculator).

/// An anchor centre in the detector's input, normalised to 0..1. With
/// `fixed_anchor_size: true` every anchor is 1 × 1, so only the centre is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x: f32,
    pub y: f32,
}

/// `tensor_width`/`tensor_height: 128` in face_detection_short_range.pbtxt.
pub const INPUT_SIZE: usize = 128;
/// `strides: 8, 16, 16, 16` (`num_layers: 4`) in face_detection_short_range.pbtxt.
const STRIDES: [usize; 4] = [8, 16, 16, 16];
/// `aspect_ratios: 1.0` plus `interpolated_scale_aspect_ratio: 1.0` (face_detection.pbtxt):
/// two anchors per layer and cell, all 1 × 1 because `fixed_anchor_size: true`.
const ANCHORS_PER_LAYER: usize = 2;
/// `num_boxes: 896` in face_detection_short_range.pbtxt.
pub const NUM_ANCHORS: usize = 896;

/// Builds the 896 anchors in the model's output order: layers that share a stride are merged
/// into one grid, and each cell lists its anchors consecutively.
pub fn short_range_anchors() -> Vec<Anchor> {
    let mut anchors = Vec::with_capacity(NUM_ANCHORS);
    let mut layer = 0;
    while layer < STRIDES.len() {
        let stride = STRIDES[layer];
        let mut same = 0;
        while layer + same < STRIDES.len() && STRIDES[layer + same] == stride {
            same += 1;
        }
        let cells = INPUT_SIZE.div_ceil(stride);
        for y in 0..cells {
            for x in 0..cells {
                // `anchor_offset_x/y: 0.5`: anchors sit at cell centres.
                let a = Anchor {
                    x: (x as f32 + 0.5) / cells as f32,
                    y: (y as f32 + 0.5) / cells as f32,
                };
                anchors.extend(std::iter::repeat_n(a, same * ANCHORS_PER_LAYER));
            }
        }
        layer += same;
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_model() {
        let a = short_range_anchors();
        assert_eq!(a.len(), NUM_ANCHORS);
        // 16×16 cells × 2 anchors at stride 8, then 8×8 cells × 6 anchors at stride 16.
        assert_eq!(
            a[0],
            Anchor {
                x: 0.5 / 16.0,
                y: 0.5 / 16.0
            }
        );
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2].x, 1.5 / 16.0);
        assert_eq!(
            a[512],
            Anchor {
                x: 0.5 / 8.0,
                y: 0.5 / 8.0
            }
        );
        assert_eq!(a[517], a[512]);
        assert_eq!(a[518].x, 1.5 / 8.0);
    }
}
