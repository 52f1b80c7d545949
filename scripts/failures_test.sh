#!/usr/bin/env bash
# Checks scripts/failures.sh on made-up logs and reports: each case names
# what the printout must hold and what it must leave out.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/failures.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# check NAME FUNCTION FILE MUST MUST_NOT
check() {
	local out ok=1
	out=$("$2" "$3" 2>&1)
	if ! grep -qF -- "$4" <<<"$out"; then echo "FAIL $1: no \"$4\" in:"; echo "$out"; ok=0; fi
	if [ -n "$5" ] && grep -qF -- "$5" <<<"$out"; then echo "FAIL $1: \"$5\" in:"; echo "$out"; ok=0; fi
	if [ $ok -eq 1 ]; then echo "ok   $1"; else bad=1; fi
}

cat >"$tmp/sub.log" <<'LOG'
=== RUN   TestSame
--- PASS: TestSame (0.00s)
ok  	x/a	0.01s
=== RUN   TestOK
    a_test.go:3: fine
--- PASS: TestOK (0.00s)
=== RUN   TestSame
    b_test.go:5: before
=== RUN   TestSame/sub_bad
    b_test.go:7: boom
--- FAIL: TestSame (0.00s)
    --- FAIL: TestSame/sub_bad (0.00s)
=== RUN   TestLater
    b_test.go:9: later output
--- FAIL: TestLater (0.00s)
FAIL	x/b	0.01s
LOG
check "go: a subtest's failure, not a later test" go_first_failure "$tmp/sub.log" "b_test.go:7: boom" "later output"
check "go: the failing test's own lines only" go_first_failure "$tmp/sub.log" "--- FAIL: TestSame/sub_bad" "a_test.go:3: fine"

cat >"$tmp/par.log" <<'LOG'
=== RUN   TestPar1
=== PAUSE TestPar1
=== RUN   TestPar2
=== PAUSE TestPar2
=== CONT  TestPar1
=== CONT  TestPar2
    a_test.go:10: par2 fails
=== NAME  TestPar1
    a_test.go:9: par1 log
--- PASS: TestPar1 (0.00s)
--- FAIL: TestPar2 (0.00s)
LOG
check "go: parallel tests' lines left out" go_first_failure "$tmp/par.log" "par2 fails" "par1 log"

cat >"$tmp/build.log" <<'LOG'
=== RUN   TestOK
--- PASS: TestOK (0.00s)
ok  	x/a	0.01s
# x/b [x/b.test]
b/b.go:2:12: undefined: y
FAIL	x/b [build failed]
LOG
check "go: a build failure" go_first_failure "$tmp/build.log" "undefined: y" "TestOK"

cat >"$tmp/vitest.json" <<'JSON'
{"numPassedTests":1,"numFailedTests":1,"testResults":[
 {"name":"/w/a.test.ts","status":"passed","assertionResults":[{"status":"passed","fullName":"fine"}]},
 {"name":"/w/b.test.ts","status":"failed","assertionResults":[{"status":"failed","fullName":"adds up","failureMessages":["AssertionError: expected 3 to be 4"]}]}]}
JSON
check "vitest: the failed test and its message" vitest_first_failure "$tmp/vitest.json" "b.test.ts > adds up" "fine"
check "vitest: the assertion" vitest_first_failure "$tmp/vitest.json" "expected 3 to be 4" ""

cat >"$tmp/e2e.json" <<'JSON'
{"stats":{"expected":1,"unexpected":1},"suites":[{"title":"ward.spec.ts","specs":[],"suites":[{"title":"import page","specs":[
 {"title":"passes","ok":true,"file":"ward.spec.ts","line":3,"tests":[{"results":[{"status":"passed"}]}]},
 {"title":"shows the notice","ok":false,"file":"ward.spec.ts","line":9,"tests":[{"results":[{"status":"failed","error":{"message":"\u001b[31mexpected visible\u001b[39m"}}]}]}]}]}]}
JSON
check "e2e: the failed test, where and why" e2e_first_failure "$tmp/e2e.json" "ward.spec.ts:9 import page > shows the notice" "passes"
check "e2e: colour codes removed" e2e_first_failure "$tmp/e2e.json" "expected visible" $'\x1b'

exit $bad
