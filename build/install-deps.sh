#!/usr/bin/env bash
# Installs what the product and its tests need on a fresh Debian machine, and nothing that is already there:
# FFmpeg (ffmpeg + ffprobe), PostgreSQL 15, Node.js/npm (the console's build, the local S3-protocol test server);
# with --tests also Debian's chromium and chromium-driver (the console's browser tests).
set -euo pipefail

missing=()
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
fi
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
command -v dotnet >/dev/null 2>&1 || { echo "install-deps: the .NET SDK (see global.json) must be on PATH" >&2; exit 1; }

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
