#!/usr/bin/env bash
# Build the sample image minicube/hello:1 in the host's Docker engine (no registry needed).
# It takes busybox from the node's packages layer, so run `minicube start` (scripts/up.sh) once first.
# Then: minicube image load minicube/hello:1
set -euo pipefail
cd "$(dirname "$0")/.."

tools="$(docker images minicube/node-deps --format '{{.Repository}}:{{.Tag}}' | head -n 1)"
if [[ -z "$tools" ]]; then
  echo "build-hello: no minicube/node-deps image yet; run scripts/up.sh (or minicube start) first" >&2
  exit 1
fi
docker build --quiet --build-arg "TOOLS_IMAGE=$tools" -t minicube/hello:1 images/hello
echo "built minicube/hello:1 (load it into a cluster with: minicube image load minicube/hello:1)"
