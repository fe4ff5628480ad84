//! `[outputs.hid] keys`: a named layout (`"ios"`) or a table, with errors that say which.

use eyeswitch::config::Config;

fn parse(text: &str) -> Result<Config, String> {
    Config::parse(text, "test.toml").map_err(|e| e.to_string())
}

const TWO_SWITCHES: &str = "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\n\
[[switch]]\nnumber = 2\ngesture = \"wink_left\"\n";

#[test]
fn ios_layout_sends_1_and_2() {
    let config = parse(&format!("{TWO_SWITCHES}[outputs.hid]\nkeys = \"ios\"\n")).unwrap();
    let hid = config.outputs.hid.unwrap();
    // Usage IDs of the digit keys 1 and 2.
    assert_eq!(hid.key_map(), [(1, 0x1E), (2, 0x1F)]);
}

#[test]
fn ios_layout_works_with_one_switch() {
    let config = parse("[outputs.hid]\nkeys = \"ios\"\n").unwrap();
    assert_eq!(config.outputs.hid.unwrap().key_map()[0], (1, 0x1E));
}

#[test]
fn a_table_still_maps_each_switch() {
    let config = parse(&format!(
        "{TWO_SWITCHES}[outputs.hid]\nkeys = {{ 1 = \"a\", 2 = \"f5\" }}\n"
    ))
    .unwrap();
    assert_eq!(
        config.outputs.hid.unwrap().key_map(),
        [(1, 0x04), (2, 0x3E)]
    );
}

#[test]
fn unknown_layout_names_the_known_ones() {
    let e = parse("[outputs.hid]\nkeys = \"ipad\"\n").unwrap_err();
    assert!(
        e.contains(r#"outputs.hid.keys = "ipad" is not allowed: use "ios" or a table"#),
        "{e}"
    );
}

#[test]
fn neither_name_nor_table_says_what_keys_takes() {
    let e = parse("[outputs.hid]\nkeys = 5\n").unwrap_err();
    assert!(e.contains("test.toml"), "{e}");
    assert!(e.contains("a layout name such as \"ios\""), "{e}");
}
