//! Each subcommand's `--help` lists only the options that apply to it, and the model options
//! work before or after the subcommand.

use crate::common;

fn help(subcommand: &str) -> String {
    let out = common::eyeswitch_command()
        .args([subcommand, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn gadget_help_lists_no_model_options() {
    let text = help("gadget");
    assert!(
        text.contains("--remove") && text.contains("--config"),
        "{text}"
    );
    for option in ["--models", "--precision", "--threads"] {
        assert!(
            !text.contains(option),
            "gadget --help lists {option}:\n{text}"
        );
    }
}

#[test]
fn model_loading_subcommands_list_the_model_options() {
    for subcommand in ["detect", "replay", "bench", "run", "doctor"] {
        let text = help(subcommand);
        for option in ["--models", "--precision", "--threads"] {
            assert!(text.contains(option), "{subcommand} --help lacks {option}");
        }
    }
}

#[test]
fn model_options_are_taken_after_the_subcommand_too() {
    let out = common::eyeswitch_command()
        .args(["detect", "--models", "/nonexistent/models", "--json"])
        .arg(common::fixtures().join("stills/sk__astronaut.png"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/models"), "{stderr}");
}
