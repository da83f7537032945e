#!/usr/bin/env python3
"""Validate what `warrant report` and `warrant gate` write:
every Mermaid block of the Markdown reports renders with a real Mermaid
(mermaidx bundles mermaid.js and renders offline), SARIF validates against the
official 2.1.0 schema, and JUnit XML parses with the structure dashboards read.

Usage: validate_reports.py --reports R.md ... --sarif S.json ... --junit J.xml ... --gitlab G.json ...
"""
import json
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

import jsonschema

ROOT = pathlib.Path(__file__).resolve().parent.parent
SARIF_SCHEMA = ROOT / "Tests/WarrantReportTests/Fixtures/sarif-schema-2.1.0.json"
# GitLab's own schema for a Code Quality entry (see that folder's README for its source).
GITLAB_SCHEMA = ROOT / "Tests/WarrantReportTests/Fixtures/gitlab/codeclimate.json"


def groups(argv):
    out, key = {}, None
    for arg in argv:
        if arg.startswith("--"):
            key = arg[2:]
            out.setdefault(key, [])
        elif key:
            out[key].append(arg)
    return out


def main(argv):
    args = groups(argv)
    failures = 0
    import mermaidx
    blocks = 0
    for report in args.get("reports", []):
        text = pathlib.Path(report).read_text()
        for number, block in enumerate(re.findall(r"```mermaid\n(.*?)\n```", text, re.S), 1):
            blocks += 1
            try:
                svg = mermaidx.render(block).svg()
                assert svg.startswith("<svg"), "no SVG produced"
            except Exception as error:  # noqa: BLE001 - report every failure
                failures += 1
                print(f"{report}: mermaid block {number} does not render: {str(error)[:300]}")
        for heading in ("## Argument", "## Assumption ledger", "## Defeater ledger", "## Evidence", "## Completeness"):
            if heading not in text:
                failures += 1
                print(f"{report}: missing section {heading}")
    print(f"mermaid: {blocks} blocks rendered from {len(args.get('reports', []))} reports")

    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    for name in args.get("sarif", []):
        log = json.loads(pathlib.Path(name).read_text())
        errors = list(validator.iter_errors(log))
        for error in errors[:10]:
            print(f"{name}: {'/'.join(str(p) for p in error.path)}: {error.message[:200]}")
        failures += len(errors)
        print(f"sarif: {name}: {len(log['runs'][0]['results'])} results, {len(errors)} schema errors")

    gitlab = jsonschema.Draft7Validator(json.loads(GITLAB_SCHEMA.read_text()))
    for name in args.get("gitlab", []):
        issues = json.loads(pathlib.Path(name).read_text())
        assert isinstance(issues, list) and issues, "a Code Quality report is a non-empty JSON array here"
        errors = [e for issue in issues for e in gitlab.iter_errors(issue)]
        for error in errors[:10]:
            print(f"{name}: {error.message[:200]}")
        failures += len(errors)
        print(f"gitlab: {name}: {len(issues)} issues, {len(errors)} schema errors")

    for name in args.get("junit", []):
        root = ET.parse(name).getroot()
        assert root.tag == "testsuites", root.tag
        cases = root.findall("./testsuite/testcase")
        failed = root.findall("./testsuite/testcase/failure")
        assert cases and int(root.get("failures")) == len(failed), "failure counts disagree"
        print(f"junit: {name}: {len(cases)} test cases, {len(failed)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
