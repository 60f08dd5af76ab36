#!/usr/bin/env bash
# Run every test: the layering contracts, then unit, integration (in-process API server + the
# real kubectl) and end-to-end (real clusters in Docker) suites. Installs what it needs first:
# a Docker engine, kubectl, and minicube with its test extras.
# A suite that runs no test (pytest exit 5) counts as a failure: this never passes vacuously.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Docker engine"
scripts/ensure-docker.sh
step "kubectl"
scripts/ensure-kubectl.sh
step "minicube and its test extras"
scripts/install.sh test

python=python3
[[ -x .venv/bin/python ]] && python=.venv/bin/python  # see scripts/install.sh
bin="$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT
failed=()

step "layering contracts (lint-imports)"
"$bin/lint-imports" || failed+=("lint-imports")

run_suite() {
  local name="$1"
  shift
  step "$name tests"
  local rc=0
  "$python" -m pytest -ra --junitxml="$reports/$name.xml" "$@" || rc=$?
  case "$rc" in
    0) ;;
    5) echo "test.sh: the $name suite ran no test; that counts as a failure" >&2
       failed+=("$name (no tests ran)") ;;
    *) failed+=("$name (pytest exit $rc)") ;;
  esac
}

run_suite unit tests/unit -q
run_suite integration tests/integration -q
run_suite e2e tests/e2e -v --durations=10

step "summary"
"$python" - "$reports" <<'PY'
import sys
from pathlib import Path
from xml.etree import ElementTree

totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
for report in sorted(Path(sys.argv[1]).glob("*.xml")):
    for suite in ElementTree.parse(report).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"total: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
if ((${#failed[@]})); then
  echo "test.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test.sh: all suites passed"
