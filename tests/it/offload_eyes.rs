//! The left eye's iris model on a thread of its own gives exactly the landmarks of one thread.

use crate::common::*;
use eyeswitch::frame::RgbView;
use eyeswitch::models::{LandmarkModel, Precisions};
use eyeswitch::offload::Offload;
use eyeswitch::vision::{Face, Landmarker};

#[test]
fn two_threads_give_the_same_eyes_as_one() {
    let dir = models_dir();
    let mut one =
        Landmarker::load(&dir, &Precisions::default(), LandmarkModel::Iris).expect("models load");
    let mut two =
        Landmarker::load(&dir, &Precisions::default(), LandmarkModel::Iris).expect("models load");
    two.use_threads(&dir, 2).expect("worker starts");
    let (mut a, mut b): (Vec<Face>, Vec<Face>) = (Vec::new(), Vec::new());
    let mut eyes = 0;
    // Under qemu (seconds per iris-pipeline frame) two stills: the hand-over is our code, the
    // same on every CPU.
    let stills: &[&str] = if emulated() {
        &["sk__astronaut.png", "mpl__grace_hopper.jpg"]
    } else {
        &STILLS
    };
    for image in stills {
        let rgb = load_rgb(image);
        let view = RgbView::new(rgb.width() as usize, rgb.height() as usize, rgb.as_raw()).unwrap();
        one.detect(view, &mut a).expect("detect");
        two.detect(view, &mut b).expect("detect");
        assert_eq!(a.len(), b.len(), "{image}");
        for (fa, fb) in a.iter().zip(&b) {
            for (ea, eb) in [(&fa.right_eye, &fb.right_eye), (&fa.left_eye, &fb.left_eye)] {
                assert_eq!(ea.contour, eb.contour, "{image}");
                assert_eq!(ea.iris, eb.iris, "{image}");
                eyes += 1;
            }
        }
    }
    let want = if emulated() { 4 } else { 16 };
    assert!(eyes >= want, "only {eyes} eyes compared");
}

/// A worker dropped with a job in flight stops instead of hanging; a wrong input size is an
/// error, not a panic.
#[test]
fn offload_stops_with_a_job_in_flight_and_checks_input_size() {
    let spec = eyeswitch::models::IRIS;
    let mut offload = Offload::start(&models_dir(), spec).expect("worker starts");
    let err = offload.submit(&[0.0; 3]).expect_err("too short");
    assert!(err.to_string().contains("has 3 values"), "{err}");
    let zeros = vec![0.0; spec.input.iter().product()];
    offload.submit(&zeros).expect("submits");
    assert_eq!(offload.finish().expect("runs").get(1).len(), 15);
    offload.submit(&zeros).expect("submits");
    drop(offload);
}
