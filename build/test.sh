#!/usr/bin/env bash
# Runs every test project against real servers it starts itself (PostgreSQL, an S3-protocol server)
# and real FFmpeg, then prints one summary line: "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

build/install-deps.sh || exit 1
build/postgres.sh start || exit 1
build/s3rver.sh start || exit 1

results=$(mktemp -d)
dotnet build Academy.Video.sln -c Release -warnaserror -nologo -v quiet || { echo "0 passed, 1 failed"; exit 1; }

status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" || status=1
done

# Sum the counters of every TRX report: dotnet test's console output is per project only.
read -r passed failed < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find(".//{*}Counters")
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
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
echo "$passed passed, $failed failed"
exit $status
