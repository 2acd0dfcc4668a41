#!/usr/bin/env bash
# The one test command: installs what the tests need (only what is missing) and runs
# the whole test suite.
#
#   bash tests/run.sh [extra cargo test arguments, e.g. --test e2e]
#
# Needs Rust and Python 3 (with venv/pip). Installs tmux, zsh, fish, Xvfb, sway and GNU time with apt-get when
# they are missing (as root, or through sudo), and a Python venv at target/test-venv with
# the pinned moto server, AWS CLI v1 and awsume that the end-to-end tests drive. The tests
# find that venv through RSWITCH_TEST_VENV. Idempotent; a second run only runs the tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
VENV="$ROOT/target/test-venv"
PYTHON=${PYTHON:-python3}
PINS=("moto[server]==5.2.5" "awscli==1.46.3" "awsume==4.5.4")

say() { printf '==> %s\n' "$*" >&2; }

# --- system packages -------------------------------------------------------------------
missing=()
for tool in tmux zsh fish tcsh; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
# nushell: the npm package ships the real `nu` binary (installed below).
command -v npm >/dev/null 2>&1 || missing+=("npm")
# The X11 clipboard tests run their own X server...
command -v Xvfb >/dev/null 2>&1 || missing+=("xvfb")
# ... and the Wayland ones their own headless compositor.
command -v sway >/dev/null 2>&1 || missing+=("sway")
# The hostile-endpoint tests read a run's peak RSS from GNU time.
[ -x /usr/bin/time ] || missing+=("time")
# The SDK conformance tests run the binary without any network (`unshare -rn`).
command -v unshare >/dev/null 2>&1 || missing+=("util-linux")
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  missing+=("python3-venv")
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "tests/run.sh: need ${missing[*]} but am not root and sudo is not available" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! unshare -rn true 2>/dev/null; then
  echo "tests/run.sh: 'unshare -rn' fails: the SDK conformance tests need unprivileged user namespaces" >&2
  exit 1
fi

# --- Python venv with the pinned tools -------------------------------------------------
pins_ok() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$@" <<'PY' >/dev/null 2>&1
import importlib.metadata as md, sys
for pin in sys.argv[1:]:
    name, version = pin.split("==")
    if md.version(name.split("[")[0]) != version:
        sys.exit(1)
import flask, flask_cors  # what moto[server] adds
PY
}
if ! pins_ok "${PINS[@]}"; then
  say "creating $VENV with ${PINS[*]}"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
  pins_ok "${PINS[@]}" || { echo "tests/run.sh: $VENV does not hold ${PINS[*]}" >&2; exit 1; }
fi
export RSWITCH_TEST_VENV="$VENV"

# --- nushell, pinned, from npm ---------------------------------------------------------
NU_PIN=0.115.1
NU_DIR=$ROOT/target/nu
if [ "$("$NU_DIR/node_modules/.bin/nu" --version 2>/dev/null)" != "$NU_PIN" ]; then
  say "installing nushell $NU_PIN into $NU_DIR"
  mkdir -p "$NU_DIR"
  npm install --prefix "$NU_DIR" --no-audit --no-fund --silent "nushell@$NU_PIN" >/dev/null
fi
export RSWITCH_TEST_NU="$NU_DIR/node_modules/.bin/nu"

# --- the tests -------------------------------------------------------------------------
# One debug build serves every target; doctests are a separate cargo invocation.
LOG="$ROOT/target/test-run.log"
status=0
if [ "$#" -gt 0 ]; then
  say "cargo test $*"
  cargo test "$@" 2>&1 | tee "$LOG" || status=$?
else
  say "cargo test --all-targets"
  cargo test --all-targets --no-fail-fast 2>&1 | tee "$LOG" || status=$?
  say "cargo test --doc"
  cargo test --doc --no-fail-fast 2>&1 | tee -a "$LOG" || status=$?
fi

# cargo prints one "test result:" per binary; add them up into one line.
awk '/^test result:/ {
       for (i = 1; i <= NF; i++) {
         if ($(i+1) ~ /^passed/)   p += $i
         if ($(i+1) ~ /^failed/)   f += $i
         if ($(i+1) ~ /^ignored/)  g += $i
       }
       n++
     }
     END { printf "SUMMARY: %d passed, %d failed, %d skipped\n", p, f, g; printf "(%d test binaries)\n", n }' "$LOG"
if [ "$status" != 0 ]; then
  echo "SUMMARY: FAILED (cargo exit status $status)"
fi
exit "$status"
