//! Feature functions on synthetic landmarks with known geometry.

use eyeswitch::event::Eye;
use eyeswitch::gesture::features::{
    eye_points_from_contour71, eye_points_from_mesh, head_pose_from_mesh, iris_centre_from_mesh,
    iris_in_eye, openness, openness_from_contour71, openness_from_mesh, Landmark,
};

/// A frontal face: right eye corners at x 100/140, left eye 160/200, eyes 40 px wide, lids
/// `gap` px apart, irises at the eye centres shifted by `iris_dx`.
fn mesh(gap: f32, iris_dx: f32) -> Vec<Landmark> {
    let mut m = vec![[0.0_f32; 3]; 478];
    let y = 100.0;
    for (outer, inner, upper, lower, iris, x_outer, x_inner) in [
        (33, 133, 159, 145, 468, 100.0_f32, 140.0_f32),
        (263, 362, 386, 374, 473, 200.0, 160.0),
    ] {
        let cx = (x_outer + x_inner) / 2.0;
        m[outer] = [x_outer, y, 0.0];
        m[inner] = [x_inner, y, 0.0];
        m[upper] = [cx, y - gap / 2.0, 0.0];
        m[lower] = [cx, y + gap / 2.0, 0.0];
        m[iris] = [cx + iris_dx, y, 0.0];
    }
    // Face sides, forehead, chin: an upright frontal face.
    m[234] = [80.0, 110.0, 50.0];
    m[454] = [220.0, 110.0, 50.0];
    m[10] = [150.0, 40.0, 0.0];
    m[152] = [150.0, 220.0, 0.0];
    m
}

#[test]
fn openness_is_lid_gap_over_eye_width() {
    let m = mesh(12.0, 0.0);
    for eye in [Eye::Right, Eye::Left] {
        let o = openness_from_mesh(&m, eye).expect("openness");
        assert!((o - 0.3).abs() < 1e-6, "{eye:?}: {o}");
    }
    // Scale-free: the same face twice as large has the same openness.
    let big: Vec<Landmark> = m
        .iter()
        .map(|p| [p[0] * 2.0, p[1] * 2.0, p[2] * 2.0])
        .collect();
    assert_eq!(
        openness_from_mesh(&big, Eye::Right),
        openness_from_mesh(&m, Eye::Right)
    );
}

#[test]
fn contour71_uses_corner_and_lid_indices_0_8_12_4() {
    let mut contour = vec![[0.0_f32; 3]; 71];
    contour[0] = [10.0, 50.0, 0.0];
    contour[8] = [30.0, 50.0, 0.0];
    contour[12] = [20.0, 47.0, 0.0];
    contour[4] = [20.0, 53.0, 0.0];
    let o = openness_from_contour71(&contour).expect("openness");
    assert!((o - 0.3).abs() < 1e-6, "{o}");
    let p = eye_points_from_contour71(&contour).expect("points");
    assert_eq!(
        (p.outer, p.inner, p.upper, p.lower),
        (contour[0], contour[8], contour[12], contour[4])
    );
}

#[test]
fn short_or_degenerate_input_gives_none() {
    assert_eq!(openness_from_contour71(&[[0.0; 3]; 16]), None);
    assert_eq!(openness_from_mesh(&[[0.0; 3]; 100], Eye::Right), None);
    assert_eq!(iris_centre_from_mesh(&[[0.0; 3]; 468], Eye::Right), None);
    assert_eq!(head_pose_from_mesh(&[[0.0; 3]; 10]), None);
    // All points on top of each other: zero eye width.
    assert_eq!(openness_from_mesh(&[[1.0; 3]; 478], Eye::Left), None);
    let m = vec![[1.0_f32; 3]; 478];
    let p = eye_points_from_mesh(&m, Eye::Left).expect("points");
    assert_eq!(openness(&p), None);
    assert_eq!(iris_in_eye(&p, Eye::Left, [1.0; 3]), None);
}

#[test]
fn iris_position_is_in_half_eye_widths_toward_the_subjects_left() {
    // Both irises moved 10 px to image right (the subject's left): half of a half-width.
    let m = mesh(12.0, 10.0);
    for eye in [Eye::Right, Eye::Left] {
        let p = eye_points_from_mesh(&m, eye).expect("points");
        let c = iris_centre_from_mesh(&m, eye).expect("iris");
        let pos = iris_in_eye(&p, eye, c).expect("pos");
        assert!(
            (pos.x - 0.5).abs() < 1e-6 && pos.y.abs() < 1e-6,
            "{eye:?}: {pos:?}"
        );
    }
    // Down is positive y.
    let p = eye_points_from_mesh(&m, Eye::Right).expect("points");
    let pos = iris_in_eye(&p, Eye::Right, [120.0, 104.0, 0.0]).expect("pos");
    assert!((pos.y - 0.2).abs() < 1e-6, "{pos:?}");
}

#[test]
fn iris_frame_follows_head_roll() {
    // The whole face rolled by 30°: the iris at the eye centre is still at the eye centre, and
    // one shifted along the (rolled) corner line still reads as purely horizontal.
    let (s, c) = 30.0_f32.to_radians().sin_cos();
    let rot = |p: Landmark| [p[0] * c - p[1] * s, p[0] * s + p[1] * c, p[2]];
    let m: Vec<Landmark> = mesh(12.0, 10.0).into_iter().map(rot).collect();
    let p = eye_points_from_mesh(&m, Eye::Left).expect("points");
    let pos = iris_in_eye(&p, Eye::Left, m[473]).expect("pos");
    assert!((pos.x - 0.5).abs() < 1e-5 && pos.y.abs() < 1e-5, "{pos:?}");
    let head = head_pose_from_mesh(&m).expect("pose");
    assert!((head.roll - 30.0_f32.to_radians()).abs() < 1e-5, "{head:?}");
}

#[test]
fn head_pose_signs() {
    let m = mesh(12.0, 0.0);
    let frontal = head_pose_from_mesh(&m).expect("pose");
    assert!(frontal.yaw.abs() < 1e-6 && frontal.pitch.abs() < 1e-6 && frontal.roll.abs() < 1e-6);
    // Turned toward the subject's left: their left side (454) moves away from the camera.
    let mut turned = m.clone();
    turned[454][2] += 20.0;
    turned[234][2] -= 20.0;
    assert!(head_pose_from_mesh(&turned).expect("pose").yaw > 0.2);
    // Chin lifted: forehead away, chin closer.
    let mut lifted = m;
    lifted[10][2] += 20.0;
    lifted[152][2] -= 20.0;
    assert!(head_pose_from_mesh(&lifted).expect("pose").pitch > 0.2);
}
