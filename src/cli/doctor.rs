//! `eyeswitch doctor`: checks what `run` needs (camera, models, outputs, permissions, CPU) and
//! prints one line per check, with a fix for each failure.

use std::io::{self, Write};
use std::path::Path;

use super::ModelArgs;
use crate::config::{Config, DEFAULT_PATH};
use crate::doctor::{self, Check, Environment};

/// Runs every check and prints them (JSON lines when `json`); returns whether all passed.
pub fn run(config_path: Option<&Path>, models: &ModelArgs, json: bool) -> io::Result<bool> {
    let (config, config_check) = match Config::load_or_default(config_path) {
        Ok(config) if config_path.is_none() && !Path::new(DEFAULT_PATH).is_file() => (
            config,
            Check::skip(
                "config",
                format!("no {DEFAULT_PATH}; checking the built-in defaults"),
            ),
        ),
        Ok(config) => {
            let check = Check::ok("config", format!("{} is valid", config.origin));
            (config, check)
        }
        Err(e) => (
            Config::default(),
            Check::fail(
                "config",
                format!("{e}; the other checks use the built-in defaults"),
                "correct the file: config/eyeswitch.example.toml documents every key",
            ),
        ),
    };
    let config = models.apply(config);
    let mut checks = vec![config_check];
    // A configured directory that is missing fails here, and the model checks then name it.
    let models_dir = config.models_dir().unwrap_or_else(|e| {
        checks.push(Check::fail(
            "models directory",
            e.to_string(),
            "point [models] dir (or --models) at the directory holding the .onnx files",
        ));
        config.models.dir.clone().unwrap_or_default()
    });
    let env = Environment::system(models_dir);
    // An invalid config was already reported; its precisions fall back to the defaults.
    let precisions = config.precisions().unwrap_or_default();
    checks.extend(doctor::check_all(&config, &precisions, &env));
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for check in &checks {
        print(&mut out, check, json)?;
    }
    Ok(doctor::passed(&checks))
}

/// One check: `ok`/`FAIL`/`skip`, what and detail, then an indented `fix:` line on failure.
fn print(out: &mut impl Write, check: &Check, json: bool) -> io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, check)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{:<4} {}: {}",
        check.status.label(),
        check.check,
        check.detail
    )?;
    match &check.fix {
        Some(fix) => writeln!(out, "     fix: {fix}"),
        None => Ok(()),
    }
}
