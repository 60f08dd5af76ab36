#!/usr/bin/env bash
# Make sure a Docker engine answers. Where none does (a fresh Debian machine, CI), install
# Debian's docker.io and start dockerd in the background, logging to /var/log/dockerd.log.
set -euo pipefail

readonly WAIT_SECONDS=60
readonly LOG=/var/log/dockerd.log

if docker info >/dev/null 2>&1; then
  echo "ensure-docker: a Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "ensure-docker: no Docker engine answers, and installing/starting one needs root (try: sudo $0)" >&2
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "ensure-docker: installing Debian's docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

echo "ensure-docker: starting dockerd (log: $LOG)"
# setsid + nohup: the engine must outlive this script and the shell that ran it.
nohup setsid dockerd >>"$LOG" 2>&1 </dev/null &

for ((i = 0; i < WAIT_SECONDS * 5; i++)); do
  if docker info >/dev/null 2>&1; then
    echo "ensure-docker: dockerd is up after $((i / 5))s"
    exit 0
  fi
  sleep 0.2
done

echo "ensure-docker: dockerd did not answer within ${WAIT_SECONDS}s; the end of $LOG:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
