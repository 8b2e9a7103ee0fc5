#!/usr/bin/env bash
# Builds the API image (Academy.Video.Api/Dockerfile) on this machine, which can build and run images
# but cannot pull them (the local stand-ins for the base, SDK and Node images: build/image-lib.sh):
#   build/api-image.sh [--smoke] [--arch amd64|arm64] [--tag NAME]
#
# --smoke then runs the two images as production does, against this machine's PostgreSQL and S3 server:
# `migrate` as a one-off API container, then the API container serving HTTP, whose local runner starts
# each job as a worker container (`docker run <worker image> <job_id>`, as Batch would; the smoke gives
# the API container the docker CLI and socket for that). A video is created and its source uploaded over
# HTTP; the script waits for READY and prints the time it took.
# Prints "api-image: built <tag> (<arch>) in N s" and "api-image: smoke: OK … READY in N s".
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
case "$arch" in amd64|arm64) ;; *) echo "api-image: --arch must be amd64 or arm64" >&2; exit 2 ;; esac
tag=${tag:-academy-video-api:local-$arch}
worker_tag=${ACADEMY_WORKER_IMAGE:-academy-video-worker:local-amd64}

image_tool=api-image
# shellcheck source=build/image-lib.sh
. build/image-lib.sh

smoke_test() {
  local port=${ACADEMY_SMOKE_PORT:-5094} key=smoke-client-key-0123456789 internal=smoke-internal-key-0123456789
  local api="http://127.0.0.1:$port" state="$root/.local/api-image-smoke" database="academy_video_api_image_smoke"
  local psql pg_url host_port name="academy-video-api-smoke-$$"
  rm -rf "$state/runner-logs"; mkdir -p "$state/runner-logs"
  # The API container runs as uid 1654 and writes the runner's logs here.
  chmod 0777 "$state/runner-logs"
  build/postgres.sh start >/dev/null
  build/s3rver.sh start >/dev/null
  has_image "$worker_tag" || build/worker-image.sh --tag "$worker_tag"
  psql=$(ls -d /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
  pg_url=$(build/postgres.sh url)
  host_port=$(echo "$pg_url" | sed -E 's/^Host=([^;]*);Port=([^;]*);.*/\1 \2/')
  # shellcheck disable=SC2086
  set -- $host_port
  "$psql" -h "$1" -p "$2" -U postgres -d postgres -qAt -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"

  local source="$state/lecture.mp4"
  [ -s "$source" ] || ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=4 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=4 -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$source"

  # The settings the CloudFormation task definition gives the API (environment and secrets), with this
  # machine's servers; the runner is Local instead of Batch.
  local settings=(
    -e ASPNETCORE_ENVIRONMENT=Production -e "ASPNETCORE_HTTP_PORTS=$port"
    -e "ConnectionStrings__Postgres=${pg_url/Database=academy_video/Database=$database}"
    -e Storage__Provider=S3 -e "Storage__S3__ServiceUrl=http://127.0.0.1:${ACADEMY_S3_PORT:-54569}"
    -e "Storage__S3__Bucket=${ACADEMY_S3_BUCKET:-academy-video}" -e Storage__S3__AccessKey=S3RVER -e Storage__S3__SecretKey=S3RVER
    -e "Auth__ApiKeys__0=$key" -e "Auth__InternalApiKeys__0=$internal"
    -e "Webhooks__SecretEncryptionKey=$(head -c 32 /dev/urandom | base64)"
  )
  local runner=(-e Runner__Kind=Local -e Runner__Local__Command=docker -e Runner__Local__LogDirectory=/runner-logs
    -e Runner__Local__WorkDirectory=/tmp/runner-work)
  local i=0
  for argument in run --rm --network host -e ConnectionStrings__Postgres -e Storage__Provider -e Storage__S3__ServiceUrl \
      -e Storage__S3__Bucket -e Storage__S3__AccessKey -e Storage__S3__SecretKey "$worker_tag"; do
    runner+=(-e "Runner__Local__Arguments__$i=$argument"); i=$((i + 1))
  done
  # The one-off task gets the service's settings, as the ECS operator task definition does: outside local
  # mode every command needs Runner:Kind (docs/decisions/0009).
  say "smoke: migrate as a one-off container of $tag"
  docker run --rm --network host --read-only --tmpfs /tmp "${settings[@]}" "${runner[@]}" "$tag" migrate >&2 || { say "smoke: FAILED, migrate exited $?"; exit 1; }

  say "smoke: $tag serves $api; its local runner starts $worker_tag per job"
  # Read-only root and a writable /tmp, as the ECS task definition runs it (build/aws/academy-video-api.yaml).
  docker run -d --name "$name" --network host --read-only --tmpfs /tmp "${settings[@]}" "${runner[@]}" \
    -v /var/run/docker.sock:/var/run/docker.sock --group-add "$(stat -c %g /var/run/docker.sock)" \
    -v "$(readlink -f "$(command -v docker)"):/usr/local/bin/docker:ro" -v "$state/runner-logs:/runner-logs" \
    "$tag" >/dev/null
  trap "docker logs $name >'$state/api.log' 2>&1 || true; docker rm -f $name >/dev/null 2>&1 || true" EXIT
  local ready=0
  for _ in $(seq 1 60); do
    curl -fsS "$api/readyz" >/dev/null 2>&1 && { ready=1; break; }
    [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || break
    sleep 1
  done
  [ "$ready" -eq 1 ] || { docker logs "$name" 2>&1 | tail -n 20 >&2; say "smoke: FAILED, the API container did not become ready"; exit 1; }
  curl -fsS "$api/admin/" | grep -q '<html' || { say "smoke: FAILED, the image's API serves no console at /admin/"; exit 1; }

  json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
  local created video_id upload_url job_id status="" started=$SECONDS
  created=$(curl -fsS -X POST "$api/api/v1/videos" -H "X-Api-Key: $key" -H 'Content-Type: application/json' \
    -d "{\"title\":\"API image smoke\",\"fileName\":\"lecture.mp4\",\"contentType\":\"video/mp4\",\"sizeBytes\":$(stat -c %s "$source")}")
  video_id=$(echo "$created" | json "['videoId']")
  upload_url=$(echo "$created" | json "['upload']['url']")
  curl -fsS -X PUT "$upload_url" -H 'Content-Type: video/mp4' --data-binary "@$source" -o /dev/null
  job_id=$(curl -fsS -X POST "$api/api/v1/videos/$video_id/upload-complete" -H "X-Api-Key: $key" | json "['jobId']")
  local deadline=$((SECONDS + 600))
  while [ $SECONDS -lt $deadline ]; do
    status=$(curl -fsS "$api/api/v1/videos/$video_id" -H "X-Api-Key: $key" | json "['status']")
    case "$status" in READY|FAILED) break ;; esac
    sleep 1
  done
  local took=$((SECONDS - started)) log
  log=$(ls -t "$state/runner-logs/$job_id"/*.log 2>/dev/null | head -n 1 || true)
  [ -n "$log" ] && { say "smoke: the worker container's output ($log):"; sed 's/^/  /' "$log" >&2; }
  if [ "$status" != READY ]; then
    say "smoke: FAILED, video $video_id is ${status:-not ready} after $took s (API log: $state/api.log)"
    exit 1
  fi
  grep -q '"event":"BATCH_JOB_COMPLETED"' "${log:-/dev/null}" || { say "smoke: FAILED, no BATCH_JOB_COMPLETED line"; exit 1; }
  say "smoke: OK, video $video_id READY in $took s (upload over HTTP to READY) from $tag and $worker_tag"
  docker rm -f "$name" >/dev/null 2>&1 || true
  trap - EXIT
  "$psql" -h "$1" -p "$2" -U postgres -d postgres -qAt -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
}

build/docker.sh start
[ "$arch" = amd64 ] || ensure_base "$arch"
ensure_base amd64
node_image=$(ensure_node)
build_image Academy.Video.Api/Dockerfile "$tag" "$arch" api --build-arg "NODE_IMAGE=$node_image"

[ "$smoke" -eq 0 ] || smoke_test
