#!/usr/bin/env bash
# What both CI examples run (warrant-gate.yml for GitHub, warrant-gate.gitlab-ci.yml for
# GitLab): build the evidence the case declares, then gate, writing every CI format.
#
#   examples/ci/gate.sh CASE LEVEL [OUTDIR]
#
# `warrant build` runs the case's `eval:` recipes and imports the Inspect logs it names,
# so a fresh runner that has only the repository has the derived evidence. Records typed
# in (`evidence add`) exist only in a store: commit the case's .warrant/evidence.sqlite (and
# pin its head), or fetch it before this runs. Exit code: the gate's (0 pass, 1 fail,
# 2 could not run); the files are written either way.
set -uo pipefail
case_file=$1
level=$2
out=${3:-.}
mkdir -p "$out"
warrant build "$case_file" --level "$level" -o "$out/report.md"
[ $? -eq 2 ] && { echo "warrant build could not run" >&2; exit 2; }
warrant gate "$case_file" --level "$level" --format sarif -o "$out/warrant.sarif"
warrant gate "$case_file" --level "$level" --format junit -o "$out/warrant-junit.xml"
warrant gate "$case_file" --level "$level" --format gitlab -o "$out/gl-code-quality-report.json"
warrant gate "$case_file" --level "$level"
