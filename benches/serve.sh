#!/usr/bin/env bash
# The credential server of `shell`/`exec` and the prompt hook of `rswitch init`, measured
# on the demo world (no moto needed): server answer latency (median, p99) over 10 000
# requests against a baseline on the same HTTP stack, the served rswitch process's RSS
# before and after, and the prompt hook's cost per prompt when nothing is due and when due.
#
#   bash benches/serve.sh [REQUESTS]     (default 10000; writes target/bench/serve.json)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" serve
need python3
need bash
need zsh
need fish
N=${1:-10000}
cargo build --release --quiet --bin rswitch

echo "== server: $N requests" >&2
"$RSWITCH" demo -- "$RSWITCH" exec prod -- python3 "$ROOT/benches/serve_client.py" "$N" > "$OUT/serve.json"
cat "$OUT/serve.json"

# Per-prompt cost of the hook when nothing is due: 10 000 calls of the hook function, in
# microseconds each, next to 10 000 calls of an empty function (the baseline).
hook_idle() {
  local shell=$1
  case $shell in
    bash) bash --norc --noprofile -c '
        eval "$("$0" init bash)"; empty() { :; }
        export RSWITCH_PROFILE=prod RSWITCH_RENEW_AT=$(( $(date +%s) + 3600 ))
        t0=$EPOCHREALTIME; for ((i = 0; i < 10000; i++)); do __rsw_renew; done; t1=$EPOCHREALTIME
        for ((i = 0; i < 10000; i++)); do empty; done; t2=$EPOCHREALTIME
        echo "bash $(( (${t1/./} - ${t0/./}) / 10000 )).$(( (${t1/./} - ${t0/./}) / 100 % 100 )) $(( (${t2/./} - ${t1/./}) / 10000 )).$(( (${t2/./} - ${t1/./}) / 100 % 100 ))"' "$RSWITCH" ;;
    zsh) zsh -f -c '
        eval "$("$0" init zsh)" 2>/dev/null; empty() { : }
        zmodload zsh/datetime
        export RSWITCH_PROFILE=prod RSWITCH_RENEW_AT=$(( EPOCHSECONDS + 3600 ))
        t0=$EPOCHREALTIME; for ((i = 0; i < 10000; i++)); do __rsw_renew; done; t1=$EPOCHREALTIME
        for ((i = 0; i < 10000; i++)); do empty; done; t2=$EPOCHREALTIME
        printf "zsh %.2f %.2f\n" $(( (t1 - t0) * 100 )) $(( (t2 - t1) * 100 ))' "$RSWITCH" ;;
    fish) fish --no-config -c '
        "$argv[1]" init fish | source; function empty; end
        set -gx RSWITCH_PROFILE prod; set -gx RSWITCH_RENEW_AT (math (date +%s) + 3600)
        set t0 (date +%s%N); for i in (seq 10000); __rsw_renew; end; set t1 (date +%s%N)
        for i in (seq 10000); empty; end; set t2 (date +%s%N)
        printf "fish %.2f %.2f\n" (math "($t1 - $t0) / 10000000") (math "($t2 - $t1) / 10000000")' "$RSWITCH" ;;
  esac
}
echo "== prompt hook, nothing due (us per prompt: hook, empty function)" >&2
for shell in bash zsh fish; do hook_idle "$shell"; done | tee "$OUT/hook-idle.txt"

# When due: the hook runs `rswitch export` (warm cache in the demo's HOME) and applies it;
# 20 prompts, each made due again first.
echo "== prompt hook, due (ms per prompt, warm cache)" >&2
"$RSWITCH" demo -- bash --norc --noprofile -c '
  PATH=$(dirname "$0"):$PATH
  eval "$("$0" init bash)"
  eval "$("$0" export prod)"
  t0=$EPOCHREALTIME
  for ((i = 0; i < 20; i++)); do RSWITCH_RENEW_AT=0; __rsw_renew; done
  t1=$EPOCHREALTIME
  [ "$RSWITCH_RENEW_AT" -gt 0 ] || { echo "the hook did not renew" >&2; exit 1; }
  echo "bash-due $(( (${t1/./} - ${t0/./}) / 20000 )) ms"' "$RSWITCH" | tee "$OUT/hook-due.txt"
