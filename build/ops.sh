#!/usr/bin/env bash
# The operator commands of the API host, with the settings build/demo.sh runs (build/local-env.sh):
#   build/ops.sh check-settings [--json]
#   build/ops.sh validate-system [--json]
#   build/ops.sh diagnose-infra [--json] [--smoke-submit]
#   build/ops.sh migrate | scan-stuck-jobs [--dry-run]
# Environment variables override the local settings (e.g. Runner__Kind=Batch, Storage__Provider=S3 and
# their sections for AWS). Exit: 0 OK, 2 needs attention (a missing or invalid setting among it), 1 usage
# error, 3 database unreachable.
# It does not start PostgreSQL: a database that is down is something these commands must report.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/local-env.sh
if [ ! -f "$api_dll" ] || [ ! -f "$worker_dll" ]; then
  dotnet build Academy.Video.Api -c Release -nologo -v quiet >&2
  dotnet build Academy.Video.Worker -c Release -nologo -v quiet >&2
fi
exec dotnet "$api_dll" "$@"
