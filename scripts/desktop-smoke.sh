#!/usr/bin/env bash
# Desktop smoke test: start the real desktop binary under Xvfb on the demo
# record, wait until the page inside the window has called the API, take a
# screenshot, check it is not blank, and quit with SIGTERM, expecting a
# clean exit. Prints "desktop-smoke: ok ..." or "desktop-smoke: FAIL ...".
set -uo pipefail
bin=${1:-bin/ward}
out=${2:-test-results/desktop}
mkdir -p "$out"
fail() { echo "desktop-smoke: FAIL: $*"; [ -f "$out/ward.log" ] && sed 's/^/  ward: /' "$out/ward.log" | tail -20; exit 1; }
for tool in Xvfb import convert; do
	command -v $tool >/dev/null || fail "$tool is not installed (make deps installs it)"
done
[ -x "$bin" ] || fail "$bin not found; build it with make desktop"

# A free display number: no lock file and no socket.
n=90
while [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1280x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
data=$(mktemp -d)
cleanup() { kill "${app:-}" 2>/dev/null; kill $xvfb 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.05; done
[ -e /tmp/.X11-unix/X$n ] || fail "Xvfb did not start on :$n"

start=$(date +%s%N)
DISPLAY=:$n "$bin" --demo --data "$data" >"$out/ward.log" 2>&1 &
app=$!
ready=""
for _ in $(seq 600); do
	ready=$(grep -o 'first API call [0-9]* ms' "$out/ward.log" || true)
	[ -n "$ready" ] && break
	kill -0 $app 2>/dev/null || fail "the desktop app exited before its page called the API"
	sleep 0.05
done
[ -n "$ready" ] || fail "the window never rendered: no API call from the page within 30 s"

# Give the page a moment to paint after its first call, then look at it.
sleep 1.5
DISPLAY=:$n import -window root "$out/screenshot.png" || fail "could not take a screenshot"
colours=$(convert "$out/screenshot.png" -format '%k' info:)
[ "$colours" -ge 200 ] || fail "the window looks blank ($colours colours in the screenshot $out/screenshot.png)"

kill -TERM $app
code=""
for _ in $(seq 100); do
	if ! kill -0 $app 2>/dev/null; then wait $app; code=$?; break; fi
	sleep 0.1
done
[ -n "$code" ] || fail "the app did not quit within 10 s of SIGTERM"
[ "$code" = 0 ] || fail "the app exited with code $code after SIGTERM"
app=""
echo "desktop-smoke: ok ($ready after launch; $colours colours on screen; clean exit after SIGTERM)"
