#!/usr/bin/env bash
# Install minicube from this checkout (editable) so that `minicube` runs, plus the host tools
# its first start needs. Usage: scripts/install.sh [EXTRAS], e.g. scripts/install.sh test
#
# It installs into the Python that `python3` runs (this project's machines use pyenv, whose
# shims need a rehash to see the new `minicube` command). Where that Python refuses global
# installs (PEP 668, e.g. Debian's own python3), it uses a virtualenv in .venv instead.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-}"
target="."
[[ -n "$extras" ]] && target=".[$extras]"

# debootstrap builds the node's Debian base when no registry answers (see ENVIRONMENT.md).
if ! command -v debootstrap >/dev/null 2>&1 && [[ $EUID -eq 0 ]]; then
  echo "install: installing debootstrap"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

python=python3
if python3 -c 'import sys, sysconfig, os; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
  if [[ ! -x .venv/bin/python ]] && ! python3 -m venv .venv; then
    # Debian ships venv separately.
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv .venv
  fi
  python=.venv/bin/python
  echo "install: python3 is externally managed; using the virtualenv .venv (run .venv/bin/minicube)"
fi

echo "install: pip install -e $target"
"$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e "$target"
if command -v pyenv >/dev/null 2>&1; then
  pyenv rehash  # pyenv shims only see new console scripts after a rehash
fi
echo "install: $(command -v minicube || echo "$PWD/.venv/bin/minicube")"
