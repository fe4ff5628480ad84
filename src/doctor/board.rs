//! The board profile's precision advice, and whether its SDOT claim matches this CPU.

use crate::config::board::{board_names, Board};
use crate::doctor::Check;

const NAME: &str = "board";

/// `sdot` is what this CPU has (`None` off ARM, where the profile cannot be this machine's).
pub fn check(board: Option<&Board>, sdot: Option<bool>) -> Check {
    let Some(board) = board else {
        return Check::skip(
            NAME,
            "no board in the config; set board = \"rpi4\" (or another profile) for its advice",
        );
    };
    let has = |yes: bool| if yes { "has" } else { "has no" };
    if let Some(sdot) = sdot.filter(|&s| s != board.cpu.sdot) {
        let names: Vec<&str> = board_names().collect();
        return Check::fail(
            NAME,
            format!(
                "{}: the profile says its {} {} SDOT, but this CPU {} SDOT",
                board.name,
                board.cpu.core,
                has(board.cpu.sdot),
                has(sdot)
            ),
            format!(
                "set board to this board's profile, one of {}",
                names.join(", ")
            ),
        );
    }
    let precision: Vec<String> = board
        .precision
        .iter()
        .iter()
        .map(|(model, p)| format!("{model} {p:?}").to_lowercase())
        .collect();
    let advice: Vec<&str> = board
        .advice
        .iter()
        .filter(|a| a.contains("SDOT") || a.contains("int8"))
        .map(String::as_str)
        .collect();
    Check::ok(
        NAME,
        format!(
            "{} ({}); suggested precision: {}; {}",
            board.name,
            board.description,
            precision.join(", "),
            advice.join(" ")
        ),
    )
}
