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
warrant=$PWD/.build/release/warrant

echo "== warrant check examples/scheming-sketch/case.yaml (a draft scheming case)"
"$warrant" check examples/scheming-sketch/case.yaml

# The inspect-evidence example end to end, in a scratch copy: import a real Inspect
# log as evidence, check the case at release, and write its report to ./report.md.
work=$(mktemp -d)
cp -r examples/inspect-evidence "$work/case"
echo "== warrant evidence import inspect (examples/inspect-evidence)"
(cd "$work/case" && "$warrant" evidence import inspect logs/research-sabotage.json --case case.yaml \
    --kind sabotage_eval --model-file model/sandbox-agent.safetensors)
echo "== warrant check --level release"
(cd "$work/case" && "$warrant" check --level release case.yaml)
"$warrant" report "$work/case/case.yaml" -o report.md
rm -rf "$work"
echo "Done: report.md is the report of examples/inspect-evidence."
