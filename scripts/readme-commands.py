#!/usr/bin/env python3
"""Runs every command of the README's ```sh blocks, as written, in order, in one shell.

    python3 scripts/readme-commands.py [--repo DIR] [--warrant-bin DIR]

The commands run in a fresh clone of the repository (`git clone` of DIR, by default the
checkout this script is in), so what they write never touches the checkout, and with
`warrant` resolved from --warrant-bin (default: DIR/.build/release). One shell runs them
all, so `cd` and variables carry from one command to the next, as for a reader typing
them. A command must exit 0, or 1 where its comment says it "fails". A block right after
the line `<!-- readme-commands: skip -->` is not run (the quick start and the benchmarks,
which CI runs on its own). Prints each command and its exit status; exits 1 at the first
command that does not behave as the README says.
"""
import argparse
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

SKIP = "<!-- readme-commands: skip -->"


def commands(readme: str):
    """The README's commands: (line number, command text, expected exit status)."""
    lines = readme.split("\n")
    out, i, skip_next = [], 0, False
    while i < len(lines):
        line = lines[i]
        if line.strip() == SKIP:
            skip_next = True
        elif line.startswith("```sh"):
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                start, text = i + 1, lines[i]
                while text.rstrip().endswith("\\") and i + 1 < len(lines):
                    i += 1
                    text = text.rstrip()[:-1] + " " + lines[i].strip()
                if not skip_next and text.strip() and not text.strip().startswith("#"):
                    comment = text.split(" # ", 1)[1] if " # " in text else ""
                    out.append((start, text.strip(), 1 if re.search(r"\bfails\b", comment) else 0))
                i += 1
            skip_next = False
        elif line.strip():
            skip_next = skip_next and line.strip() == SKIP
        i += 1
    return out


def main():
    here = pathlib.Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", default=str(here))
    parser.add_argument("--warrant-bin", default=None)
    args = parser.parse_args()
    repo = pathlib.Path(args.repo).resolve()
    bin_dir = pathlib.Path(args.warrant_bin or repo / ".build/release").resolve()
    if not (bin_dir / "warrant").exists():
        sys.exit(f"no warrant in {bin_dir}: build it first (swift build -c release)")
    found = commands((repo / "README.md").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="warrant-readme-") as tmp:
        clone = pathlib.Path(tmp) / "repo"
        subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
        # One script: each command runs in the same shell, its status checked at once.
        script = ["set -u", f"export PATH={shlex.quote(str(bin_dir))}:$PATH", f"cd {shlex.quote(str(clone))}"]
        for line, text, expected in found:
            shown = shlex.quote(f"README.md:{line}: {text}")
            script.append(f"echo {shown}")
            script.append(text)
            script.append(f'status=$?; [ "$status" -eq {expected} ] || {{ echo "README.md:{line}: exit $status, expected {expected}" >&2; exit 1; }}')
        result = subprocess.run(["bash", "-c", "\n".join(script)], env=dict(os.environ, WARRANT_NO_COLOR="1"))
    if result.returncode != 0:
        sys.exit(1)
    print(f"all {len(found)} README commands behaved as written")


if __name__ == "__main__":
    main()
