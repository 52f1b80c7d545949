# Helpers for scripts/test.sh: print a failed stage's own first failing
# test and its output, not the last lines of a long log (which are most
# often other packages passing). Sourced; each takes the stage's log or
# report and prints at most about 60 lines.

# go_first_failure LOG: the first test that failed in `go test -v` output,
# with its own output (go test -v marks whose output follows with
# "=== RUN/CONT/NAME", so parallel tests' lines are left out), then its
# "--- FAIL" lines. A build failure or a panic outside any test is shown
# from its first line instead.
go_first_failure() {
	local log=$1 name
	name=$(grep -m1 -oE '^--- FAIL: [^ ]+' "$log" | cut -d' ' -f3)
	if [ -z "$name" ]; then
		grep -m1 -n -E '^(panic:|# |FAIL.*\[(build|setup) failed\]|.*: cannot find|.*\.go:[0-9]+:[0-9]+: )' "$log" | cut -d: -f1 |
			{ read -r line && sed -n "${line},$((line + 40))p" "$log"; }
		return
	fi
	echo "---- first failing Go test: $name ----"
	awk -v name="$name" '
		function ours(t) { return t == name || index(t, name "/") == 1 }
		infail && /^ / { print; next }
		infail { exit }
		/^=== (RUN|CONT|NAME|PAUSE) / { cur = $3; if ($2 == "RUN" && ours(cur)) buf = buf $0 "\n"; next }
		$0 ~ "^--- (PASS|SKIP): " && $3 == name { buf = ""; next } # the same name in an earlier package
		$0 ~ "^--- FAIL: " && $3 == name { printf "%s", buf; print; infail = 1; next }
		ours(cur) { buf = buf $0 "\n" }
	' "$log" | head -60
	echo "---- (all of it: $log) ----"
}

# vitest_first_failure REPORT: the first failed unit test in Vitest's JSON
# report, or the first file that failed to run at all.
vitest_first_failure() {
	node -e '
		let r; try { r = require(process.argv[1]) } catch (e) { console.log("no Vitest report: " + e.message); process.exit() }
		for (const f of r.testResults || []) {
			const t = (f.assertionResults || []).find((a) => a.status === "failed");
			if (t) { console.log("---- first failing unit test: " + f.name + " > " + t.fullName + " ----\n" + (t.failureMessages || []).join("\n").split("\n").slice(0, 40).join("\n")); process.exit() }
			if (f.status === "failed") { console.log("---- " + f.name + " failed to run ----\n" + (f.message || "").split("\n").slice(0, 40).join("\n")); process.exit() }
		}
	' "$(realpath "$1")" | sed 's/\x1b\[[0-9;]*m//g'
}

# e2e_first_failure REPORT: the first failed Playwright test in its JSON
# report, with its error.
e2e_first_failure() {
	node -e '
		let r; try { r = require(process.argv[1]) } catch (e) { console.log("no Playwright report: " + e.message); process.exit() }
		const walk = (s, path) => {
			for (const spec of s.specs || []) {
				if (spec.ok) continue;
				for (const t of spec.tests || []) for (const res of t.results || []) {
					const err = res.error || (res.errors || [])[0];
					if (res.status !== "passed" && res.status !== "skipped") return { where: spec.file + ":" + spec.line + " " + [...path, spec.title].join(" > "), err };
				}
			}
			for (const c of s.suites || []) { const f = walk(c, c.title ? [...path, c.title] : path); if (f) return f }
		};
		for (const s of r.suites || []) {
			const f = walk(s, []);
			if (f) { console.log("---- first failing end-to-end test: " + f.where + " ----\n" + ((f.err && (f.err.stack || f.err.message)) || "no error recorded").split("\n").slice(0, 40).join("\n")); process.exit() }
		}
		for (const e of r.errors || []) { console.log("---- Playwright error ----\n" + String(e.message).split("\n").slice(0, 40).join("\n")); process.exit() }
	' "$(realpath "$1")" | sed 's/\x1b\[[0-9;]*m//g'
}
