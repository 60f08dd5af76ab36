#!/usr/bin/env bash
# Make sure kubectl is installed (Debian's kubectl package: the tests use the real client).
set -euo pipefail

if command -v kubectl >/dev/null 2>&1; then
  echo "ensure-kubectl: $(kubectl version --client 2>/dev/null | head -n 1)"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "ensure-kubectl: kubectl is missing, and installing it needs root (try: sudo $0)" >&2
  exit 1
fi

echo "ensure-kubectl: installing Debian's kubectl"
apt-get update -qq
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null; then
  echo "ensure-kubectl: 'apt-get install kubectl' failed; install kubectl 1.32 by another way" >&2
  exit 1
fi
echo "ensure-kubectl: $(kubectl version --client 2>/dev/null | head -n 1)"
