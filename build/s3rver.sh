#!/usr/bin/env bash
# Local S3-protocol server (s3rver) for development and integration tests.
#
#   build/s3rver.sh start|stop|status|restart
#
# Installs the pinned npm package into .local/s3rver (gitignored) on first use, then runs it in the
# background on 127.0.0.1:${ACADEMY_S3_PORT:-54569} through build/s3rver-server.js, which adds the
# multipart operations s3rver lacks (ListParts, AbortMultipartUpload, ListMultipartUploads). A server
# started from another version of that launcher is restarted. Credentials are s3rver's defaults: S3RVER / S3RVER.
# The bucket ${ACADEMY_S3_BUCKET:-academy-video} is created at startup. Data lives under /tmp and is
# disposable. Every command is idempotent.
set -euo pipefail

readonly S3RVER_VERSION="3.7.1"
readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly INSTALL_DIR="${REPO_ROOT}/.local/s3rver"
readonly BINARY="${INSTALL_DIR}/node_modules/.bin/s3rver"
readonly HOST="127.0.0.1"
readonly PORT="${ACADEMY_S3_PORT:-54569}"
readonly BUCKET="${ACADEMY_S3_BUCKET:-academy-video}"
readonly RUN_DIR="${ACADEMY_S3_RUN_DIR:-/tmp/academy-video-s3rver-${PORT}}"
readonly DATA_DIR="${RUN_DIR}/data"
readonly PID_FILE="${RUN_DIR}/s3rver.pid"
readonly LOG_FILE="${RUN_DIR}/s3rver.log"
readonly LAUNCHER="${REPO_ROOT}/build/s3rver-server.js"
readonly LAUNCHER_STAMP="${RUN_DIR}/launcher.sha256"

installed_version() {
  local manifest="${INSTALL_DIR}/node_modules/s3rver/package.json"
  [[ -f "${manifest}" ]] && node -p "require('${manifest}').version" 2>/dev/null || true
}

ensure_installed() {
  if [[ -x "${BINARY}" && "$(installed_version)" == "${S3RVER_VERSION}" ]]; then
    return
  fi
  command -v npm >/dev/null || { echo "npm is required to install s3rver" >&2; exit 1; }
  echo "Installing s3rver@${S3RVER_VERSION} into ${INSTALL_DIR}"
  mkdir -p "${INSTALL_DIR}"
  npm install --prefix "${INSTALL_DIR}" --no-audit --no-fund --loglevel=error "s3rver@${S3RVER_VERSION}" >/dev/null
}

running_pid() {
  [[ -f "${PID_FILE}" ]] || return 1
  local pid
  pid="$(cat "${PID_FILE}")"
  [[ -n "${pid}" ]] && kill -0 "${pid}" 2>/dev/null || return 1
  echo "${pid}"
}

port_answers() {
  # Any HTTP answer (s3rver replies 200 with a bucket list or 403 to an unsigned request) means it is up.
  curl --silent --output /dev/null --max-time 2 "http://${HOST}:${PORT}/"
}

launcher_hash() {
  sha256sum "${LAUNCHER}" | cut -d' ' -f1
}

start() {
  if pid="$(running_pid)"; then
    if [[ "$(cat "${LAUNCHER_STAMP}" 2>/dev/null)" == "$(launcher_hash)" ]]; then
      echo "s3rver already running (pid ${pid}) on http://${HOST}:${PORT}"
      return
    fi
    echo "s3rver (pid ${pid}) runs another version of ${LAUNCHER}; restarting it"
    stop
  fi
  if port_answers; then
    echo "Port ${PORT} already answers but not from our pid file (${PID_FILE}); set ACADEMY_S3_PORT or stop that process." >&2
    exit 1
  fi
  ensure_installed
  mkdir -p "${DATA_DIR}"
  # setsid: the server must outlive this script and the shell that called it.
  # s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node >= 17) only
  # offers through the legacy provider; without it every truncated listing answers 500.
  NODE_OPTIONS="${NODE_OPTIONS:-} --openssl-legacy-provider" setsid node "${LAUNCHER}" "${INSTALL_DIR}" "${DATA_DIR}" "${HOST}" "${PORT}" "${BUCKET}" \
    >"${LOG_FILE}" 2>&1 < /dev/null &
  echo $! >"${PID_FILE}"
  launcher_hash >"${LAUNCHER_STAMP}"
  for _ in $(seq 1 100); do
    if port_answers; then
      echo "s3rver started (pid $(cat "${PID_FILE}")) on http://${HOST}:${PORT}, bucket ${BUCKET}, data ${DATA_DIR}"
      return
    fi
    if ! running_pid >/dev/null; then
      echo "s3rver exited during startup; log follows:" >&2
      cat "${LOG_FILE}" >&2
      rm -f "${PID_FILE}"
      exit 1
    fi
    sleep 0.1
  done
  echo "s3rver did not answer on port ${PORT} within 10 s; log: ${LOG_FILE}" >&2
  exit 1
}

stop() {
  if pid="$(running_pid)"; then
    kill "${pid}"
    for _ in $(seq 1 50); do
      kill -0 "${pid}" 2>/dev/null || break
      sleep 0.1
    done
    echo "s3rver stopped (pid ${pid})"
  else
    echo "s3rver not running"
  fi
  rm -f "${PID_FILE}"
}

status() {
  if pid="$(running_pid)" && port_answers; then
    echo "s3rver running (pid ${pid}) on http://${HOST}:${PORT}, bucket ${BUCKET}"
  else
    echo "s3rver not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop; start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
