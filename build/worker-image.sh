#!/usr/bin/env bash
# Builds the worker image (Academy.Video.Worker/Dockerfile) on this machine, which can build and run
# images but cannot pull them:
#   build/worker-image.sh [--smoke] [--arch amd64|arm64] [--tag NAME]
#
# - The base image is made locally once (debootstrap --variant=minbase bookworm + docker import) and kept
#   as academy-video/debian:bookworm-minbase-<arch>; it stands in for dotnet/runtime-deps.
# - The build stage's SDK image is made from the same base plus this machine's .NET SDK, with the NuGet
#   packages the worker needs already in its package folder, so `dotnet restore` inside the build needs
#   no network. It is rebuilt only when the SDK or a project/package file changes.
# - The Dockerfile itself is the production one: with no build arguments it builds FROM the official
#   mcr.microsoft.com images (README, "Deploy on AWS").
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

cache=${ACADEMY_DOCKER_CACHE:-/var/cache/academy-video-docker}
mirror=${ACADEMY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
base_image() { echo "academy-video/debian:bookworm-minbase-$1"; }
say() { echo "worker-image: $*" >&2; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }

apt_install() {
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return
  say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Foreign-architecture binaries (the arm64 base and build steps) run through qemu-user-static.
ensure_emulation() {
  apt_install qemu-user-static binfmt-support
  [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { say "cannot register qemu-aarch64 with binfmt_misc"; exit 1; }
}

ensure_base() {
  local target=$1 image rootfs
  image=$(base_image "$target")
  has_image "$image" && return
  apt_install debootstrap
  [ "$target" = amd64 ] || ensure_emulation
  say "making the $target base image $image (debootstrap, about 2 minutes, once)"
  rootfs="$cache/rootfs-$target"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --arch="$target" bookworm "$rootfs" "$mirror" >"$cache/debootstrap-$target.log" 2>&1 \
    || { tail -n 20 "$cache/debootstrap-$target.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import --platform "linux/$target" -c 'CMD ["/bin/bash"]' - "$image" >/dev/null
  rm -rf "$rootfs"
}

# The product's project and package files: what restore depends on.
restore_inputs() {
  echo global.json Directory.Build.props Directory.Packages.props Academy.Video.{Domain,Application,Infrastructure,Worker}/*.csproj
}

ensure_sdk() {
  local dotnet_root sdk_version sdk_image key offline_image context stage
  dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  sdk_version=$(dotnet --version)
  sdk_image="academy-video/dotnet-sdk:$sdk_version-local"
  if ! has_image "$sdk_image"; then
    say "making $sdk_image from $dotnet_root"
    context="$cache/sdk-context"
    rm -rf "$context"; mkdir -p "$context"
    cp -a "$dotnet_root" "$context/dotnet"
    cat >"$context/Dockerfile" <<EOF
FROM $(base_image amd64)
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 libstdc++6 zlib1g \\
 && rm -rf /var/lib/apt/lists/*
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
# The bare base has no ICU; the SDK runs invariant, as the product does.
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
EOF
    DOCKER_BUILDKIT=0 docker build -q -t "$sdk_image" "$context" >/dev/null
    rm -rf "$context"
  fi

  # shellcheck disable=SC2046
  key=$( (echo "$sdk_version"; cat $(restore_inputs)) | sha256sum | cut -c1-12)
  offline_image="academy-video/dotnet-sdk-offline:$key"
  if ! has_image "$offline_image"; then
    say "making $offline_image: the worker's NuGet packages for linux-x64 and linux-arm64"
    stage="$cache/restore-$key"
    rm -rf "$stage"; mkdir -p "$stage/src"
    # shellcheck disable=SC2046
    cp --parents $(restore_inputs) "$stage/src/"
    for rid in linux-x64 linux-arm64; do
      dotnet restore "$stage/src/Academy.Video.Worker/Academy.Video.Worker.csproj" -r "$rid" -p:SelfContained=true \
        --packages "$stage/context/nuget" -nologo -v quiet
    done
    cat >"$stage/context/Dockerfile" <<EOF
FROM $sdk_image
COPY nuget /root/.nuget/packages
COPY NuGet.Config /root/.nuget/NuGet/NuGet.Config
# Offline: every package is already in the package folder, no source is asked, and the vulnerability
# audit (which needs the registry) is off here only; a build FROM the official SDK audits as usual.
ENV NUGET_PACKAGES=/root/.nuget/packages NuGetAudit=false
LABEL academy-video.sdk-offline=true
EOF
    printf '%s\n' '<?xml version="1.0" encoding="utf-8"?>' '<configuration><packageSources><clear /></packageSources></configuration>' \
      >"$stage/context/NuGet.Config"
    DOCKER_BUILDKIT=0 docker build -q -t "$offline_image" "$stage/context" >/dev/null
    rm -rf "$stage"
    # Older package sets are of no further use.
    docker image ls --filter label=academy-video.sdk-offline=true --format '{{.Repository}}:{{.Tag}}' \
      | grep -vx "$offline_image" | xargs -r docker image rm >/dev/null 2>&1 || true
  fi
  echo "$offline_image"
}

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
    export Auth__ApiKeys__0="$key" Auth__InternalApiKeys__0="$internal" Runner__Kind=Local Runner__Local__Command=docker \
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
mkdir -p "$cache"
# One image build at a time on this machine (tests and people may start one together).
exec 9>"$cache/build.lock"
flock 9

started=$SECONDS
ensure_base amd64
[ "$arch" = amd64 ] || ensure_base "$arch"
sdk_offline=$(ensure_sdk)

build_args=(--build-arg "SDK_IMAGE=$sdk_offline" --build-arg "BASE=$(base_image "$arch")")
# The classic builder cannot mix platforms in one build when given --platform: the build stage stays amd64
# (it cross-publishes for TARGETARCH) and the final stage takes the arm64 base as it is, run under qemu.
[ "$arch" = amd64 ] || { ensure_emulation; build_args+=(--build-arg "TARGETARCH=$arch"); }
say "docker build -f Academy.Video.Worker/Dockerfile ${build_args[*]} -t $tag ."
image_started=$SECONDS
DOCKER_BUILDKIT=0 docker build -f Academy.Video.Worker/Dockerfile "${build_args[@]}" -t "$tag" . >"$cache/build-$arch.log" 2>&1 \
  || { tail -n 40 "$cache/build-$arch.log" >&2; say "the image build failed (log: $cache/build-$arch.log)"; exit 1; }
say "built $tag ($arch) in $((SECONDS - started)) s (image build $((SECONDS - image_started)) s; log $cache/build-$arch.log)"
flock -u 9

[ "$smoke" -eq 0 ] || smoke_test
