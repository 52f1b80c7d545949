#!/usr/bin/env bash
# Checks that Go and Node.js are the versions Ward is built with, and says
# what to install when they are not: Go 1.26.8 or a later 1.26 release
# (go.mod asks for 1.26.8) and Node.js 20.19 or later (Vite needs it).
set -uo pipefail
export PATH=$PATH:/usr/local/go/bin
ok=0

# at_least HAVE WANT: whether dotted version HAVE >= WANT.
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

if ! command -v go >/dev/null; then
	echo "Go is not installed. Install Go 1.26.8 from https://go.dev/dl/ (into /usr/local/go)." >&2
	ok=1
else
	# GOTOOLCHAIN=local: the installed Go, not one it would download.
	have=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed 's/^go//')
	case $have in
	1.26.*) at_least "$have" 1.26.8 || { echo "Go $have is too old. Install Go 1.26.8 or a later 1.26 release from https://go.dev/dl/." >&2; ok=1; } ;;
	*) echo "Go ${have:-of unknown version} is installed; Ward is built with Go 1.26 (1.26.8 or later). Install it from https://go.dev/dl/." >&2; ok=1 ;;
	esac
fi

if ! command -v node >/dev/null; then
	echo "Node.js is not installed. Install Node.js 20.19 or later (https://nodejs.org/, or Debian's nodejs from NodeSource)." >&2
	ok=1
else
	have=$(node --version | sed 's/^v//')
	at_least "$have" 20.19.0 || { echo "Node.js $have is too old. Install Node.js 20.19 or later (https://nodejs.org/)." >&2; ok=1; }
fi
command -v npm >/dev/null || { echo "npm is missing; it comes with Node.js 20.19 or later." >&2; ok=1; }

[ $ok -eq 0 ] && echo "Go $(GOTOOLCHAIN=local go env GOVERSION | sed 's/^go//') and Node.js $(node --version | sed 's/^v//'): fine."
exit $ok
