# Ward's two commands for a newcomer: `make run` and `make test`.
# Everything else here is what those two need.

SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
VERSION ?= v0.1.0-$(shell git rev-parse --short HEAD 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# webkit2_41 selects WebKitGTK 4.1 (Debian 12+); without it requests reach Go without bodies.
DESKTOP_TAGS := desktop,production,webkit2_41
APT_PACKAGES := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev chromium xvfb xauth imagemagick xdotool sqlcipher poppler-utils

.PHONY: run test deps apt go-deps npm-deps frontend serve-bin desktop windows bench clean

# make run ADDR=127.0.0.1:9090 serves the demo there instead of opening the
# window (the window's fallback without a display uses ADDR too).
ADDR ?= 127.0.0.1:8080

run: deps frontend desktop serve-bin
	@if [ "$(origin ADDR)" = "command line" ]; then \
		echo "Serving the demo at http://$(ADDR) (Ctrl+C to stop)."; \
		./bin/ward-serve serve --demo --addr "$(ADDR)"; \
	elif [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "No display found, so the desktop window cannot open."; \
		echo "Serving the same demo at http://$(ADDR) instead (Ctrl+C to stop)."; \
		./bin/ward-serve serve --demo --addr "$(ADDR)"; \
	else \
		./bin/ward --demo; \
	fi

test: deps frontend desktop serve-bin
	@scripts/test.sh

deps: apt go-deps npm-deps
	@GOBIN=$(CURDIR)/.tools go install github.com/axllent/mailpit@v1.27.11

# On Linux the desktop build needs GTK and WebKitGTK headers; tests need
# Chromium, Xvfb and ImageMagick. Install them when missing and we are root,
# otherwise say the one command to run.
apt:
	@if [ "$$(uname)" = Linux ] && command -v dpkg-query >/dev/null; then \
		missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
		if [ -n "$$missing" ]; then \
			if [ "$$(id -u)" = 0 ]; then \
				echo "Installing: $$missing"; \
				apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
			else \
				echo "Missing packages. Run:"; echo "  sudo apt-get install $$missing"; exit 1; \
			fi; \
		fi; \
	fi

go-deps:
	@go mod download

npm-deps: frontend/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

frontend: npm-deps
	cd frontend && npm run build

serve-bin:
	go build -trimpath -ldflags "$(LDFLAGS)" -o bin/ward-serve .

desktop:
	go build -trimpath -tags $(DESKTOP_TAGS) -ldflags "$(LDFLAGS)" -o bin/ward .

# Windows cross-build (WebView2; no cgo needed).
windows: frontend
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -tags desktop,production -ldflags "$(LDFLAGS) -H windowsgui" -o bin/ward.exe .

# Measures import, unlock, reads and load at 1k/10k/100k resources (and the
# largest shared fixture); prints a table and writes test-results/bench.json.
# BENCH_ARGS adds flags, e.g. make bench BENCH_ARGS="--compare old.json".
bench: serve-bin
	@mkdir -p test-results
	./bin/ward-serve bench --json test-results/bench.json $(BENCH_ARGS)

clean:
	rm -rf bin frontend/node_modules frontend/test-results
	find frontend/dist -mindepth 1 ! -name robots.txt -delete
