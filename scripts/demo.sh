#!/usr/bin/env bash
# Warrant's main job on its embedded defaults: build Warrant and check the
# shipped example case. Installs what is missing first (system packages via
# apt-get when run as root on Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
for pkg in libsqlite3-dev libopenblas-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_packages+=("$pkg")
done
if [ ${#need_packages[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq "${need_packages[@]}"
    else
        echo "warning: missing system packages: ${need_packages[*]} (install them with apt-get)" >&2
    fi
fi

swift build -c release --product warrant
echo "== warrant check examples/scheming-sketch/case.yaml"
.build/release/warrant check examples/scheming-sketch/case.yaml
