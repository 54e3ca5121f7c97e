#!/usr/bin/env bash
# How long a grade of secure-workspace takes: `ckasim grade --context`
# (one concurrent list per kind and namespace) against scripts/kubectl-grade.sh
# (one kubectl call per check, the way open simulators grade), on the same
# cluster state.
#
#   scripts/bench-grade.sh [--context NAME] [--runs N]
#
# With --context, both grade that cluster (apply the reference answer first
# for a like-for-like comparison). Without it, both grade a fake API server
# on 127.0.0.1 (examples/fake_apiserver.rs) that serves the objects captured
# from a real one (../shared/fixtures/secure-workspace/solved.json), so the
# comparison runs without a cluster; it measures ckasim's and kubectl's own
# costs, not a real API server's.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=10
context=""
while [ $# -gt 0 ]; do
  case "$1" in
    --context) context="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--context NAME] [--runs N]" >&2; exit 2 ;;
  esac
done

target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --release --bin ckasim --example fake_apiserver
ckasim="$target/release/ckasim"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$context" ]; then
  fixture="${FIXTURE:-../shared/fixtures/secure-workspace/solved.json}"
  "$target/release/examples/fake_apiserver" "$fixture" "$work" kind-fake >"$work/server" &
  server_pid=$!
  for _ in $(seq 50); do [ -s "$work/server" ] && break; sleep 0.1; done
  export KUBECONFIG
  KUBECONFIG="$(head -1 "$work/server")"
  context=kind-fake
  # kubectl's discovery cache, fresh but kept across runs as a user's would be
  export HOME="$work/home"
  mkdir -p "$HOME"
fi

ms() { # run a command, print its wall time in milliseconds
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

echo "context $context, $runs runs each (one warm-up run not counted)"
echo "ckasim:  $("$ckasim" grade secure-workspace --context "$context" | head -1)"
echo "kubectl: $(scripts/kubectl-grade.sh "$context" | tail -1)"

ckasim_ms=()
kubectl_ms=()
for _ in $(seq "$runs"); do
  ckasim_ms+=("$(ms "$ckasim" grade secure-workspace --context "$context" --format json)")
  kubectl_ms+=("$(ms scripts/kubectl-grade.sh "$context")")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
c=$(median "${ckasim_ms[@]}")
k=$(median "${kubectl_ms[@]}")
echo "ckasim grade --context          median ${c} ms  (runs: ${ckasim_ms[*]})"
echo "kubectl-grade.sh (22 kubectl)   median ${k} ms  (runs: ${kubectl_ms[*]})"
awk -v c="$c" -v k="$k" 'BEGIN { if (c < 1) c = 1; printf "ckasim is %.0fx faster\n", k / c }'
