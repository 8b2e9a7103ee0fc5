#!/usr/bin/env bash
# Builds the worker image (Academy.Video.Worker/Dockerfile) on this machine, which can build and run
# images but cannot pull them:
#   build/worker-image.sh [--smoke] [--arch amd64|arm64] [--tag NAME]
#
# - The local stand-ins for the base and SDK images are made by build/image-lib.sh (debootstrap +
#   docker import; this machine's SDK with the packages restored ahead).
# - The Dockerfile itself is the production one: with no build arguments it builds FROM the official
#   images its header names (docs/deploy-aws.md).
# - --arch arm64 (Graviton) builds the final stage under qemu-user-static (about 7 minutes here); the
#   build stage stays amd64 and cross-publishes for linux-arm64.
# - --smoke then runs one real job in the image: the API on this machine (local PostgreSQL, the s3rver
#   S3 server) starts the container through its local runner exactly as Batch would
#   (`<image> <job_id>`), and the script waits for the video to be READY.
# Prints "worker-image: built <tag> (<arch>) in N s". Env: ACADEMY_DOCKER_CACHE, ACADEMY_DEBIAN_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

arch=amd64
smoke=0
tag=""
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --arch) arch=${2:?--arch needs amd64 or arm64}; shift ;;
    --tag) tag=${2:?--tag needs a name}; shift ;;
    *) echo "usage: $0 [--smoke] [--arch amd64|arm64] [--tag NAME]" >&2; exit 2 ;;
  esac
  shift
done
case "$arch" in amd64|arm64) ;; *) echo "worker-image: --arch must be amd64 or arm64" >&2; exit 2 ;; esac
tag=${tag:-academy-video-worker:local-$arch}

image_tool=worker-image
# shellcheck source=build/image-lib.sh
. build/image-lib.sh

smoke_test() {
  local port=${ACADEMY_SMOKE_PORT:-5093} key=smoke-client-key-0123456789 internal=smoke-internal-key-0123456789
  local api="http://127.0.0.1:$port" state="$root/.local/worker-image-smoke" database="academy_video_image_smoke"
  local psql
  mkdir -p "$state"
  build/install-deps.sh
  build/postgres.sh start >/dev/null
  build/s3rver.sh start >/dev/null
  psql=$(ls -d /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
  local pg_url
  pg_url=$(build/postgres.sh url)
  local host_port
  host_port=$(echo "$pg_url" | sed -E 's/^Host=([^;]*);Port=([^;]*);.*/\1 \2/')
  # shellcheck disable=SC2086
  set -- $host_port
  "$psql" -h "$1" -p "$2" -U postgres -d postgres -qAt -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"

  dotnet build Academy.Video.Api -c Release -nologo -v quiet
  local source="$state/lecture.mp4"
  [ -s "$source" ] || ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=4 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=4 -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$source"

  say "smoke: the API on $api runs the job in $tag (local runner: docker run --network host)"
  (
    export ASPNETCORE_URLS="$api" ConnectionStrings__Postgres="${pg_url/Database=academy_video/Database=$database}"
    export Storage__Provider=S3 Storage__S3__ServiceUrl="http://127.0.0.1:${ACADEMY_S3_PORT:-54569}" \
      Storage__S3__Bucket="${ACADEMY_S3_BUCKET:-academy-video}" Storage__S3__AccessKey=S3RVER Storage__S3__SecretKey=S3RVER
    export Auth__ApiKeys__0="$key" Auth__InternalApiKeys__0="$internal" Webhooks__SecretEncryptionKey="$(head -c 32 /dev/urandom | base64)" \
      Runner__Kind=Local Runner__Local__Command=docker \
      Runner__Local__LogDirectory="$state/runner-logs"
    local i=0
    for argument in run --rm --network host \
        -e ConnectionStrings__Postgres -e Storage__Provider -e Storage__S3__ServiceUrl -e Storage__S3__Bucket \
        -e Storage__S3__AccessKey -e Storage__S3__SecretKey "$tag"; do
      export "Runner__Local__Arguments__$i=$argument"; i=$((i + 1))
    done
    exec dotnet Academy.Video.Api/bin/Release/net10.0/Academy.Video.Api.dll
  ) >"$state/api.log" 2>&1 &
  local api_pid=$!
  trap "kill $api_pid 2>/dev/null || true; wait $api_pid 2>/dev/null || true" EXIT
  for _ in $(seq 1 60); do
    curl -fsS "$api/readyz" >/dev/null 2>&1 && break
    kill -0 $api_pid 2>/dev/null || { tail -n 20 "$state/api.log" >&2; say "smoke: the API exited"; exit 1; }
    sleep 1
  done

  json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
  local created video_id upload_url job_id status=""
  created=$(curl -fsS -X POST "$api/api/v1/videos" -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
    -d "{\"title\":\"Image smoke\",\"fileName\":\"lecture.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":$(stat -c %s "$source")}")
  video_id=$(echo "$created" | json "['videoId']")
  upload_url=$(echo "$created" | json "['upload']['url']")
  curl -fsS -X PUT "$upload_url" -H 'Content-Type: video/mp4' --data-binary "@$source" -o /dev/null
  job_id=$(curl -fsS -X POST "$api/api/v1/videos/$video_id/upload-complete" -H "X-Api-Key: $key" | json "['jobId']")
  local deadline=$((SECONDS + 600))
  while [ $SECONDS -lt $deadline ]; do
    status=$(curl -fsS "$api/api/v1/videos/$video_id" -H "X-Api-Key: $key" | json "['status']")
    case "$status" in READY|FAILED) break ;; esac
    sleep 2
  done
  local log
  log=$(ls -t "$state/runner-logs/$job_id"/*.log 2>/dev/null | head -n 1 || true)
  [ -n "$log" ] && { say "smoke: the container's output ($log):"; sed 's/^/  /' "$log" >&2; }
  if [ "$status" != READY ]; then
    say "smoke: FAILED, video $video_id is ${status:-not ready} (API log: $state/api.log)"
    exit 1
  fi
  grep -q '"event":"BATCH_JOB_COMPLETED"' "${log:-/dev/null}" || { say "smoke: FAILED, no BATCH_JOB_COMPLETED line"; exit 1; }
  say "smoke: OK, video $video_id READY from a job run in $tag"
  kill "$api_pid" 2>/dev/null || true
  wait "$api_pid" 2>/dev/null || true
  "$psql" -h "$1" -p "$2" -U postgres -d postgres -qAt -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
}

build/docker.sh start
build_image Academy.Video.Worker/Dockerfile "$tag" "$arch" worker

[ "$smoke" -eq 0 ] || smoke_test
