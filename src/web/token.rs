//! The page's access token: 128 random bits from the kernel, in hex, made on first start and
//! kept mode 0600 so only eyeswitch's user can read it.

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::web::WebError;

/// Random bytes in a token: 128 bits, beyond guessing over a network.
const TOKEN_BYTES: usize = 16;

/// The token in `path`, made first if the file does not exist. A file that is not a token (a
/// wrong length, not hex) or that others can read is refused rather than silently replaced.
pub fn load_or_create(path: &Path) -> Result<String, WebError> {
    let err = |source| WebError::Token {
        path: path.to_owned(),
        source,
    };
    match fs::read_to_string(path) {
        Ok(text) => {
            let mode = fs::metadata(path).map_err(err)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(WebError::TokenExposed {
                    path: path.to_owned(),
                    mode: mode & 0o777,
                });
            }
            let token = text.trim();
            if token.len() != TOKEN_BYTES * 2 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(WebError::TokenInvalid {
                    path: path.to_owned(),
                });
            }
            Ok(token.to_ascii_lowercase())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path).map_err(err),
        Err(e) => Err(err(e)),
    }
}

fn create(path: &Path) -> std::io::Result<String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; TOKEN_BYTES];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // create_new: two starts racing never leave one with a token the file no longer holds.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{token}")?;
    file.sync_all()?;
    Ok(token)
}
