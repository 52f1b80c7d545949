#!/usr/bin/env bash
# Runs every test CI runs, stage by stage, and ends with one summary line:
# "total: N passed, N failed". Each stage's full output is kept under
# test-results/ and its tail printed when it fails.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
mkdir -p test-results
passed=0
failed=0
failures=()

# stage NAME PASSED FAILED: record one stage's counts.
stage() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -gt 0 ] && failures+=("$1")
	printf '%-22s %5d passed, %d failed\n' "$1" "$2" "$3"
}
show_tail() { echo "---- last lines of $1 ----"; tail -40 "$1"; echo "----"; }

# go vet: one check.
if go vet ./... >test-results/vet.log 2>&1; then stage "go vet" 1 0; else show_tail test-results/vet.log; stage "go vet" 0 1; fi

# Go tests: backend with the race detector; counts are tests and subtests.
go test -race -count=1 -v ./backend/... >test-results/go-test.log 2>&1
rc=$?
# Without cgo, so app/ can build Wails' asset server in process (see app/app_test.go).
CGO_ENABLED=0 go test -count=1 -v ./app/... . >>test-results/go-test.log 2>&1 || rc=1
p=$(grep -cE '^\s*--- PASS' test-results/go-test.log)
f=$(grep -cE '^\s*--- FAIL' test-results/go-test.log)
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a build failure or panic
[ "$f" -gt 0 ] && { grep -E '^(--- FAIL|FAIL|panic)' test-results/go-test.log | head -20; show_tail test-results/go-test.log; }
stage "go test" "$p" "$f"

# Benchmarks run once each so they cannot rot.
if go test -run '^$' -bench . -benchtime 1x ./backend/... >test-results/go-bench.log 2>&1; then
	stage "go benchmarks (1x)" "$(grep -cE '^Benchmark' test-results/go-bench.log)" 0
else
	show_tail test-results/go-bench.log; stage "go benchmarks (1x)" 0 1
fi

# Frontend type check and unit tests.
if (cd frontend && npm run --silent check) >test-results/frontend-check.log 2>&1; then stage "frontend type check" 1 0; else show_tail test-results/frontend-check.log; stage "frontend type check" 0 1; fi
(cd frontend && npx vitest run --reporter=default --reporter=json --outputFile=../test-results/vitest.json) >test-results/vitest.log 2>&1
rc=$?
read -r p f < <(node -e 'try{const r=require("./test-results/vitest.json");console.log(r.numPassedTests,r.numFailedTests)}catch(e){console.log(0,1)}')
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && show_tail test-results/vitest.log
stage "frontend unit tests" "$p" "$f"

# End-to-end tests in Debian's Chromium against `ward serve --demo`.
(cd frontend && WARD_BIN=../bin/ward-serve npx playwright test) >test-results/e2e.log 2>&1
rc=$?
read -r p f < <(node -e 'try{const s=require("./frontend/test-results/e2e.json").stats;console.log(s.expected+s.flaky,s.unexpected)}catch(e){console.log(0,1)}')
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && show_tail test-results/e2e.log
stage "end-to-end (chromium)" "$p" "$f"

# The real desktop binary under Xvfb.
if scripts/desktop-smoke.sh bin/ward test-results/desktop >test-results/desktop.log 2>&1; then
	stage "desktop smoke (xvfb)" 1 0
else
	cat test-results/desktop.log; stage "desktop smoke (xvfb)" 0 1
fi

echo "time: ${SECONDS} s"
[ ${#failures[@]} -gt 0 ] && echo "failed stages: ${failures[*]}"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
