#!/usr/bin/env bash
# Runs every test CI runs, stage by stage, and ends with one summary line:
# "total: N passed, N failed". Each stage's full output is kept under
# test-results/; a failed stage prints its own first failing test.
# A check that could not run at all (a vulnerability database out of
# reach) is said plainly and counts neither as passed nor as failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
# Mailpit for backend/mail's tests (make deps installs it).
if [ -x .tools/mailpit ]; then export WARD_MAILPIT=$PWD/.tools/mailpit; fi
source scripts/failures.sh
mkdir -p test-results
passed=0
failed=0
failures=()
unchecked=()

# stage NAME PASSED FAILED: record one stage's counts.
stage() {
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -gt 0 ] && failures+=("$1")
	printf '%-22s %5d passed, %d failed\n' "$1" "$2" "$3"
}
# not_checked NAME WHY: a check that could not run; it is not a pass.
not_checked() {
	unchecked+=("$1")
	echo "$1: $2, not checked"
}
show_tail() { echo "---- last lines of $1 ----"; tail -40 "$1"; echo "----"; }

# The test runner's own helpers, on made-up logs.
if scripts/failures_test.sh >test-results/runner.log 2>&1; then stage "test runner" 1 0; else cat test-results/runner.log; stage "test runner" 0 1; fi

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
[ "$f" -gt 0 ] && { grep -E '^(--- FAIL|FAIL)' test-results/go-test.log | head -20; go_first_failure test-results/go-test.log; }
stage "go test" "$p" "$f"

# Benchmarks run once each so they cannot rot.
if go test -run '^$' -bench . -benchtime 1x ./backend/... >test-results/go-bench.log 2>&1; then
	stage "go benchmarks (1x)" "$(grep -cE '^Benchmark' test-results/go-bench.log)" 0
else
	go_first_failure test-results/go-bench.log; stage "go benchmarks (1x)" 0 1
fi

# Known vulnerabilities in the code Ward calls (govulncheck, pinned). It
# needs the Go vulnerability database (vuln.go.dev).
govulncheck=golang.org/x/vuln/cmd/govulncheck@v1.9.0
if ! GOBIN="$PWD/test-results/bin" go install "$govulncheck" >test-results/govulncheck.log 2>&1; then
	not_checked govulncheck "could not install $govulncheck (see test-results/govulncheck.log)"
else
	test-results/bin/govulncheck ./... >>test-results/govulncheck.log 2>&1
	case $? in
	0) stage govulncheck 1 0 ;;
	3) sed -n '/^Vulnerability #1/,$p' test-results/govulncheck.log | head -60; stage govulncheck 0 1 ;;
	*) if grep -q 'fetching vulnerabilities' test-results/govulncheck.log; then
		not_checked govulncheck "vulnerability database unreachable"
	else
		show_tail test-results/govulncheck.log; stage govulncheck 0 1
	fi ;;
	esac
fi

# Known vulnerabilities in the frontend's production dependencies (what is
# built into the binary), from the npm registry's audit service.
(cd frontend && npm audit --omit=dev --json) >test-results/npm-audit.json 2>test-results/npm-audit.log
read -r verdict detail < <(node -e '
	let r; try { r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")) } catch (e) { console.log("broken", "npm audit gave no report"); process.exit() }
	if (!r.auditReportVersion) { console.log("unreachable", r.message || (r.error && r.error.summary) || "no report"); process.exit() }
	const names = Object.keys(r.vulnerabilities || {});
	console.log(names.length ? "found" : "ok", names.join(" "));
' test-results/npm-audit.json)
case $verdict in
ok) stage "npm audit (prod)" 1 0 ;;
found) echo "npm audit: known vulnerabilities in: $detail (cd frontend && npm audit --omit=dev)"; stage "npm audit (prod)" 0 1 ;;
unreachable) not_checked "npm audit" "the registry's audit service is unreachable ($detail)" ;;
*) show_tail test-results/npm-audit.log; stage "npm audit (prod)" 0 1 ;;
esac

# Frontend type check and unit tests.
if (cd frontend && npm run --silent check) >test-results/frontend-check.log 2>&1; then stage "frontend type check" 1 0; else show_tail test-results/frontend-check.log; stage "frontend type check" 0 1; fi
(cd frontend && npx vitest run --reporter=default --reporter=json --outputFile=../test-results/vitest.json) >test-results/vitest.log 2>&1
rc=$?
read -r p f < <(node -e 'try{const r=require("./test-results/vitest.json");console.log(r.numPassedTests,r.numFailedTests)}catch(e){console.log(0,1)}')
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && { vitest_first_failure test-results/vitest.json; echo "---- (all of it: test-results/vitest.log) ----"; }
stage "frontend unit tests" "$p" "$f"

# End-to-end tests in Debian's Chromium against `ward serve --demo`.
(cd frontend && WARD_BIN=../bin/ward-serve npx playwright test) >test-results/e2e.log 2>&1
rc=$?
read -r p f < <(node -e 'try{const s=require("./frontend/test-results/e2e.json").stats;console.log(s.expected+s.flaky,s.unexpected)}catch(e){console.log(0,1)}')
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
[ "$f" -gt 0 ] && { e2e_first_failure frontend/test-results/e2e.json; echo "---- (all of it: test-results/e2e.log) ----"; }
stage "end-to-end (chromium)" "$p" "$f"
# The home page and a report at 1280 and 390 px, kept with the other results for people to look at.
mkdir -p test-results/screenshots && cp frontend/test-results/screenshots/*.png test-results/screenshots/ 2>/dev/null

# The real desktop binary under Xvfb.
if scripts/desktop-smoke.sh bin/ward test-results/desktop >test-results/desktop.log 2>&1; then
	stage "desktop smoke (xvfb)" 1 0
else
	cat test-results/desktop.log; stage "desktop smoke (xvfb)" 0 1
fi

echo "time: ${SECONDS} s"
[ ${#failures[@]} -gt 0 ] && echo "failed stages: ${failures[*]}"
[ ${#unchecked[@]} -gt 0 ] && echo "not checked (counted neither passed nor failed): ${unchecked[*]}"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
