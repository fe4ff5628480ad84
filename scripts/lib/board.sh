# shellcheck shell=bash
# Board profiles (boards/*.toml) for the shell scripts: sourced by cross-build, deploy and
# test-packaging. Reads only the flat layout the profiles use (`key = value`, one inline table
# per switch line), so no TOML parser is needed on the build machine.

# The repository root, from this file's location.
EYESWITCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The profile names, space-separated.
board_names() {
    local f names=()
    for f in "$EYESWITCH_ROOT"/boards/*.toml; do names+=("$(basename "$f" .toml)"); done
    echo "${names[*]}"
}

# Prints the profile's path, or fails naming the known boards.
board_file() {
    local f="$EYESWITCH_ROOT/boards/$1.toml"
    if [ -z "$1" ] || [ ! -f "$f" ]; then
        echo "error: unknown board '$1'; known boards: $(board_names)" >&2
        return 1
    fi
    echo "$f"
}

# board_target BOARD: the Rust target triple the board's binary is built for.
board_target() {
    local profile value
    profile="$(board_file "$1")" || return 1
    value="$(board_value "$profile" "" target)" || return 1
    echo "${value//\"/}"
}

# Cargo's output directory.
target_dir() {
    echo "${CARGO_TARGET_DIR:-target}"
}

# stripped_binary TRIPLE: where scripts/cross-build leaves the stripped binary.
stripped_binary() {
    echo "$(target_dir)/$1/stripped/eyeswitch"
}

# board_value FILE SECTION KEY: the raw value of KEY in [SECTION] ("" for the top level),
# without its comment; strings keep their quotes.
board_value() {
    awk -v want_section="$2" -v want_key="$3" '
        /^[[:space:]]*\[/ { section = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*$/, "", section); next }
        section == want_section && $0 ~ "^[[:space:]]*" want_key "[[:space:]]*=" {
            sub(/^[^=]*=[[:space:]]*/, ""); sub(/[[:space:]]*#.*$/, ""); sub(/[[:space:]]+$/, "")
            print; found = 1; exit
        }
        END { exit !found }' "$1" || {
        echo "error: $1: no ${2:+[$2] }$3" >&2
        return 1
    }
}

# board_switch_lines FILE FIELD: FIELD (offset or header_pin) of each [gpio] switch_lines entry,
# in order, one per line.
board_switch_lines() {
    awk -v field="$2" '
        /^[[:space:]]*\[/ { section = $0; gsub(/^[[:space:]]*\[|\][[:space:]]*$/, "", section); in_lines = 0 }
        section == "gpio" && /^[[:space:]]*switch_lines[[:space:]]*=/ { in_lines = 1 }
        in_lines {
            line = $0
            while (match(line, field "[[:space:]]*=[[:space:]]*[0-9]+")) {
                value = substr(line, RSTART, RLENGTH); sub(/.*=[[:space:]]*/, "", value); print value
                line = substr(line, RSTART + RLENGTH)
            }
            if ($0 ~ /\][[:space:]]*(#.*)?$/) in_lines = 0
        }' "$1"
}

# board_feedback FILE FIELD: FIELD (offset or header_pin) of the [gpio] feedback_line, or nothing
# when the board has none.
board_feedback() {
    local value
    value="$(board_value "$1" gpio feedback_line 2>/dev/null)" || return 0
    [[ "$value" =~ $2[[:space:]]*=[[:space:]]*([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# What building for a target triple needs: the GNU tool prefix (linker, strip) and the Debian
# packages that provide the cross linker and C library.
triple_gnu_prefix() {
    case "$1" in
        aarch64-unknown-linux-gnu) echo aarch64-linux-gnu ;;
        armv7-unknown-linux-gnueabihf) echo arm-linux-gnueabihf ;;
        *) echo "error: no cross toolchain known for target $1" >&2; return 1 ;;
    esac
}

triple_apt_packages() {
    case "$1" in
        aarch64-unknown-linux-gnu) echo "gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
        armv7-unknown-linux-gnueabihf) echo "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross" ;;
        *) echo "error: no cross toolchain known for target $1" >&2; return 1 ;;
    esac
}

# check_cross_toolchain TRIPLE: fails, saying how to fix it, when the Rust target or the cross
# linker and strip are missing; checked first because cargo's own errors come minutes later.
check_cross_toolchain() {
    local prefix tool
    prefix="$(triple_gnu_prefix "$1")" || return 1
    if [ ! -d "$(rustc --print sysroot)/lib/rustlib/$1" ]; then
        echo "error: the Rust standard library for $1 is not installed; run: rustup target add $1" >&2
        return 1
    fi
    for tool in "$prefix-gcc" "$prefix-strip"; do
        if ! command -v "$tool" >/dev/null; then
            echo "error: $tool not found; run: sudo apt-get install $(triple_apt_packages "$1")" >&2
            return 1
        fi
    done
}

# join_by SEP ITEM...: the items with SEP between them.
join_by() {
    local sep="$1" out="" item
    shift
    for item in "$@"; do out+="${out:+$sep}$item"; done
    echo "$out"
}

# render_config BOARD: config/eyeswitch.example.toml with the board's camera, precision and GPIO
# lines filled in, the GPIO output on, and the serial and HID outputs commented out (they fail at
# start-up until their device exists). Switches keep the example's numbers; each gets the
# board's next switch line.
render_config() {
    local profile example="$EYESWITCH_ROOT/config/eyeswitch.example.toml"
    profile="$(board_file "$1")" || return 1
    local set=("board=\"$1\"") key
    for key in device format width height fps; do
        set+=("camera.$key=$(board_value "$profile" camera "$key")") || return 1
    done
    for key in face_detector face_landmark iris_landmark; do
        set+=("models.precision.$key=$(board_value "$profile" precision "$key")") || return 1
    done
    set+=("outputs.gpio.chip=$(board_value "$profile" gpio chip)") || return 1
    local numbers offsets pins lines=() used_pins=() i
    mapfile -t numbers < <(awk '/^\[\[switch\]\]/ { s = 1; next } /^\[/ { s = 0 }
                    s && /^number[[:space:]]*=/ { sub(/^[^=]*=[[:space:]]*/, ""); print $1 }' "$example")
    mapfile -t offsets < <(board_switch_lines "$profile" offset)
    mapfile -t pins < <(board_switch_lines "$profile" header_pin)
    for ((i = 0; i < ${#numbers[@]} && i < ${#offsets[@]}; i++)); do
        lines+=("${numbers[i]} = ${offsets[i]}")
        used_pins+=("${pins[i]}")
    done
    set+=("outputs.gpio.lines={ $(join_by ", " "${lines[@]}") }")
    set+=("outputs.gpio.lines#=# switch number = line offset (header pins $(join_by ", " "${used_pins[@]}"))")
    local feedback drop=(outputs.serial outputs.hid)
    feedback="$(board_feedback "$profile" offset)"
    if [ -n "$feedback" ]; then
        set+=("outputs.gpio.feedback_line=$feedback")
        set+=("outputs.gpio.feedback_line#=# LED or buzzer flashed on every press (header pin $(board_feedback "$profile" header_pin))")
    else
        drop+=(outputs.gpio.feedback_line)
    fi
    echo "# Written by scripts/deploy for boards/$1.toml from config/eyeswitch.example.toml."
    echo "# Serial and HID outputs are commented out: uncomment them once their device is connected."
    awk -v set="$(printf '%s\n' "${set[@]}")" -v drop="$(printf '%s\n' "${drop[@]}")" '
        BEGIN {
            n = split(set, pairs, "\n")
            for (i = 1; i <= n; i++) { eq = index(pairs[i], "="); value[substr(pairs[i], 1, eq - 1)] = substr(pairs[i], eq + 1) }
            n = split(drop, names, "\n")
            for (i = 1; i <= n; i++) dropped[names[i]] = 1
        }
        /^[[:space:]]*\[/ {
            section = $0; sub(/#.*/, "", section); gsub(/[][[:space:]]/, "", section)
            if (section in dropped) { print "# " $0; next }
        }
        /^[[:space:]]*[A-Za-z0-9_]+[[:space:]]*=/ {
            key = $0; sub(/[[:space:]]*=.*/, "", key); sub(/^[[:space:]]*/, "", key)
            path = section == "" ? key : section "." key
            if ((section in dropped) || (path in dropped)) { print "# " $0; next }
            if (path in value) {
                match($0, /^[^=]*=[[:space:]]*/); prefix = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
                hash = index(rest, "#")
                if (hash == 0) { print prefix value[path]; next }
                if ((path "#") in value) rest = substr(rest, 1, hash - 1) value[path "#"]
                # Keep the comment in its column when the new value fits.
                out = prefix value[path]
                while (length(out) < length(prefix) + hash - 1) out = out " "
                if (substr(out, length(out)) != " ") out = out " "
                print out substr(rest, hash); next
            }
        }
        { print }' "$example"
}
