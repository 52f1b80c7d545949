#!/usr/bin/env bash
# Desktop smoke test, with the real desktop binary under Xvfb:
#  1. on the demo record: wait until the page inside the window has called
#     the API, take a screenshot, check it is not blank, and quit with
#     SIGTERM, expecting a clean exit;
#  2. on an empty data folder: type a password into the first-run form with
#     the keyboard (xdotool) and check the vault it creates opens with that
#     password, which proves POST bodies reach Go from the webview.
# Prints "desktop-smoke: ok ..." or "desktop-smoke: FAIL ...".
set -uo pipefail
bin=${1:-bin/ward}
out=${2:-test-results/desktop}
mkdir -p "$out"
log="$out/ward.log"
fail() { echo "desktop-smoke: FAIL: $*"; [ -f "$log" ] && sed 's/^/  ward: /' "$log" | tail -20; exit 1; }
for tool in Xvfb import convert xdotool; do
	command -v $tool >/dev/null || fail "$tool is not installed (make deps installs it)"
done
[ -x "$bin" ] || fail "$bin not found; build it with make desktop"

# A free display number: no lock file and no socket.
n=90
while [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1280x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
data=$(mktemp -d)
cleanup() { kill "${app:-}" 2>/dev/null; kill $xvfb 2>/dev/null; rm -rf "$data" "$data.key"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.05; done
[ -e /tmp/.X11-unix/X$n ] || fail "Xvfb did not start on :$n"

start=$(date +%s%N)
# Its own demo key, so the smoke test never writes to the user's config folder.
DISPLAY=:$n "$bin" --demo --data "$data" --key-file "$data.key" >"$out/ward.log" 2>&1 &
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

# 2. First run in the window: set a password, then open the vault with it.
fresh=$(mktemp -d)
log="$out/ward-setup.log"
DISPLAY=:$n "$bin" --data "$fresh/vault" >"$out/ward-setup.log" 2>&1 &
app=$!
for _ in $(seq 600); do
	grep -q 'first API call' "$out/ward-setup.log" && break
	kill -0 $app 2>/dev/null || fail "the desktop app exited on an empty data folder"
	sleep 0.05
done
sleep 1
win=$(DISPLAY=:$n xdotool search --onlyvisible --name '^Ward$' | head -1)
[ -n "$win" ] || fail "no window named Ward"
password="desktop smoke $RANDOM$RANDOM"
DISPLAY=:$n xdotool windowfocus --sync "$win" key Tab type --delay 10 "$password"
DISPLAY=:$n xdotool key Tab type --delay 10 "$password"
DISPLAY=:$n xdotool key Return
for _ in $(seq 200); do [ -e "$fresh/vault/ward.db" ] && break; sleep 0.05; done
[ -e "$fresh/vault/ward.db" ] || fail "the first-run form in the window did not create a vault (did the POST body reach Go?)"
sleep 0.5
DISPLAY=:$n import -window root "$out/screenshot-setup.png" || true
kill -TERM $app
for _ in $(seq 100); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
wait $app 2>/dev/null
app=""
printf '%s\n' "$password" >"$fresh/pw"
"$bin" vault stats --data "$fresh/vault" --password-file "$fresh/pw" --json >"$out/setup-stats.json" 2>&1 ||
	fail "the vault made in the window does not open with the password typed there: $(cat "$out/setup-stats.json")"
rm -rf "$fresh"
echo "desktop-smoke: ok ($ready after launch; $colours colours on screen; clean exit after SIGTERM; first-run set-up through the window works)"
