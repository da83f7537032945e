#!/usr/bin/env bash
# Warrant's main job on its embedded defaults: build Warrant, then `warrant build` the
# worked example (examples/modadd-scheming): run its interpretability evaluations on the
# demo model's weights, import its Inspect logs, check the case and write
# examples/modadd-scheming/report.md. Installs what is missing first (system packages
# via apt-get when run as root on Debian/Ubuntu). Run it again: nothing is re-evaluated
# and the report is the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
for pkg in libsqlite3-dev libpq-dev libopenblas-dev libzip-dev libzstd-dev; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_packages+=("$pkg")
done
if [ ${#need_packages[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}"
    else
        echo "warning: missing system packages: ${need_packages[*]} (install them with apt-get)" >&2
    fi
fi

echo "== swift build -c release (the first build takes a few minutes)"
swift build -c release --product warrant 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Write|Emitting|Linking|Applying)'
warrant=$PWD/.build/release/warrant

echo "== warrant build examples/modadd-scheming/case.yaml"
"$warrant" build examples/modadd-scheming/case.yaml

echo "== what a release would still need (warrant check --level release, summary)"
"$warrant" check --level release examples/modadd-scheming/case.yaml 2>&1 | tail -n 1 || true
echo "Done: examples/modadd-scheming/report.md is the report; examples/modadd-scheming/README.md walks through it."
