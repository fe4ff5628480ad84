//! The status screen rendered into the in-memory framebuffer, saved as a PNG under target/ for a
//! person to look at, and checked pixel by pixel.

use std::fs::File;
use std::ops::Range;
use std::path::Path;

use embedded_graphics::prelude::*;
use eyeswitch::display::render::{fill_width, BAR_SIZE, BAR_Y, LEFT_BAR_X, RIGHT_BAR_X};
use eyeswitch::display::{render, FbGeometry, LinuxFramebuffer, MonoFramebuffer, StatusModel};
use eyeswitch::event::{Event, EventKind, GazeRegion, Gesture, SwitchAction};

fn model() -> StatusModel {
    let mut m = StatusModel::new();
    let ev = |kind| Event {
        t_ms: 0,
        frame: 0,
        kind,
    };
    m.apply(&ev(EventKind::Face {
        present: true,
        score: 0.97,
    }));
    m.apply(&ev(EventKind::Gaze {
        region: GazeRegion::Left,
        held_ms: 900,
    }));
    m.apply(&ev(EventKind::Switch {
        switch: 1,
        action: SwitchAction::Press,
        gesture: Gesture::LongBlink,
    }));
    m.right_eye = 0.5;
    m.left_eye = 1.0;
    m.fps = 29.7;
    m
}

/// Whether any pixel in the rectangle is lit.
fn any_lit(fb: &MonoFramebuffer, xs: Range<u32>, ys: Range<u32>) -> bool {
    xs.flat_map(|x| ys.clone().map(move |y| (x, y)))
        .any(|(x, y)| fb.pixel(x, y))
}

/// The middle row of the eye bars.
fn bar_mid_y() -> u32 {
    BAR_Y as u32 + BAR_SIZE.height / 2
}

#[test]
fn renders_bars_text_and_saves_png() {
    let mut fb = MonoFramebuffer::new();
    let m = model();
    render(&m, &mut fb).unwrap();
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-screen.png");
    fb.save_png(&png).unwrap();
    let image = image::open(&png).unwrap().to_luma8();
    assert_eq!(image.dimensions(), (128, 64));

    let (rx, lx, y) = (RIGHT_BAR_X as u32, LEFT_BAR_X as u32, bar_mid_y());
    // Right eye 0.5: 26 of the 52 interior columns are filled.
    assert_eq!(fill_width(0.5), 26);
    assert_eq!(
        image.get_pixel(rx + 1, y)[0],
        255,
        "fill starts at the left"
    );
    assert_eq!(image.get_pixel(rx + 26, y)[0], 255, "last filled column");
    assert_eq!(image.get_pixel(rx + 27, y)[0], 0, "first empty column");
    assert_eq!(image.get_pixel(rx + 40, y)[0], 0, "three quarters is empty");
    assert_eq!(
        image.get_pixel(rx + BAR_SIZE.width - 1, y)[0],
        255,
        "right outline"
    );
    assert_eq!(
        image.get_pixel(rx + 40, BAR_Y as u32)[0],
        255,
        "top outline"
    );
    // Left eye 1.0: full.
    assert!((1..BAR_SIZE.width - 1).all(|dx| fb.pixel(lx + dx, y)));
    // Text rows have ink: "FACE", the fps on the right, the gaze row and the event row.
    assert!(any_lit(&fb, 0..24, 0..10), "FACE");
    assert!(any_lit(&fb, 100..128, 0..10), "fps");
    assert!(any_lit(&fb, 0..60, 26..36), "gaze");
    assert!(any_lit(&fb, 0..100, 40..50), "last event");
    assert!(!any_lit(&fb, 0..128, 52..64), "bottom rows empty");
    assert_eq!(m.last_event(), "PRESS 1 long_blink");
}

#[test]
fn closed_eyes_and_bad_values_draw_empty_bars() {
    let mut m = model();
    m.right_eye = 0.0;
    m.left_eye = f32::NAN;
    let mut fb = MonoFramebuffer::new();
    render(&m, &mut fb).unwrap();
    let y = bar_mid_y();
    for x in [RIGHT_BAR_X as u32, LEFT_BAR_X as u32] {
        assert!(fb.pixel(x, y), "outline");
        assert!(!any_lit(&fb, x + 1..x + BAR_SIZE.width - 1, y..y + 1));
    }
    assert_eq!(fill_width(7.0), 52, "clamped to full");
}

#[test]
fn no_face_differs_from_face() {
    let mut with_face = MonoFramebuffer::new();
    let mut without = MonoFramebuffer::new();
    let mut m = model();
    render(&m, &mut with_face).unwrap();
    m.face_found = false;
    render(&m, &mut without).unwrap();
    assert!(with_face != without);
    assert_eq!(with_face.size(), Size::new(128, 64));
}

#[test]
fn linux_framebuffer_scales_into_the_pixel_format() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fb-test");
    let geometry = FbGeometry {
        width: 256,
        height: 128,
        bits_per_pixel: 32,
        stride: 256 * 4,
    };
    let file = File::create(&path).unwrap();
    let mut fb = LinuxFramebuffer::with_geometry(file, &path, geometry).unwrap();
    assert_eq!(fb.scale(), 2);
    fb.show(&model()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 128 * 256 * 4);
    let px = |x: u32, y: u32| {
        let at = (y * geometry.stride + x * 4) as usize;
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    };
    let (rx, y) = (RIGHT_BAR_X as u32, bar_mid_y());
    assert_eq!(px((rx + 1) * 2, y * 2), 0x00FF_FFFF, "filled bar is white");
    assert_eq!(px((rx + 1) * 2 + 1, y * 2 + 1), 0x00FF_FFFF, "scaled 2x");
    assert_eq!(px((rx + 40) * 2, y * 2), 0, "empty bar is black");
}
