#!/usr/bin/env bash
# Desktop smoke test, with the real desktop binary under Xvfb:
#  1. on the demo record: wait until the page inside the window has called
#     the API, take a screenshot, check it is not blank; then, with real X
#     input (xdotool):
#     - Ctrl+P opens the print dialog, and printing to a file gives a PDF
#       of the page; "Print this page" on a report opens the dialog too;
#     - Ctrl+plus and Ctrl+minus change the text size, which is kept;
#     - a document's attachment link hands the system opener a one-time
#       loopback URL that serves the file once;
#     - a target=_blank link to another site goes to the system opener and
#       the window stays on Ward;
#     - the first contentful paint is measured;
#     then quit with SIGTERM, expecting a clean exit;
#  2. on an empty data folder: type a password into the first-run form with
#     the keyboard (xdotool) and check the vault it creates opens with that
#     password, which proves POST bodies reach Go from the webview; the text
#     size chosen in 1 still applies.
# The system opener is a fake xdg-open first on PATH that records what it
# is given. The page is read (and focus moved) through WebKitGTK's remote
# inspector (scripts/webkit-eval.mjs). Nothing of the record may be left in
# WebKit's folders under HOME.
# Prints "desktop-smoke: ok ..." or "desktop-smoke: FAIL ...".
set -uo pipefail
bin=${1:-bin/ward}
out=${2:-test-results/desktop}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
log="$out/ward.log"
fail() { echo "desktop-smoke: FAIL: $*"; [ -f "$log" ] && sed 's/^/  ward: /' "$log" | tail -20; exit 1; }
for tool in Xvfb import convert xdotool curl node; do
	command -v $tool >/dev/null || fail "$tool is not installed (make deps installs it)"
done
[ -x "$bin" ] || fail "$bin not found; build it with make desktop"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# A free display number: no lock file and no socket.
n=90
while [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ]; do n=$((n + 1)); done
Xvfb :$n -screen 0 1280x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
tmp=$(mktemp -d)
data="$tmp/data"
cleanup() { kill "${app:-}" 2>/dev/null; kill $xvfb 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -e /tmp/.X11-unix/X$n ] && break; sleep 0.05; done
[ -e /tmp/.X11-unix/X$n ] || fail "Xvfb did not start on :$n"
export DISPLAY=:$n

# The window's own HOME, so WebKit's folders (local storage, caches) and
# GTK's settings are this test's; print-to-file writes to the working folder.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_DATA_HOME="$tmp/home/.local/share" XDG_CACHE_HOME="$tmp/home/.cache"
mkdir -p "$HOME" "$tmp/print" "$tmp/bin"
export OPENED="$tmp/opened"
: >"$OPENED"
cat >"$tmp/bin/xdg-open" <<'EOF'
#!/bin/sh
# The system opener, faked: keep what Ward asked to open, and fetch Ward's
# loopback URLs twice, as a browser and as whoever comes second.
printf '%s\n' "$1" >>"$OPENED"
case "$1" in http://127.0.0.1:*)
	curl -s -o "$OPENED.body" -w '%{http_code} %{content_type}' "$1" >"$OPENED.first.tmp"
	mv "$OPENED.first.tmp" "$OPENED.first"
	curl -s -o /dev/null -w '%{http_code}' "$1" >"$OPENED.second" ;;
esac
exit 0
EOF
chmod +x "$tmp/bin/xdg-open"
export PATH="$tmp/bin:$PATH"

# WebKitGTK's remote inspector, on a free loopback port.
port=9300
while (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done
node -e 'WebSocket' 2>/dev/null && nodeflags=() || nodeflags=(--experimental-websocket)
js() { node "${nodeflags[@]}" "$here/webkit-eval.mjs" $port "$1" 2>>"$out/webkit-eval.log"; }
# until_js BODY: wait up to 15 s for BODY to return true.
until_js() {
	for _ in $(seq 150); do [ "$(js "$1")" = true ] && return 0; sleep 0.1; done
	return 1
}
# go HASH: show that page and wait until it has a heading.
go() {
	js "location.hash = '$1'; return true" >/dev/null
	until_js "return location.hash === '$1' && !!document.querySelector('main h1') && !document.querySelector('main [aria-busy=true]')" ||
		fail "the page $1 did not load"
	sleep 0.3
}
# press KEYS: real key presses, into the Ward window.
press() { xdotool windowfocus --sync "$win" key --delay 50 "$@"; }
dialog() { xdotool search --onlyvisible --name '^Print$' 2>/dev/null | head -1; }

start=$(date +%s%N)
# Its own demo key, so the smoke test never writes to the user's config folder.
(cd "$tmp/print" && WEBKIT_INSPECTOR_HTTP_SERVER=127.0.0.1:$port exec "$bin" --demo --data "$data" --key-file "$tmp/demo.key") >"$out/ward.log" 2>&1 &
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
import -window root "$out/screenshot.png" || fail "could not take a screenshot"
colours=$(convert "$out/screenshot.png" -format '%k' info:)
[ "$colours" -ge 200 ] || fail "the window looks blank ($colours colours in the screenshot $out/screenshot.png)"
win=$(xdotool search --onlyvisible --name '^Ward$' | head -1)
[ -n "$win" ] || fail "no window named Ward"

# First contentful paint, as the page measured it: after launch and after
# the page began to load.
paint=$(js "const p = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint'); return p ? [Math.round(performance.timeOrigin + p.startTime), Math.round(p.startTime)] : null")
case "$paint" in
\[[0-9]*,[0-9]*\]) ;;
*) fail "the page reports no first contentful paint ($paint)" ;;
esac
fcpAt=$(echo "$paint" | tr -d '[]' | cut -d, -f1)
fcpLoad=$(echo "$paint" | tr -d '[]' | cut -d, -f2)
fcp="first contentful paint $((fcpAt - start / 1000000)) ms after launch ($fcpLoad ms after the page began loading)"
echo "desktop-smoke: $ready; $fcp"

# Print with Ctrl+P: the GTK print dialog; "Print to File" (the first
# printer where there is no CUPS) writes output.pdf in the working folder.
go '#/'
# The heading's last line: the patient's name (a caption may come before it).
heading=$(js "return document.querySelector('main h1').innerText.trim().split('\\n').pop().trim()" | tr -d '"')
[ -n "$heading" ] && [ "$heading" != null ] || fail "the home page has no heading"
press ctrl+p
for _ in $(seq 100); do [ -n "$(dialog)" ] && break; sleep 0.1; done
dlg=$(dialog)
[ -n "$dlg" ] || fail "Ctrl+P opened no print dialog"
import -window root "$out/screenshot-print.png" || true
xdotool windowfocus --sync "$dlg" key --delay 100 Down Return
pdf="$tmp/print/output.pdf"
for _ in $(seq 200); do [ -s "$pdf" ] && [ -z "$(dialog)" ] && break; sleep 0.1; done
sleep 1
[ -s "$pdf" ] && [ "$(head -c 4 "$pdf")" = "%PDF" ] || fail "printing to a file from the dialog gave no PDF"
printed="a PDF"
if command -v pdftotext >/dev/null; then
	pages=$(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
	pdftotext "$pdf" - | grep -qF "$heading" || fail "the printout does not have the page's heading ($heading)"
	printed="$pages pages with the page's heading"
fi
cp "$pdf" "$out/printed.pdf"

# "Print this page" on a report opens the dialog too; Escape closes it.
go '#/results'
report=$(js "const a = document.querySelector('main a[href^=\"#/results/\"]'); return a ? a.getAttribute('href') : null" | tr -d '"')
[ -n "$report" ] && [ "$report" != null ] || fail "the results page links to no report"
go "$report"
[ "$(js "const b = document.querySelector('[data-testid=print-button]'); if (!b) return false; b.focus(); return document.activeElement === b")" = true ] ||
	fail "the report $report has no Print this page button"
press Return
for _ in $(seq 100); do [ -n "$(dialog)" ] && break; sleep 0.1; done
[ -n "$(dialog)" ] || fail "Print this page opened no print dialog"
xdotool windowfocus --sync "$(dialog)" key Escape
for _ in $(seq 100); do [ -z "$(dialog)" ] && break; sleep 0.1; done
[ -z "$(dialog)" ] || fail "the print dialog did not close with Escape"

# Text size: Ctrl+plus twice is 125%, Ctrl+minus once 110%, kept for part 2.
size() { js "return [document.documentElement.style.fontSize, localStorage.getItem('ward.textSize')].join(' ')" | tr -d '"'; }
press ctrl+plus ctrl+plus
sleep 0.3
[ "$(size)" = "125% 125" ] || fail "Ctrl+plus twice: text size $(size), want 125%"
import -window root "$out/screenshot-text-125.png" || true
press ctrl+minus
sleep 0.3
[ "$(size)" = "110% 110" ] || fail "Ctrl+minus: text size $(size), want 110%"

# An attachment: the first document that has one; its link, pressed, hands
# the system opener a loopback URL, which serves the file once.
go '#/documents'
docs=$(js "return [...document.querySelectorAll('main a[href^=\"#/documents/\"]')].map((a) => a.getAttribute('href')).join(' ')" | tr -d '"')
doc=""
for d in $docs; do
	go "$d"
	until_js "return !!document.querySelector('[data-testid=document-details]')" || continue
	if [ "$(js "return !!document.querySelector('a[data-testid=attachment]')")" = true ]; then doc=$d; break; fi
done
[ -n "$doc" ] || fail "no document in the demo has an attachment"
[ "$(js "const a = document.querySelector('a[data-testid=attachment]'); a.focus(); return document.activeElement === a")" = true ] ||
	fail "could not focus the attachment link"
press Return
for _ in $(seq 100); do [ -s "$OPENED.second" ] && break; sleep 0.1; done
grep -q '^http://127.0.0.1:[0-9]*/[A-Za-z0-9_-]\{43\}$' "$OPENED" || fail "the attachment was not handed to the system opener as a loopback URL: $(cat "$OPENED")"
read -r code ctype <"$OPENED.first"
[ "$code" = 200 ] && [ -s "$OPENED.body" ] || fail "the system opener could not fetch the attachment: $code"
second=$(cat "$OPENED.second")
[ "$second" != 200 ] || fail "the attachment's URL served the file twice"
[ "$(js "return location.hash")" = "\"$doc\"" ] || fail "the window left the document: $(js "return location.hash")"
attachment="an attachment ($ctype, $(wc -c <"$OPENED.body") bytes) served once to the opener, then $second"

# An external link with target=_blank goes to the system opener; the window stays.
: >"$OPENED"
link=""
for page in '#/results' '#/help'; do
	go "$page"
	link=$(js "const a = document.querySelector('main a[target=_blank][href^=\"https:\"]'); if (!a) return null; a.focus(); return a.href" | tr -d '"')
	[ "$link" != null ] && break
done
[ -n "$link" ] && [ "$link" != null ] || fail "no page has a link to another site that opens in a new tab"
press Return
for _ in $(seq 50); do [ -s "$OPENED" ] && break; sleep 0.1; done
[ "$(cat "$OPENED")" = "$link" ] || fail "the link to $link was not handed to the system opener (it got: $(cat "$OPENED"))"
[ "$(js "return location.hash")" = "\"$page\"" ] || fail "the window left Ward for $link"
rel=$(js "return document.activeElement.rel" | tr -d '"')
case " $rel " in *" noreferrer "*) ;; *) fail "the new-tab link has rel=\"$rel\", without noreferrer" ;; esac

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
fresh="$tmp/fresh"
mkdir -p "$fresh"
log="$out/ward-setup.log"
WEBKIT_INSPECTOR_HTTP_SERVER=127.0.0.1:$port "$bin" --data "$fresh/vault" >"$out/ward-setup.log" 2>&1 &
app=$!
for _ in $(seq 600); do
	grep -q 'first API call' "$out/ward-setup.log" && break
	kill -0 $app 2>/dev/null || fail "the desktop app exited on an empty data folder"
	sleep 0.05
done
sleep 1
win=$(xdotool search --onlyvisible --name '^Ward$' | head -1)
[ -n "$win" ] || fail "no window named Ward"
[ "$(size)" = "110% 110" ] || fail "the text size chosen in the last window was not kept: $(size)"
password="desktop smoke $RANDOM$RANDOM"
xdotool windowfocus --sync "$win" key Tab type --delay 10 "$password"
xdotool key Tab type --delay 10 "$password"
xdotool key Return
for _ in $(seq 200); do [ -e "$fresh/vault/ward.db" ] && break; sleep 0.05; done
[ -e "$fresh/vault/ward.db" ] || fail "the first-run form in the window did not create a vault (did the POST body reach Go?)"
sleep 0.5
import -window root "$out/screenshot-setup.png" || true
kill -TERM $app
for _ in $(seq 100); do kill -0 $app 2>/dev/null || break; sleep 0.1; done
wait $app 2>/dev/null
app=""
printf '%s\n' "$password" >"$fresh/pw"
"$bin" vault stats --data "$fresh/vault" --password-file "$fresh/pw" --json >"$out/setup-stats.json" 2>&1 ||
	fail "the vault made in the window does not open with the password typed there: $(cat "$out/setup-stats.json")"

# WebKit keeps local storage and caches under HOME: none of the record may
# be there (the demo's name as the home page shows it).
leaks=$(grep -rlaF "$heading" "$HOME" 2>/dev/null | grep -v 'recently-used.xbel$' || true)
[ -z "$leaks" ] || fail "the record's name is in WebKit's files: $leaks"

echo "desktop-smoke: ok ($ready after launch; $fcp; $colours colours on screen; Ctrl+P printed $printed; Print this page opens the dialog; text size 125%/110% kept across windows; $attachment; $link opened outside the window; clean exit after SIGTERM; first-run set-up through the window works)"
