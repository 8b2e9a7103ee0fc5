# Shared by build/worker-image.sh and build/api-image.sh (sourced, not run): this machine can build and
# run images but cannot pull them, so the images' FROM lines are given local stand-ins.
# - The base image is made locally once (debootstrap --variant=minbase bookworm + docker import) and kept
#   as academy-video/debian:bookworm-minbase-<arch>; it stands in for debian:bookworm-slim.
# - The build stage's SDK image is made from the same base plus this machine's .NET SDK, with the NuGet
#   packages the worker and the API need already in its package folder and the console's npm packages in
#   its npm cache, so restore inside the build needs no network. It is rebuilt only when the SDK or a
#   project, package or lock file changes.
# - The Node image (the API image takes node and npm from it) is the same base plus this machine's node.
# Env: ACADEMY_DOCKER_CACHE, ACADEMY_DEBIAN_MIRROR.
# shellcheck shell=bash

cache=${ACADEMY_DOCKER_CACHE:-/var/cache/academy-video-docker}
mirror=${ACADEMY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
image_tool=${image_tool:-image}
mkdir -p "$cache"
base_image() { echo "academy-video/debian:bookworm-minbase-$1"; }
say() { echo "$image_tool: $*" >&2; }
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
  # A debootstrap that fails part-way leaves the rootfs's /proc (and sometimes /sys) mounted, and then no later run could
  # remove it; a failed download from the mirror is worth one more try from a clean directory.
  local try
  for try in 1 2; do
    remove_rootfs "$rootfs"
    if debootstrap --variant=minbase --arch="$target" bookworm "$rootfs" "$mirror" >"$cache/debootstrap-$target.log" 2>&1; then
      break
    fi
    tail -n 20 "$cache/debootstrap-$target.log" >&2
    [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 20 "$rootfs/debootstrap/debootstrap.log" >&2
    if [ "$try" = 2 ]; then
      remove_rootfs "$rootfs"
      exit 1
    fi
    say "debootstrap failed (above); trying once more"
  done
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import --platform "linux/$target" -c 'CMD ["/bin/bash"]' - "$image" >/dev/null
  remove_rootfs "$rootfs"
}

# Unmounts whatever is mounted under a rootfs (deepest first), then removes it.
remove_rootfs() {
  local rootfs=$1 point
  while read -r point; do
    umount -l "$point" 2>/dev/null || true
  done < <(awk -v root="$rootfs/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf "$rootfs"
}

# What restore depends on: the product's project and package files (every module beside the hosts, so a
# new module's packages reach the offline SDK image) and the console's lock file.
restore_inputs() {
  echo global.json Directory.Build.props Directory.Packages.props \
    Academy.Video.*/*.csproj console/package.json console/package-lock.json
}

# Prints the name of the offline SDK image (made when missing).
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
    cat >"$context/Dockerfile" <<DOCKERFILE
FROM $(base_image amd64)
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates libssl3 libstdc++6 zlib1g \\
 && rm -rf /var/lib/apt/lists/*
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
# The bare base has no ICU; the SDK runs invariant, as the product does.
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
DOCKERFILE
    DOCKER_BUILDKIT=0 docker build -q -t "$sdk_image" "$context" >/dev/null
    rm -rf "$context"
  fi

  # shellcheck disable=SC2046
  key=$( (echo "$sdk_version"; cat $(restore_inputs)) | sha256sum | cut -c1-12)
  offline_image="academy-video/dotnet-sdk-offline:$key"
  if ! has_image "$offline_image"; then
    say "making $offline_image: the NuGet packages of the worker and the API for linux-x64 and linux-arm64, the console's npm packages"
    stage="$cache/restore-$key"
    rm -rf "$stage"; mkdir -p "$stage/src" "$stage/context"
    # shellcheck disable=SC2046
    cp --parents $(restore_inputs) "$stage/src/"
    for rid in linux-x64 linux-arm64; do
      for project in Worker Api; do
        dotnet restore "$stage/src/Academy.Video.$project/Academy.Video.$project.csproj" -r "$rid" -p:SelfContained=true \
          --packages "$stage/context/nuget" -nologo -v quiet
      done
    done
    # npm ci into a throw-away folder fills a cache of exactly the lock file's packages.
    (cd "$stage/src/console" && npm ci --cache "$stage/context/npm" --no-audit --no-fund --loglevel=error >/dev/null)
    cat >"$stage/context/Dockerfile" <<DOCKERFILE
FROM $sdk_image
COPY nuget /root/.nuget/packages
COPY NuGet.Config /root/.nuget/NuGet/NuGet.Config
COPY npm /root/.npm
# Offline: every package is already in the package folder or the npm cache, no source is asked, and the
# vulnerability audits (which need the registries) are off here only; a build FROM the official images
# audits as usual.
ENV NUGET_PACKAGES=/root/.nuget/packages NuGetAudit=false npm_config_offline=true npm_config_audit=false
LABEL academy-video.sdk-offline=true
DOCKERFILE
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

# Prints the name of the local Node image: the base plus this machine's node and npm, laid out as the
# official node image lays them out (/usr/local/bin/node, /usr/local/lib/node_modules/npm).
ensure_node() {
  local node_version image context npm_root
  node_version=$(node --version)
  image="academy-video/node:${node_version#v}-local"
  if ! has_image "$image"; then
    say "making $image from $(command -v node)"
    npm_root=$(npm root -g)
    context="$cache/node-context"
    rm -rf "$context"; mkdir -p "$context"
    cp "$(readlink -f "$(command -v node)")" "$context/node"
    cp -a "$npm_root/npm" "$context/npm"
    printf '%s\n' "FROM $(base_image amd64)" 'COPY node /usr/local/bin/node' 'COPY npm /usr/local/lib/node_modules/npm' >"$context/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q -t "$image" "$context" >/dev/null
    rm -rf "$context"
  fi
  echo "$image"
}

# build_image <Dockerfile> <tag> <arch> <log name> [extra docker build arguments...]: one image build at
# a time on this machine (tests and people may start one together), with the local stand-ins.
build_image() {
  local dockerfile=$1 tag=$2 arch=$3 log="$cache/build-$4-$3.log" started image_started sdk_offline
  shift 4
  mkdir -p "$cache"
  exec 9>"$cache/build.lock"
  flock 9
  started=$SECONDS
  ensure_base amd64
  [ "$arch" = amd64 ] || ensure_base "$arch"
  sdk_offline=$(ensure_sdk)
  local build_args=(--build-arg "SDK_IMAGE=$sdk_offline" --build-arg "BASE=$(base_image "$arch")" "$@")
  # The classic builder cannot mix platforms in one build when given --platform: the build stage stays amd64
  # (it cross-publishes for TARGETARCH) and the final stage takes the arm64 base as it is, run under qemu.
  [ "$arch" = amd64 ] || { ensure_emulation; build_args+=(--build-arg "TARGETARCH=$arch"); }
  say "docker build -f $dockerfile ${build_args[*]} -t $tag ."
  image_started=$SECONDS
  DOCKER_BUILDKIT=0 docker build -f "$dockerfile" "${build_args[@]}" -t "$tag" . >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; say "the image build failed (log: $log)"; exit 1; }
  say "built $tag ($arch) in $((SECONDS - started)) s (image build $((SECONDS - image_started)) s; log $log)"
  flock -u 9
}
