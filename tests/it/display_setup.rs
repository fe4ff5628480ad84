//! The setup page's address on the status screen (issue 15): drawn as a QR code, saved as a PNG,
//! scanned back with a QR decoder, and the scanned URL opened on a real server; the normal status
//! is unchanged and the display thread shows the code only while no face is tracked.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::Duration;

use eyeswitch::config::{Config, WebConfig};
use eyeswitch::display::setup_code::qr_text;
use eyeswitch::display::setup_page::TEXT_X;
use eyeswitch::display::{
    render, DisplayError, DisplayThread, MonoFramebuffer, Page, Screen, StatusFeed, StatusModel,
    StatusSlot,
};
use eyeswitch::event::{Event, EventKind};
use eyeswitch::web::WebServer;

use crate::web_server::request;

const URL: &str = "http://192.168.178.20:8080/?token=3f9c0a1b2c3d4e5f60718293a4b5c6d7";

fn setup_model(url: &str) -> StatusModel {
    let mut m = StatusModel::new();
    m.set_setup_url(url);
    m.page = Page::Setup;
    m
}

/// Renders `model`, saves it as `name` under the test directory, and reads every QR code in
/// the saved picture, as a phone would read the panel.
fn scan(model: &StatusModel, name: &str) -> Vec<(rqrr::MetaData, String)> {
    let mut fb = MonoFramebuffer::new();
    render(model, &mut fb).unwrap();
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    fb.save_png(&png).unwrap();
    let image = image::open(&png).unwrap().to_luma8();
    let (w, h) = image.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            image.get_pixel(x as u32, y as u32)[0]
        });
    prepared
        .detect_grids()
        .iter()
        .map(|g| g.decode().unwrap())
        .collect()
}

fn any_lit(fb: &MonoFramebuffer, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>) -> bool {
    xs.flat_map(|x| ys.clone().map(move |y| (x, y)))
        .any(|(x, y)| fb.pixel(x, y))
}

#[test]
fn the_setup_page_holds_the_url_as_a_qr_code_of_2_pixel_modules() {
    let codes = scan(&setup_model(URL), "status-setup-page.png");
    assert_eq!(codes.len(), 1, "one code on the screen");
    let (meta, text) = &codes[0];
    assert_eq!(text, &qr_text(URL), "the code holds the whole URL");
    assert!(text.eq_ignore_ascii_case(URL), "only letters' case differs");
    assert_eq!(meta.version.0, 3, "29 modules of 2 pixels in the 64 rows");

    let mut fb = MonoFramebuffer::new();
    render(&setup_model(URL), &mut fb).unwrap();
    let x = TEXT_X as u32;
    assert!(any_lit(&fb, x..128, 0..10), "NO FACE beside the code");
    assert!(any_lit(&fb, x..128, 14..44), "host:port beside the code");
}

#[test]
fn a_name_on_the_local_network_fits_too() {
    let url = "http://eyeswitch.local:8080/?token=00112233445566778899aabbccddeeff";
    let codes = scan(&setup_model(url), "status-setup-page-local.png");
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].1, qr_text(url));
}

#[test]
fn a_url_too_long_for_a_readable_code_shows_host_and_port_as_text() {
    let host = "a-very-long-board-name-indeed.local";
    let url = format!("http://{host}:8080/?token={}", "0".repeat(32));
    let model = setup_model(&url);
    assert!(model.setup().unwrap().qr().is_none());
    assert!(scan(&model, "status-setup-page-text.png").is_empty());
    let mut fb = MonoFramebuffer::new();
    render(&model, &mut fb).unwrap();
    assert!(!fb.pixel(10, 32), "no lit square for a code");
    assert!(any_lit(&fb, 0..128, 14..24), "the host, from the left edge");
}

#[test]
fn the_normal_status_is_unchanged_by_the_address() {
    let mut plain = StatusModel::new();
    plain.apply(&Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Face {
            present: false,
            score: 0.1,
        },
    });
    plain.fps = 25.0;
    let mut with_setup = plain;
    with_setup.set_setup_url(URL);
    let (mut a, mut b) = (MonoFramebuffer::new(), MonoFramebuffer::new());
    render(&plain, &mut a).unwrap();
    render(&with_setup, &mut b).unwrap();
    assert!(
        a == b,
        "the status page draws the same with or without [web]"
    );
    assert!(any_lit(&b, 0..48, 0..10), "NO FACE");
    assert!(any_lit(&b, 0..100, 40..50), "the last event");
}

#[test]
fn scanning_the_screen_opens_the_real_page() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("display-setup-web");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let web = WebConfig {
        listen: "127.0.0.1:0".into(),
        token_file: dir.join("web-token"),
        state_dir: dir.clone(),
    };
    let (server, _feed) = WebServer::start(&web, &Config::default(), None, None).unwrap();
    let codes = scan(&setup_model(server.url()), "status-setup-page-server.png");
    let scanned = &codes[0].1;
    assert_ne!(scanned, server.url(), "capitals in the code");
    // What a phone's browser does with it: the scheme and host are case-blind.
    let rest = scanned.strip_prefix("HTTP://").unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    let reply = request(addr, "GET", path, &[], "");
    assert_eq!(reply.status, 303, "the token in capitals is the token");
    let token = std::fs::read_to_string(dir.join("web-token")).unwrap();
    let cookie = reply.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("eyeswitch_token={}", token.trim())),
        "{cookie}"
    );
}

/// Records the page of every model shown.
#[derive(Clone, Default)]
struct Pages(Arc<Mutex<Vec<Page>>>);

impl Screen for Pages {
    fn show(&mut self, model: &StatusModel) -> Result<(), DisplayError> {
        self.0.lock().unwrap().push(model.page);
        Ok(())
    }
}

#[test]
fn the_display_thread_shows_the_code_until_a_face_is_tracked() {
    let pages = Pages::default();
    let slot = StatusSlot::new();
    let period = Duration::from_millis(10);
    let thread = DisplayThread::spawn(Box::new(pages.clone()), slot.clone(), period).unwrap();
    let mut feed = StatusFeed::new(slot, thread);
    feed.set_setup_url(URL);
    sleep(period * 5);
    feed.event(&Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Face {
            present: true,
            score: 0.9,
        },
    });
    feed.prompt("face found");
    sleep(period * 5);
    drop(feed);
    let shown = pages.0.lock().unwrap().clone();
    assert!(shown.contains(&Page::Setup), "{shown:?}");
    assert_eq!(shown.last(), Some(&Page::Status), "{shown:?}");
}
