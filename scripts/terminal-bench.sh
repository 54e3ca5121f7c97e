#!/usr/bin/env bash
# The embedded terminal against a plain tmux pane, both in a detached tmux
# server of the same size (140x40), both running /bin/bash --norc:
#
#   stream   wall time from typing `seq 1 200000` (Enter) until a marker
#            printed after it is on the tmux screen, i.e. until everything
#            went through the terminal and was drawn;
#   echo     key-to-echo latency: one letter typed (tmux send-keys) until it
#            is on the screen, the median and the worst of N letters.
#
# Times are polled with capture-pane every ~5 ms, so they carry a few ms of
# polling error; compare the two columns, not the absolute values.
#
#   scripts/terminal-bench.sh [BINARY] [ECHO_SAMPLES]   (default: target/release/ckasim, 20)
set -euo pipefail
bin=${1:-${CARGO_TARGET_DIR:-target}/release/ckasim}
samples=${2:-20}
home=$(mktemp -d)
sock="ckasim-bench-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  sleep 0.3
  rm -rf "$home"
}
trap cleanup EXIT

t() { tmux -L "$sock" "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Polls until the pane shows $2 (a fixed string), returns the time in ms.
wait_for() {
  local pane=$1 text=$2 until=$(( $(now_ms) + 60000 ))
  while ! t capture-pane -p -t "$pane" | grep -qF -- "$text"; do
    if [ "$(now_ms)" -gt "$until" ]; then echo "timeout waiting for '$text' in $pane" >&2; exit 1; fi
    sleep 0.005
  done
  now_ms
}

stream() {
  local pane=$1 start end
  t send-keys -t "$pane" 'clear' Enter
  sleep 0.5
  start=$(now_ms)
  # The marker is built by the shell, so the typed line does not contain it.
  t send-keys -t "$pane" 'seq 1 200000; echo "stream-$((40+2))"' Enter
  end=$(wait_for "$pane" "stream-42")
  echo $(( end - start ))
}

echo_latency() {
  local pane=$1 i start end all=()
  t send-keys -t "$pane" 'clear' Enter
  sleep 0.5
  for i in $(seq "$samples"); do
    # A word of its own each time: x1 x2 … (typed letter by letter).
    t send-keys -t "$pane" -l "w${i}q"
    wait_for "$pane" "w${i}q" > /dev/null
    start=$(now_ms)
    t send-keys -t "$pane" -l "Z"
    end=$(wait_for "$pane" "w${i}qZ")
    all+=($(( end - start )))
    t send-keys -t "$pane" C-u
    sleep 0.05
  done
  printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, worst %d ms", a[int((NR+1)/2)], a[NR]}'
}

t -f /dev/null new-session -d -s plain -x 140 -y 40 "env PS1='cka\$ ' bash --norc"
t new-session -d -s embedded -x 140 -y 40 \
  "exec env CKASIM_HOME='$home' KUBECONFIG=/nonexistent TERM=xterm-256color SHELL=/bin/bash PS1='cka\$ ' BASH_ENV= '$bin' start secure-workspace"
wait_for plain 'cka$' > /dev/null
wait_for embedded 'time left' > /dev/null
t send-keys -t embedded F6
wait_for embedded 'other keys go to the shell' > /dev/null
sleep 1

echo "seq 1 200000   plain tmux pane: $(stream plain) ms   embedded terminal: $(stream embedded) ms"
echo "key to echo    plain tmux pane: $(echo_latency plain)   embedded terminal: $(echo_latency embedded)"
