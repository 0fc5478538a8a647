#!/usr/bin/env bash
# Install everything numba-wasm needs on a fresh Debian machine, then build
# the CLI. Idempotent: a second run only checks.
#   apt: llvm-22-dev liblld-22-dev lld-22 chromium (and Node.js if missing)
#   rustup: the wasm32-unknown-unknown target
#   .venv: pinned Numba (requirements.txt); .venv-numba-*: the older Numbas
#   tagged `full` in fixtures/numba-versions.txt, for the compatibility tests
#   npm: playwright-core (package-lock.json), drives Debian's Chromium
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_needed=()
[ -x /usr/lib/llvm-22/bin/llvm-config ] || apt_needed+=(llvm-22-dev libzstd-dev zlib1g-dev)
[ -x /usr/lib/llvm-22/bin/wasm-ld ] || apt_needed+=(lld-22)
# lld's wasm linker, linked into numba-wasm (build.rs)
[ -f /usr/lib/llvm-22/lib/liblldWasm.a ] || apt_needed+=(liblld-22-dev)
[ -x /usr/bin/chromium ] || apt_needed+=(chromium)
command -v node >/dev/null || apt_needed+=(nodejs npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_needed+=(python3-venv)
if [ ${#apt_needed[@]} -gt 0 ]; then
  log "apt-get install ${apt_needed[*]}"
  sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_ apt-get install -y -qq "${apt_needed[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# Python venv with the pinned Numba; reinstalled when requirements.txt changes.
stamp=.venv/.requirements
if [ ! -x .venv/bin/python ] || ! cmp -s requirements.txt "$stamp"; then
  log "python venv .venv (requirements.txt)"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt "$stamp"
fi

# Older Numba versions the tests run in Python and Chromium: the ones tagged
# `full` in fixtures/numba-versions.txt (the newest is .venv). The others'
# fixtures run offline in Node and need no venv (scripts/gen_fixtures.py
# makes them when regenerating).
newest=$(grep -v '^#' fixtures/numba-versions.txt | awk 'NF' | tail -1 | awk '{print $1}')
for v in $(grep -v '^#' fixtures/numba-versions.txt | awk '$2 == "full" {print $1}'); do
  [ "$v" = "$newest" ] && continue
  minor=${v%.*}
  req=requirements/numba-$minor.txt
  venv=.venv-numba-$minor
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/.requirements"; then
    log "python venv $venv ($req)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    cp "$req" "$venv/.requirements"
  fi
done

if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` installs what package-lock.json pins, like `npm ci`, but
  # tolerates an optional dependency the registry does not serve (Vite's
  # Windows-only napi-windows-process-start-time), which `npm ci` refuses.
  log "npm install (package-lock.json)"
  npm install --silent --no-audit --no-fund
fi

log "cargo build --release"
cargo build --release --quiet
