//! The setup page a carer opens on a phone (issue 15): live preview, positioning, live
//! signals, calibration, tuning and the press log, served by `run` when the config has a
//! `[web]` section, and nothing listening when it has none.
//!
//! The frame loop feeds it as it feeds the status screen ([`WebFeed`]: a latest-value status
//! slot, a bounded event ring, a preview slot filled only while watched); requests are served on
//! the server's own threads, each long stream (preview, events) on a thread of its own.

pub mod auth;
pub mod control;
pub mod events;
pub mod feed;
pub mod press_log;
pub mod preview;
mod routes;
pub mod status;
pub mod token;
pub mod tuning;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub use feed::{Change, WebFeed};
pub use status::WebStatus;

use crate::config::{Config, WebConfig};
use crate::gesture::GazeProfile;

/// The page, served from the binary: no file is ever read from disk for a request.
pub const PAGE: &str = include_str!("page.html");
/// Long streams (preview, events) served at once: a phone or two, with room for a reload.
pub const MAX_STREAMS: usize = 6;
/// How often the server's threads look at the stop flag.
const POLL: Duration = Duration::from_millis(200);

/// Why the page could not start; `run` logs it and goes on without the page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(
        "[web] listen = \"{addr}\": cannot listen: {reason}; choose a free port or another address"
    )]
    Listen { addr: SocketAddr, reason: String },
    #[error("[web] token_file {}: {source}; check that the directory exists and eyeswitch may write to it", path.display())]
    Token {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("[web] token_file {}: is not a token (32 hex digits); delete it and a new one is made at the next start", path.display())]
    TokenInvalid { path: PathBuf },
    #[error("[web] token_file {}: others may read it (mode {mode:o}); run `chmod 600` on it", path.display())]
    TokenExposed { path: PathBuf, mode: u32 },
    #[error("cannot start the web server's thread: {0}")]
    Spawn(std::io::Error),
}

/// What the frame loop and the server threads share.
pub(crate) struct Shared {
    pub status: status::StatusSlot,
    pub events: Arc<events::EventRing>,
    pub preview: preview::PreviewSlot,
    pub control: control::Control,
}

/// Everything a request handler reads.
pub(crate) struct Context {
    pub shared: Arc<Shared>,
    pub token: String,
    /// The config file `run` was started with: where tuning is saved.
    pub config_file: Option<PathBuf>,
    pub state_dir: PathBuf,
    pub streams: AtomicUsize,
    pub stop: Arc<AtomicBool>,
}

/// The running server; dropping it stops its threads.
pub struct WebServer {
    url: String,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl WebServer {
    /// Starts listening on `web.listen`. `config_file` is where tuning is saved; `profile` the
    /// calibrated profile in use (`None`: the default).
    pub fn start(
        web: &WebConfig,
        config: &Config,
        config_file: Option<PathBuf>,
        profile: Option<GazeProfile>,
    ) -> Result<(WebServer, WebFeed), WebError> {
        let addr = web.addr().ok_or_else(|| WebError::Listen {
            addr: SocketAddr::from(([0, 0, 0, 0], 0)),
            reason: format!("{:?} is not an address", web.listen),
        })?;
        let token = token::load_or_create(&web.token_file)?;
        let server = tiny_http::Server::http(addr).map_err(|e| WebError::Listen {
            addr,
            reason: e.to_string(),
        })?;
        let bound = server.server_addr().to_ip().unwrap_or(addr);
        let shared = Arc::new(Shared {
            status: status::StatusSlot::new(WebStatus::new(config.gesture, profile)),
            events: Arc::new(events::EventRing::default()),
            preview: preview::PreviewSlot::default(),
            control: control::Control::default(),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let context = Arc::new(Context {
            shared: Arc::clone(&shared),
            token: token.clone(),
            config_file,
            state_dir: web.state_dir.clone(),
            streams: AtomicUsize::new(0),
            stop: Arc::clone(&stop),
        });
        let mut threads = Vec::with_capacity(2);
        threads.push(
            thread::Builder::new()
                .name("web".into())
                .spawn(move || serve(&server, &context))
                .map_err(WebError::Spawn)?,
        );
        let (ring, dir, stopped) = (
            Arc::clone(&shared.events),
            web.state_dir.clone(),
            Arc::clone(&stop),
        );
        threads.push(
            thread::Builder::new()
                .name("press-log".into())
                .spawn(move || press_log::follow(ring, dir, stopped))
                .map_err(WebError::Spawn)?,
        );
        let url = format!("http://{}/?token={token}", host(bound));
        let feed = WebFeed::new(
            shared,
            WebStatus::new(config.gesture, profile),
            config.gaze.profile.clone(),
        );
        Ok((WebServer { url, stop, threads }, feed))
    }

    /// The page's full URL, token included: what the carer opens.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            if t.join().is_err() {
                log::error!("web: a server thread panicked");
            }
        }
    }
}

/// Serves requests until stopped; a request never stops the server.
fn serve(server: &tiny_http::Server, context: &Arc<Context>) {
    while !context.stop.load(Ordering::Relaxed) {
        match server.recv_timeout(POLL) {
            Ok(Some(request)) => routes::handle(request, context),
            Ok(None) => {}
            Err(e) => {
                log::error!("web: {e}");
                thread::sleep(POLL);
            }
        }
    }
}

/// The address a phone reaches: the machine's name on the local network when listening on
/// every address, else the address itself.
fn host(addr: SocketAddr) -> String {
    if !addr.ip().is_unspecified() {
        return addr.to_string();
    }
    let mut name = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates within it.
    let ok = unsafe { libc::gethostname(name.as_mut_ptr().cast(), name.len() - 1) } == 0;
    let end = name.iter().position(|b| *b == 0).unwrap_or(0);
    match std::str::from_utf8(&name[..end]) {
        Ok(n) if ok && !n.is_empty() => format!("{n}.local:{}", addr.port()),
        _ => addr.to_string(),
    }
}
