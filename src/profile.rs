//! The gaze profile file: written by `eyeswitch calibrate`, read by `run`, `replay`, `bench`
//! and `doctor` through [`load_or_default`], so they all agree on which profile is in use.

use std::path::{Path, PathBuf};

use crate::gesture::{GazeProfile, ProfileError};

/// Why the profile file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ProfileFileError {
    #[error("gaze profile {}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("gaze profile {}: {source}; run `eyeswitch calibrate` again, or delete the file to use the default profile", path.display())]
    Invalid {
        path: PathBuf,
        source: Box<ProfileError>,
    },
    #[error("gaze profile {}: cannot write: {source}; check that the directory exists and is writable (the service's is /var/lib/eyeswitch)", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("gaze profile {}: {source}", path.display())]
    Serialize {
        path: PathBuf,
        source: Box<ProfileError>,
    },
}

/// Which profile is in use.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileSource {
    /// The calibrated file at this path.
    File(PathBuf),
    /// No file at this path: the built-in default profile.
    NoFile(PathBuf),
    /// The file is unusable (the message names the path and field): the built-in default.
    Unusable(String),
}

/// The profile to give the engine (`None`: the engine's built-in default) and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub profile: Option<GazeProfile>,
    pub source: ProfileSource,
}

impl Loaded {
    /// The profile the engine will use: this file's, else the built-in default.
    pub fn in_use(&self) -> Option<GazeProfile> {
        self.profile.or_else(default_profile)
    }

    /// `default` or the file's path, as `run` logs it and `doctor` prints it.
    pub fn describe(&self) -> String {
        match &self.source {
            ProfileSource::File(path) => path.display().to_string(),
            ProfileSource::NoFile(path) => format!(
                "default (no calibrated profile at {}; `eyeswitch calibrate` writes one)",
                path.display()
            ),
            ProfileSource::Unusable(why) => format!("default ({why})"),
        }
    }
}

/// Reads and checks the profile at `path`.
pub fn load(path: &Path) -> Result<GazeProfile, ProfileFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProfileFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    GazeProfile::from_toml(&text).map_err(|source| ProfileFileError::Invalid {
        path: path.to_path_buf(),
        source: Box::new(source),
    })
}

/// The engine's built-in profile, used when no calibrated file is: left and right from anatomy,
/// up and down off ([`GazeProfile::default_uncalibrated`]; the engine also learns its centre).
pub fn default_profile() -> Option<GazeProfile> {
    Some(GazeProfile::default_uncalibrated())
}

/// The profile at `path` if there is a usable one, else the built-in default. Never fails:
/// a corrupt profile must not stop the switch from starting, so it is reported (logged as an
/// error, and in [`Loaded::source`]) and the default is used.
pub fn load_or_default(path: &Path) -> Loaded {
    let loaded = resolve(path);
    if let ProfileSource::Unusable(why) = &loaded.source {
        log::error!("{why}; using the default gaze profile");
    }
    log::info!("gaze profile: {}", loaded.describe());
    loaded
}

/// As [`load_or_default`], without logging: what `doctor` reports.
pub fn resolve(path: &Path) -> Loaded {
    match load(path) {
        Ok(profile) => Loaded {
            profile: Some(profile),
            source: ProfileSource::File(path.to_path_buf()),
        },
        Err(ProfileFileError::Read { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Loaded {
                profile: None,
                source: ProfileSource::NoFile(path.to_path_buf()),
            }
        }
        Err(e) => Loaded {
            profile: None,
            source: ProfileSource::Unusable(e.to_string()),
        },
    }
}

/// Writes `profile` to `path`, creating its directory; through a temporary file and a rename,
/// so an interrupted write never leaves a half profile for `run` to find.
pub fn save(path: &Path, profile: &GazeProfile) -> Result<(), ProfileFileError> {
    let text = profile
        .to_toml()
        .map_err(|source| ProfileFileError::Serialize {
            path: path.to_path_buf(),
            source: Box::new(source),
        })?;
    let write = |source| ProfileFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text).map_err(write)?;
    std::fs::rename(&tmp, path).map_err(write)
}
