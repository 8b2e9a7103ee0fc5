#!/usr/bin/env bash
# A Docker engine for building and running the worker image on this machine.
#   build/docker.sh start|stop|status
# Idempotent. `start` installs Debian's docker.io when dockerd is missing and starts dockerd in the
# background when nothing answers on its socket (a machine without systemd, like CI's). `stop` stops
# only a dockerd this script started. Exit status of `start`: 0 when the engine answers, 1 otherwise,
# with the reason on stderr (tests skip on it and say why).
# Env: ACADEMY_DOCKER_RUN_DIR (default /tmp/academy-video-docker) for the pid file and the daemon log.
set -euo pipefail

RUN_DIR="${ACADEMY_DOCKER_RUN_DIR:-/tmp/academy-video-docker}"
PID_FILE="$RUN_DIR/dockerd.pid"
LOG_FILE="$RUN_DIR/dockerd.log"

answers() { docker info >/dev/null 2>&1; }

ensure_installed() {
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 && return
  if [ "$(id -u)" -ne 0 ]; then
    echo "docker.sh: dockerd is not installed and installing it needs root (apt-get install docker.io)" >&2
    return 1
  fi
  echo "docker.sh: installing Debian's docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null
}

start() {
  answers && return 0
  ensure_installed || return 1
  if [ "$(id -u)" -ne 0 ]; then
    echo "docker.sh: no Docker engine answers and starting dockerd needs root" >&2
    return 1
  fi
  mkdir -p "$RUN_DIR"
  # Another start may be racing this one (parallel tests): one of them starts the daemon.
  exec 8>"$RUN_DIR/start.lock"
  flock 8
  if ! answers; then
    echo "docker.sh: starting dockerd (log: $LOG_FILE)" >&2
    nohup dockerd >"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  fi
  for _ in $(seq 1 60); do
    answers && return 0
    if [ -f "$PID_FILE" ] && ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      echo "docker.sh: dockerd exited while starting:" >&2
      tail -n 5 "$LOG_FILE" >&2
      return 1
    fi
    sleep 1
  done
  echo "docker.sh: dockerd did not answer within 60 s; see $LOG_FILE" >&2
  return 1
}

stop() {
  [ -f "$PID_FILE" ] || { echo "docker.sh: no dockerd started by this script" >&2; return 0; }
  local pid
  pid=$(cat "$PID_FILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then docker version --format 'docker engine {{.Server.Version}} answers'; else echo "no Docker engine answers"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
