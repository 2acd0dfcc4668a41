#!/usr/bin/env bash
# Screenshots of the TUI for the README: the real binary on the built-in demo
# (`rswitch demo`: STS and IMDS on loopback, no AWS account, no Python), driven in a
# detached tmux pane with send-keys, captured with colours (`capture-pane -e`) and
# rendered to SVG and PNG by Python's rich and CairoSVG (installed into a venv under
# target/ on first use).
#
#   bash screenshots/capture.sh            # writes screenshots/*.svg and *.png
#
# Needs tmux, Python 3 with venv, and libcairo2 (for the PNGs). RSWITCH=path picks the
# binary (default: a debug build made here).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
OUT=$ROOT/screenshots
WORK=$ROOT/target/screenshots
VENV=$ROOT/target/screenshot-venv
PINS=("rich==15.0.0" "cairosvg==2.9.1")
mkdir -p "$WORK"

command -v tmux >/dev/null || { echo "screenshots/capture.sh: needs tmux" >&2; exit 1; }
if ! "$VENV/bin/python" -c 'import rich, cairosvg' >/dev/null 2>&1; then
  echo "==> creating $VENV with ${PINS[*]}" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
fi
if [ -z "${RSWITCH:-}" ]; then
  cargo build --quiet --bin rswitch
  RSWITCH=$ROOT/target/debug/rswitch
fi

# A tmux server of our own: no user config, private socket, gone on exit.
SOCKET=$WORK/tmux.sock
t() { tmux -u -f /dev/null -S "$SOCKET" "$@"; }
cleanup() { t kill-server 2>/dev/null || true; }
trap cleanup EXIT
cleanup

# Polls the screen until it matches the extended regex $1 (and not $2, if given).
wait_for() {
  local screen
  for _ in $(seq 600); do
    screen=$(t capture-pane -p -t demo)
    if grep -Eq -- "$1" <<<"$screen" && { [ -z "${2:-}" ] || ! grep -Eq -- "$2" <<<"$screen"; }; then
      return 0
    fi
    sleep 0.1
  done
  echo "screenshots/capture.sh: timed out waiting for /$1/; the screen:" >&2
  echo "$screen" >&2
  exit 1
}
shot() { # $1 name
  t capture-pane -e -p -t demo > "$WORK/$1.ansi"
  echo "==> $1" >&2
}
keys() { t send-keys -t demo "$@"; sleep 0.3; }

# The demo's world is brand new each run, in a HOME of its own; nothing else leaks in.
DEMO_HOME=$WORK/home
rm -rf "$DEMO_HOME" && mkdir -p "$DEMO_HOME"
t new-session -d -s demo -x 120 -y 32 -- env -i HOME="$DEMO_HOME" PATH=/usr/bin:/bin \
  LANG=C.UTF-8 TERM=xterm-256color COLORTERM=truecolor "$RSWITCH" demo
t set-option -t demo window-size manual

# 1. Every identity resolved; a three-hop chain selected.
wait_for '222222222222' 'resolving'
keys /; t send-keys -t demo -l prod-deploy; keys Enter g
wait_for 'prod-deploy ─'
keys Escape
wait_for '▶ +prod-deploy'
shot list

# 2. A denial: the full STS error and the doctor's verdict in the details.
keys /; t send-keys -t demo -l prod-denied-trust; keys Enter g
wait_for '╭ prod-denied-trust ─'
keys Escape
wait_for 'Diagnosis'
shot denied

# 3. The doctor's full report on it.
keys d
wait_for 'doctor: prod-denied-trust'
shot doctor
keys q
wait_for 'Diagnosis' 'doctor: '

# 4. The keys.
keys '?'
wait_for 'this help'
shot help
keys q
wait_for 'Diagnosis' 'this help'

# 5. A small terminal (an SSM session in a split window): the details stack under the list.
t resize-window -t demo -x 60 -y 20
wait_for 'Profiles \('
sleep 0.5
shot narrow
keys q

# Render: ANSI captures -> SVG (rich) -> PNG (CairoSVG).
"$VENV/bin/python" - "$WORK" "$OUT" list denied doctor help narrow <<'PY'
import html, pathlib, re, sys
import cairosvg
from rich.console import Console
from rich.terminal_theme import MONOKAI
from rich.text import Text

CELL = 12.2  # rich's cell width: 0.61 x its 20px font


def for_cairo(svg):
    """CairoSVG neither loads rich's web font nor honours textLength, so glyph widths
    drift off the grid: give it the local monospace font and every visible character
    its own x (blanks are left out: CairoSVG collapses runs of them, backgrounds are
    separate rectangles)."""
    svg = svg.replace("font-family: Fira Code, monospace;", "font-family: DejaVu Sans Mono;", 1)

    def place(m):
        x, text = float(m.group(2)), html.unescape(m.group(4))
        cells = [(x + i * CELL, c) for i, c in enumerate(text) if not c.isspace()]
        if not cells:
            return ""
        xs = " ".join(f"{cx:.1f}" for cx, _ in cells)
        glyphs = html.escape("".join(c for _, c in cells))
        return f'{m.group(1)}x="{xs}"{m.group(3)}>{glyphs}</text>'

    return re.sub(r'(<text class="[^"]*-r\d+" )x="([\d.]+)"([^>]*)>([^<]*)</text>', place, svg)


work, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(exist_ok=True)
for name in sys.argv[3:]:
    lines = (work / f"{name}.ansi").read_text().rstrip("\n").split("\n")
    width = max(Text.from_ansi(l).cell_len for l in lines)
    console = Console(record=True, width=width, file=open("/dev/null", "w"),
                      force_terminal=True, color_system="truecolor", legacy_windows=False)
    for line in lines:
        console.print(Text.from_ansi(line), soft_wrap=True, crop=False)
    svg = out / f"{name}.svg"
    console.save_svg(str(svg), title="rswitch demo", theme=MONOKAI)
    cairosvg.svg2png(bytestring=for_cairo(svg.read_text()).encode(),
                     write_to=str(out / f"{name}.png"))
    print(f"{svg.relative_to(out.parent)} ({width}x{len(lines)})", file=sys.stderr)
PY
