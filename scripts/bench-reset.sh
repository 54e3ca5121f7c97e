#!/usr/bin/env bash
# How long `ckasim reset` takes for every built-in scenario.
#
#   scripts/bench-reset.sh [--context NAME] [--runs N] [--grace SECONDS]
#
# Without --context, each run resets a fake API server on 127.0.0.1
# (examples/fake_apiserver.rs) freshly loaded with the scenario's solved
# state captured from a real cluster (../shared/fixtures/real/<id>/solved.json),
# whose pods stay Terminating for --grace seconds (default 30, a kubelet's
# default grace period, what a `sleep` that ignores SIGTERM costs) unless
# deleted with grace period 0. It measures ckasim's own work and its
# waiting, not a real API server's or kubelet's.
#
# With --context, each run resets that cluster (it must be one ckasim may
# change: kind-* or allowed); apply a scenario's answer between runs for a
# like-for-like figure, or run the e2e suite (tests/e2e_cluster.rs).
set -euo pipefail

cd "$(dirname "$0")/.."
runs=5
grace=30
context=""
while [ $# -gt 0 ]; do
  case "$1" in
    --context) context="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --grace) grace="$2"; shift 2 ;;
    *) echo "usage: $0 [--context NAME] [--runs N] [--grace SECONDS]" >&2; exit 2 ;;
  esac
done

# PROFILE=debug measures the debug build (no release build needed); the
# figures are dominated by waiting on the API server, not by CPU.
profile="${PROFILE:-release}"
target="${CARGO_TARGET_DIR:-target}/$profile"
if [ "$profile" = release ]; then
  cargo build --quiet --release --bin ckasim --example fake_apiserver
else
  cargo build --quiet --bin ckasim --example fake_apiserver
fi
ckasim="$target/ckasim"

work="$(mktemp -d)"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
export CKASIM_HOME="$work/home"
mkdir -p "$CKASIM_HOME"

# Starts a fake API server holding $1; sets KUBECONFIG.
start_server() {
  rm -f "$work/server"
  "$target/examples/fake_apiserver" --grace "$grace" "$1" "$work" kind-fake >"$work/server" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/server" ] && break; sleep 0.05; done
  KUBECONFIG="$(head -1 "$work/server")"
  export KUBECONFIG
}

ms() { # run a command, print its wall time in milliseconds; fail loudly
  local start end
  start=$(date +%s%N)
  if ! "$@" >"$work/out" 2>&1; then
    cat "$work/out" >&2
    echo "failed: $*" >&2
    exit 1
  fi
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

scenarios=$("$ckasim" list --format json | python3 -c 'import json,sys; print("\n".join(s["id"] for s in json.load(sys.stdin)))' 2>/dev/null \
  || ls scenarios | sed 's/\.toml$//')

if [ -n "$context" ]; then
  echo "context $context, $runs runs per scenario"
else
  echo "fake API server, solved state captured from a real cluster, pod grace period ${grace} s, $profile build, $runs runs per scenario"
fi
all=()
for id in $scenarios; do
  times=()
  for _ in $(seq "$runs"); do
    if [ -z "$context" ]; then
      start_server "../shared/fixtures/real/$id/solved.json"
      times+=("$(ms "$ckasim" reset "$id" --context kind-fake)")
      stop_server
    else
      times+=("$(ms "$ckasim" reset "$id" --context "$context")")
    fi
  done
  m=$(median "${times[@]}")
  all+=("${times[@]}")
  printf '%-32s median %6s ms  (runs: %s)\n' "$id" "$m" "${times[*]}"
done
printf '%-32s median %6s ms  (max %s ms)\n' "all scenarios" "$(median "${all[@]}")" "$(printf '%s\n' "${all[@]}" | sort -n | tail -1)"
