//! The setup page's server (issue 15), over real HTTP on the loopback: every refusal (no token,
//! a wrong token, a POST from another origin or none, an unknown path), the token file and
//! cookie, and the status JSON, event stream and press log fed as the frame loop feeds them.
//! `web_run` drives the same server inside `run` on a recording.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eyeswitch::config::{Config, WebConfig};
use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::gesture::{EyeObservation, FaceObservation, IrisPos, Observation};
use eyeswitch::web::{WebFeed, WebServer};

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A server on a free loopback port, its state in `dir`; the config file is `dir/config.toml`.
pub struct Running {
    pub server: WebServer,
    pub feed: WebFeed,
    pub addr: String,
    pub token: String,
    pub dir: PathBuf,
}

fn start(name: &str) -> Running {
    let dir = dir(name);
    let config_file = dir.join("config.toml");
    std::fs::write(&config_file, "[gesture]\nlong_blink_ms = 500\n").unwrap();
    let web = WebConfig {
        listen: "127.0.0.1:0".into(),
        token_file: dir.join("web-token"),
        state_dir: dir.clone(),
    };
    let (server, feed) =
        WebServer::start(&web, &Config::default(), Some(config_file), None).unwrap();
    let token = std::fs::read_to_string(dir.join("web-token"))
        .unwrap()
        .trim()
        .to_owned();
    let addr = server
        .url()
        .strip_prefix("http://")
        .and_then(|u| u.split('/').next())
        .unwrap()
        .to_owned();
    Running {
        server,
        feed,
        addr,
        token,
        dir,
    }
}

/// A response: status, headers (lower-case names) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One request on a fresh connection, `extra` being header lines.
pub fn request(addr: &str, method: &str, path: &str, extra: &[&str], body: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn cookie(token: &str) -> String {
    format!("Cookie: eyeswitch_token={token}")
}

#[test]
fn without_the_token_every_path_is_401() {
    let r = start("web-401");
    for path in [
        "/",
        "/api/status",
        "/api/events",
        "/preview.mjpeg",
        "/api/log.csv",
        "/nothing",
    ] {
        assert_eq!(request(&r.addr, "GET", path, &[], "").status, 401, "{path}");
    }
    let wrong = format!("/api/status?token={}", "0".repeat(32));
    assert_eq!(request(&r.addr, "GET", &wrong, &[], "").status, 401);
    assert_eq!(
        request(&r.addr, "GET", "/api/status", &[&cookie("abc")], "").status,
        401
    );
}

#[test]
fn the_token_in_the_url_sets_an_httponly_strict_cookie_and_leaves_the_address_bar() {
    let r = start("web-cookie");
    let reply = request(&r.addr, "GET", &format!("/?token={}", r.token), &[], "");
    assert_eq!(reply.status, 303);
    assert_eq!(reply.header("location"), Some("/"));
    let set = reply.header("set-cookie").expect("a cookie");
    assert!(
        set.starts_with(&format!("eyeswitch_token={};", r.token)),
        "{set}"
    );
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(flag), "{flag} in {set}");
    }
    let page = request(&r.addr, "GET", "/", &[&cookie(&r.token)], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>eyeswitch setup</title>"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'"), "no CDN: {csp}");
}

#[test]
fn the_token_file_is_made_once_with_mode_0600() {
    let r = start("web-token");
    let file = r.dir.join("web-token");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(r.token.len(), 32, "128 bits in hex");
    assert!(r.token.bytes().all(|b| b.is_ascii_hexdigit()));
    drop(r.server);
    let web = WebConfig {
        listen: "127.0.0.1:0".into(),
        token_file: file.clone(),
        state_dir: r.dir.clone(),
    };
    let (again, _) = WebServer::start(&web, &Config::default(), None, None).unwrap();
    assert!(
        again.url().ends_with(&format!("?token={}", r.token)),
        "the same token"
    );
    // A token others can read is refused, not used.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(again);
    let refused = WebServer::start(&web, &Config::default(), None, None)
        .err()
        .unwrap();
    assert!(refused.to_string().contains("chmod 600"), "{refused}");
}

#[test]
fn a_post_needs_the_pages_own_origin() {
    let r = start("web-origin");
    let c = cookie(&r.token);
    let body = r#"{"on": true}"#;
    let evil = request(
        &r.addr,
        "POST",
        "/api/test",
        &[&c, "Origin: http://evil.example"],
        body,
    );
    assert_eq!(evil.status, 403);
    assert_eq!(
        request(&r.addr, "POST", "/api/test", &[&c], body).status,
        403,
        "no Origin"
    );
    let own = format!("Origin: http://{}", r.addr);
    let ok = request(&r.addr, "POST", "/api/test", &[&c, &own], body);
    assert_eq!(ok.status, 200, "{}", ok.body);
    // Without the token the origin does not help.
    assert_eq!(
        request(&r.addr, "POST", "/api/test", &[&own], body).status,
        401
    );
    for path in ["/api/config", "/api/calibrate"] {
        let evil = request(
            &r.addr,
            "POST",
            path,
            &[&c, "Origin: http://evil.example"],
            "{}",
        );
        assert_eq!(evil.status, 403, "{path}");
    }
}

#[test]
fn unknown_paths_are_404_and_nothing_is_read_from_disk() {
    let r = start("web-404");
    let c = cookie(&r.token);
    for path in [
        "/nothing",
        "/../../etc/passwd",
        "/api/status/../../Cargo.toml",
        "/page.html",
        "/src/web/page.html",
    ] {
        assert_eq!(
            request(&r.addr, "GET", path, &[&c], "").status,
            404,
            "{path}"
        );
    }
    let own = format!("Origin: http://{}", r.addr);
    assert_eq!(
        request(&r.addr, "DELETE", "/api/status", &[&c, &own], "").status,
        405
    );
    assert_eq!(request(&r.addr, "GET", "/api/test", &[&c], "").status, 405);
}

fn face(openness: f32) -> FaceObservation {
    let eye = EyeObservation {
        openness,
        iris: Some(IrisPos { x: 0.1, y: -0.05 }),
    };
    FaceObservation {
        score: 0.9,
        right: eye,
        left: eye,
        distance_mm: Some(450.0),
        ..FaceObservation::default()
    }
}

fn get_json(r: &Running, path: &str) -> serde_json::Value {
    let reply = request(&r.addr, "GET", path, &[&cookie(&r.token)], "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    serde_json::from_str(&reply.body).unwrap()
}

#[test]
fn status_json_shows_the_face_eyes_gaze_and_tuning() {
    let mut r = start("web-status");
    let before = get_json(&r, "/api/status");
    assert!(before["face"].is_null());
    for i in 0..3u64 {
        r.feed.frame(&Observation {
            t_ms: i * 40,
            frame: i,
            face: Some(face(0.3)),
        });
    }
    let s = get_json(&r, "/api/status");
    assert_eq!(s["frame"], 2);
    assert!((s["fps"].as_f64().unwrap() - 25.0).abs() < 0.5, "{s}");
    assert!((s["face"]["right_eye"]["openness"].as_f64().unwrap() - 0.3).abs() < 1e-6);
    assert_eq!(s["face"]["both_eyes_tracked"], true);
    assert_eq!(s["face"]["distance_mm"], 450.0);
    assert!((s["gaze"]["point"]["x"].as_f64().unwrap() - 0.1).abs() < 1e-6);
    assert_eq!(s["gesture"]["long_blink_ms"], 500);
    assert_eq!(s["close_fraction"].as_f64().map(|v| v as f32), Some(0.45));
    assert_eq!(s["profile"]["calibrated"], false);
    assert_eq!(s["calibration"]["state"], "idle");
}

fn switch(t_ms: u64, action: SwitchAction) -> Event {
    Event {
        t_ms,
        frame: t_ms / 40,
        kind: EventKind::Switch {
            switch: 1,
            action,
            gesture: Gesture::LongBlink,
        },
    }
}

#[test]
fn events_stream_as_server_sent_events_in_the_event_schema() {
    let mut r = start("web-sse");
    let mut s = TcpStream::connect(&r.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET /api/events HTTP/1.1\r\nHost: {}\r\n{}\r\n\r\n",
        r.addr,
        cookie(&r.token)
    )
    .unwrap();
    let mut reader = BufReader::new(s);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    let mut head = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        head.push(line.to_ascii_lowercase());
    }
    assert!(
        head.iter()
            .any(|h| h.starts_with("content-type: text/event-stream")),
        "{head:?}"
    );
    // The stream is open before the events come; they arrive at once, not at the stream's end.
    std::thread::sleep(Duration::from_millis(300));
    let sent = [
        switch(1000, SwitchAction::Press),
        switch(1200, SwitchAction::Release),
    ];
    for e in &sent {
        r.feed.event(e);
    }
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while got.len() < sent.len() && Instant::now() < deadline {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if let Some(json) = line.trim_end().strip_prefix("data: ") {
            got.push(serde_json::from_str::<Event>(json).unwrap());
        }
    }
    assert_eq!(got, sent);
}

#[test]
fn presses_are_logged_as_csv_with_gesture_and_duration() {
    let mut r = start("web-log");
    // The log's thread follows the ring from its start: give it a moment to be there.
    std::thread::sleep(Duration::from_millis(300));
    r.feed.event(&switch(5000, SwitchAction::Press));
    r.feed.event(&switch(5250, SwitchAction::Release));
    let deadline = Instant::now() + Duration::from_secs(5);
    let csv = loop {
        let reply = request(&r.addr, "GET", "/api/log.csv", &[&cookie(&r.token)], "");
        assert_eq!(reply.status, 200);
        assert!(reply
            .header("content-type")
            .unwrap()
            .starts_with("text/csv"));
        if reply.body.lines().count() > 1 || Instant::now() > deadline {
            break reply.body;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "unix_s,time_utc,switch,gesture,duration_ms");
    assert_eq!(lines.len(), 2, "{csv}");
    let fields: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(&fields[2..], ["1", "long_blink", "250"], "{csv}");
    assert!(fields[1].ends_with('Z') && fields[1].len() == 20, "{csv}");
    assert!(
        r.dir.join("presses.csv").is_file(),
        "kept in the state directory"
    );
}

#[test]
fn a_rejected_tuning_gets_the_config_files_own_message_and_saves_nothing() {
    let r = start("web-tune");
    let c = cookie(&r.token);
    let own = format!("Origin: http://{}", r.addr);
    let file = r.dir.join("config.toml");
    let before = std::fs::read_to_string(&file).unwrap();
    let body = r#"{"gesture": {"close_fraction": 5.0}}"#;
    let reply = request(&r.addr, "POST", "/api/config", &[&c, &own], body);
    assert_eq!(reply.status, 400);
    let message = serde_json::from_str::<serde_json::Value>(&reply.body).unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned();
    let from_file = Config::parse(
        "[gesture]\nclose_fraction = 5.0\n",
        &file.display().to_string(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(message, from_file);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let ok = request(
        &r.addr,
        "POST",
        "/api/config",
        &[&c, &own],
        r#"{"gesture": {"long_blink_ms": 700}}"#,
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        Config::load(&file).unwrap().gesture.long_blink_ms,
        700,
        "saved"
    );
    let current = get_json(&r, "/api/config");
    assert_eq!(current["gesture"]["long_blink_ms"], 700);
}

#[test]
fn the_web_section_is_typed_and_validated_in_the_one_config() {
    assert!(
        Config::parse("", "f.toml").unwrap().web.is_none(),
        "no [web], no listener"
    );
    let c = Config::parse("[web]\nlisten = \"0.0.0.0:8080\"\n", "f.toml").unwrap();
    let web = c.web.unwrap();
    assert_eq!(web.token_file, Path::new("/var/lib/eyeswitch/web-token"));
    assert_eq!(web.state_dir, Path::new("/var/lib/eyeswitch"));
    for (text, key) in [
        ("[web]\nlisten = \"8080\"\n", "web.listen"),
        ("[web]\nlisten = \"phone:80\"\n", "web.listen"),
        (
            "[web]\nlisten = \"0.0.0.0:8080\"\ntoken_file = \"token\"\n",
            "web.token_file",
        ),
        (
            "[web]\nlisten = \"0.0.0.0:8080\"\nstate_dir = \"state\"\n",
            "web.state_dir",
        ),
        ("[web]\nlisten = \"0.0.0.0:8080\"\nport = 1\n", "port"),
    ] {
        let e = Config::parse(text, "f.toml").unwrap_err().to_string();
        assert!(e.contains(key) && e.contains("f.toml"), "{text:?}: {e}");
    }
}
