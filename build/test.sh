#!/usr/bin/env bash
# Runs every test project against real servers it starts itself (PostgreSQL, an S3-protocol server)
# and real FFmpeg, then prints one summary line: "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

build/install-deps.sh --tests || exit 1
build/console.sh || { echo "0 passed, 1 failed"; exit 1; }
build/postgres.sh start || exit 1
build/s3rver.sh start || exit 1

results=$(mktemp -d)
dotnet build Academy.Video.sln -c Release -warnaserror -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# Sum the counters of every TRX report: dotnet test's console output is per project only. Skipped tests
# are listed with their reasons (e.g. no Docker engine could start) in $results/skipped.txt.
read -r passed failed < <(python3 - "$results" <<'PY'
import collections, glob, sys, xml.etree.ElementTree as ET
passed = failed = 0
skipped = collections.defaultdict(list)
for path in glob.glob(sys.argv[1] + "/*.trx"):
    root = ET.parse(path).getroot()
    counters = root.find(".//{*}Counters")
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    for result in root.iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            text = result.findtext(".//{*}Output/{*}StdOut") or result.findtext(".//{*}Message") or "no reason given"
            skipped[" ".join(text.split())].append(".".join(result.get("testName").split(".")[-2:]))
with open(sys.argv[1] + "/skipped.txt", "w") as report:
    for reason, tests in skipped.items():
        report.write(f"{len(tests)} skipped ({reason}): {', '.join(sorted(tests))}\n")
print(passed, failed)
PY
)
reports=$(ls "$results"/*.trx 2>/dev/null | wc -l)
projects=$(ls tests/*/*.csproj | wc -l)
if [ "$reports" -ne "$projects" ]; then
  echo "test.sh: only $reports of $projects test projects produced a report" >&2
  failed=$((failed + projects - reports))
  status=1
fi
[ "$failed" -gt 0 ] && status=1
cat "$results/skipped.txt" 2>/dev/null
echo "$passed passed, $failed failed"
exit $status
