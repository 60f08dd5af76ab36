#!/usr/bin/env bash
# Bring up a cluster: make sure a Docker engine answers, install minicube, run `minicube start`.
# Any arguments go to `minicube start` (e.g. scripts/up.sh -p dev --memory 2g).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-docker.sh
scripts/install.sh
minicube=minicube
[[ -x .venv/bin/minicube ]] && minicube=.venv/bin/minicube  # see scripts/install.sh
exec "$minicube" start "$@"
