//! The fixed routes: each path is matched exactly, nothing is read from disk for a request, so
//! there is no path to traverse. Every request is checked by [`auth`] first.

use std::io::{Read, Write};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::web::auth::{self, Access};
use crate::web::{press_log, preview, tuning, Context, MAX_STREAMS, PAGE};

/// Largest POST body read: a whole tuning form is under 2 KB.
const MAX_BODY: usize = 16 * 1024;
/// A stream with nothing to send says so this often (an SSE comment), so a dead client is
/// noticed and the thread ends.
const KEEPALIVE: Duration = Duration::from_secs(5);
/// The page's own script and styles only: no CDN, no other origin.
const CSP: &str = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self'; connect-src 'self'";

/// Answers one request (a stream is handed to a thread of its own).
pub(crate) fn handle(mut request: Request, context: &Arc<Context>) {
    let access = auth::check(&request, &context.token);
    let reply = match access {
        Access::Denied => text(
            401,
            "a token is needed: open the URL eyeswitch printed at start (…/?token=…)",
        ),
        Access::ForeignOrigin => text(
            403,
            "refused: a change must come from the setup page itself (Origin)",
        ),
        Access::Cookie | Access::Query => {
            let path = auth::path(request.url()).to_owned();
            match (request.method().clone(), path.as_str()) {
                (Method::Get, "/") if access == Access::Query => redirect("/"),
                (Method::Get, "/") => page(),
                (Method::Get, "/api/status") => {
                    json_reply(200, &context.shared.status.get().to_json())
                }
                (Method::Get, "/api/log.csv") => log_csv(context),
                (Method::Get, "/api/config") => current_config(context),
                (Method::Get, "/api/events") | (Method::Get, "/preview.mjpeg") => {
                    return stream(request, &path, access, context)
                }
                (Method::Post, "/api/config") => match body(&mut request) {
                    Ok(b) => config(context, &b),
                    Err(r) => r,
                },
                (Method::Post, "/api/calibrate") => match body(&mut request) {
                    Ok(b) => calibrate(context, &b),
                    Err(r) => r,
                },
                (Method::Post, "/api/test") => match body(&mut request) {
                    Ok(b) => test_mode(context, &b),
                    Err(r) => r,
                },
                (_, "/" | "/api/status" | "/api/log.csv" | "/api/events" | "/preview.mjpeg") => {
                    text(405, "use GET here")
                }
                (_, "/api/calibrate" | "/api/test") => text(405, "use POST here"),
                (_, "/api/config") => text(405, "use GET or POST here"),
                _ => text(404, "no such page"),
            }
        }
    };
    let reply = if access == Access::Query {
        with(reply, auth::set_cookie(&context.token))
    } else {
        reply
    };
    if let Err(e) = request.respond(reply) {
        log::debug!("web: answer not sent: {e}");
    }
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name, value).ok()
}

fn with<R: Read>(reply: Response<R>, h: Option<Header>) -> Response<R> {
    match h {
        Some(h) => reply.with_header(h),
        None => reply,
    }
}

fn reply(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
    let r = Response::from_data(body).with_status_code(StatusCode(status));
    let r = with(r, header("Content-Type", content_type));
    let r = with(r, header("Cache-Control", "no-store"));
    with(r, header("X-Content-Type-Options", "nosniff"))
}

fn text(status: u16, message: &str) -> Reply {
    reply(
        status,
        "text/plain; charset=utf-8",
        format!("{message}\n").into_bytes(),
    )
}

fn json_reply(status: u16, value: &serde_json::Value) -> Reply {
    reply(status, "application/json", value.to_string().into_bytes())
}

fn page() -> Reply {
    let r = reply(200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec());
    let r = with(r, header("Content-Security-Policy", CSP));
    with(r, header("Referrer-Policy", "no-referrer"))
}

/// Drops the token from the address bar (and the browser's history) once the cookie is set.
fn redirect(to: &str) -> Reply {
    with(text(303, "see the page"), header("Location", to))
}

/// The body, or the refusal to send when it is too large or unreadable.
fn body(request: &mut Request) -> Result<String, Reply> {
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(text(413, "the request is too large"));
    }
    let mut body = String::new();
    match request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_string(&mut body)
    {
        Ok(n) if n <= MAX_BODY => Ok(body),
        Ok(_) => Err(text(413, "the request is too large")),
        Err(_) => Err(text(400, "the request body is not UTF-8 text")),
    }
}

fn log_csv(context: &Context) -> Reply {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    match press_log::csv(&context.state_dir, now) {
        Ok(csv) => with(
            reply(200, "text/csv; charset=utf-8", csv.into_bytes()),
            header(
                "Content-Disposition",
                "attachment; filename=\"eyeswitch-presses.csv\"",
            ),
        ),
        Err(e) => text(
            500,
            &format!(
                "cannot read the press log {}: {e}",
                press_log::path(&context.state_dir).display()
            ),
        ),
    }
}

/// `GET /api/config`: the tuning form's values, from the config file as saved.
fn current_config(context: &Context) -> Reply {
    let loaded = match context.config_file.as_deref() {
        Some(path) => crate::config::Config::load(path),
        None => Ok(crate::config::Config::default()),
    };
    match loaded {
        Ok(c) => json_reply(
            200,
            &json!({"gesture": c.gesture, "switch": c.switches, "saved_to": context.config_file}),
        ),
        Err(e) => json_reply(500, &json!({"error": e.to_string()})),
    }
}

/// `POST /api/config`: saved and handed to the frame loop, or the config file's own message.
fn config(context: &Context, body: &str) -> Reply {
    match tuning::apply(context.config_file.as_deref(), body) {
        Ok(config) => {
            let engine = config.engine_config();
            let gesture = config.gesture;
            context.shared.control.request(|r| r.tuning = Some(engine));
            json_reply(200, &json!({"saved": true, "gesture": gesture}))
        }
        Err(e @ tuning::TuningError::Save { .. }) => {
            json_reply(500, &json!({"error": e.to_string()}))
        }
        Err(e @ tuning::TuningError::NoFile) => json_reply(409, &json!({"error": e.to_string()})),
        Err(e) => json_reply(400, &json!({"error": e.to_string()})),
    }
}

/// `POST /api/calibrate`: `{"action": "start", "step_ms": 2000}` or `{"action": "cancel"}`.
fn calibrate(context: &Context, body: &str) -> Reply {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let step_ms = value.get("step_ms").and_then(|v| v.as_u64());
    match value.get("action").and_then(|v| v.as_str()) {
        Some("start") => {
            let step_ms = step_ms.unwrap_or(u64::from(crate::web::feed::STEP_MS));
            if !(500..=10_000).contains(&step_ms) {
                return json_reply(400, &json!({"error": "step_ms: use 500 to 10000 ms"}));
            }
            context
                .shared
                .control
                .request(|r| r.calibrate = Some(Some(step_ms as u32)));
            json_reply(200, &json!({"started": true, "step_ms": step_ms}))
        }
        Some("cancel") => {
            context.shared.control.request(|r| r.calibrate = Some(None));
            json_reply(200, &json!({"cancelled": true}))
        }
        _ => json_reply(
            400,
            &json!({"error": "send {\"action\": \"start\"} or {\"action\": \"cancel\"}"}),
        ),
    }
}

/// `POST /api/test`: `{"on": true}` holds switch presses back while gestures light up.
fn test_mode(context: &Context, body: &str) -> Reply {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    match value.get("on").and_then(|v| v.as_bool()) {
        Some(on) => {
            context.shared.control.request(|r| r.test_mode = Some(on));
            json_reply(200, &json!({"test_mode": on}))
        }
        None => json_reply(
            400,
            &json!({"error": "send {\"on\": true} or {\"on\": false}"}),
        ),
    }
}

/// The length a stream's head announces: more than any stream sends (at 10 fps, 4 GB lasts
/// hours on a 32-bit board, where the browser then reconnects), and within a browser's int64.
const ENDLESS: usize = if usize::BITS >= 64 {
    i64::MAX as usize
} else {
    usize::MAX
};

/// A long stream on a thread of its own, at most [`MAX_STREAMS`] at once. The head goes out
/// through tiny_http with a length no stream reaches; the body is written and flushed part by
/// part, so each event or picture leaves at once (tiny_http's own body writer buffers).
fn stream(request: Request, path: &str, access: Access, context: &Arc<Context>) {
    if context.streams.fetch_add(1, Ordering::SeqCst) >= MAX_STREAMS {
        context.streams.fetch_sub(1, Ordering::SeqCst);
        let _ = request.respond(text(
            503,
            "too many open previews or event streams; close one",
        ));
        return;
    }
    let events = path == "/api/events";
    let content_type = if events {
        "text/event-stream".to_owned()
    } else {
        format!("multipart/x-mixed-replace; boundary={}", preview::BOUNDARY)
    };
    let context = Arc::clone(context);
    let spawned = thread::Builder::new()
        .name("web-stream".into())
        .spawn(move || {
            let head = Response::new(
                StatusCode(200),
                Vec::new(),
                std::io::empty(),
                Some(ENDLESS),
                None,
            )
            .with_chunked_threshold(usize::MAX);
            let head = with(
                head_headers(head, &content_type),
                if access == Access::Query {
                    auth::set_cookie(&context.token)
                } else {
                    None
                },
            );
            let version = request.http_version().clone();
            let headers = request.headers().to_vec();
            let mut out = request.into_writer();
            let sent = head
                .raw_print(&mut out, version, &headers, true, None)
                .and_then(|()| out.flush());
            if sent.is_ok() {
                let result = if events {
                    events_body(&context, &mut out)
                } else {
                    preview_body(&context, &mut out)
                };
                if let Err(e) = result {
                    log::debug!("web: stream closed: {e}");
                }
            }
            context.streams.fetch_sub(1, Ordering::SeqCst);
        });
    if let Err(e) = spawned {
        log::error!("web: cannot start a stream's thread: {e}");
    }
}

fn head_headers<R: Read>(r: Response<R>, content_type: &str) -> Response<R> {
    let mut r = r;
    for (name, value) in [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ] {
        if let Some(h) = header(name, value) {
            r.add_header(h);
        }
    }
    r
}

/// Server-Sent Events: one `data:` line per event, in the event schema, until the client goes.
fn events_body(context: &Context, out: &mut impl Write) -> std::io::Result<()> {
    let ring = &context.shared.events;
    let mut from = ring.head();
    let mut events = Vec::with_capacity(crate::web::events::RING);
    let mut quiet = Duration::ZERO;
    writeln!(out, "retry: 1000\n")?;
    out.flush()?;
    while !context.stop.load(Ordering::Relaxed) {
        events.clear();
        from = ring.read(from, Duration::from_millis(500), &mut events);
        for e in &events {
            let line = serde_json::to_string(e).map_err(std::io::Error::other)?;
            write!(out, "data: {line}\n\n")?;
        }
        if events.is_empty() {
            quiet += Duration::from_millis(500);
            if quiet >= KEEPALIVE {
                quiet = Duration::ZERO;
                write!(out, ": alive\n\n")?;
            } else {
                continue;
            }
        } else {
            quiet = Duration::ZERO;
        }
        out.flush()?;
    }
    Ok(())
}

/// The MJPEG preview: a part per new picture, until the client goes.
fn preview_body(context: &Context, out: &mut impl Write) -> std::io::Result<()> {
    let mut viewer = context.shared.preview.viewer();
    while !context.stop.load(Ordering::Relaxed) {
        viewer.next_part(Duration::from_millis(500), out)?;
    }
    Ok(())
}
