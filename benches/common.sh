# Shared by the benchmarks (source it after `set -euo pipefail`, with the script's name as
# $1): paths, prerequisite checks, the release build, and the testkit world on loopback
# (moto, proxy, IMDS and a ready HOME), stopped when the script exits.
BENCH_NAME=$1
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
VENV=${RSWITCH_TEST_VENV:-$ROOT/target/test-venv}
OUT=$ROOT/target/bench
RSWITCH=$ROOT/target/release/rswitch
TESTKIT=$ROOT/target/release/examples/testkit
mkdir -p "$OUT"

# need COMMAND [HOW TO GET IT]
need() {
  command -v "$1" >/dev/null || { echo "$BENCH_NAME: needs $1${2:+ ($2)}" >&2; exit 1; }
}

# need_venv FILE: the venv from `bash tests/run.sh` (or RSWITCH_TEST_VENV), holding FILE.
need_venv() {
  [ -x "$VENV/$1" ] || { echo "$BENCH_NAME: no venv at $VENV; run bash tests/run.sh first" >&2; exit 1; }
  export RSWITCH_TEST_VENV=$VENV
}

build_release() {
  cargo build --release --quiet --bin rswitch --example testkit
}

# start_testkit LATENCY_MS FANOUT JSON: starts the world, which describes itself in JSON
# (its log next to it); returns once it is up.
kit_pid=
start_testkit() {
  local json=$3 log=${3%.json}.log
  rm -f "$json"
  "$TESTKIT" --latency-ms "$1" --fanout "$2" > "$json" 2> "$log" &
  kit_pid=$!
  for _ in $(seq 600); do [ -s "$json" ] && break; sleep 0.1; done
  [ -s "$json" ] || { echo "testkit did not start; see $log" >&2; exit 1; }
}
stop_testkit() { [ -n "$kit_pid" ] && kill "$kit_pid" 2>/dev/null && wait "$kit_pid" 2>/dev/null || true; kit_pid=; }
trap stop_testkit EXIT
