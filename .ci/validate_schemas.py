#!/usr/bin/env python3
"""Validate every YAML file under examples/ and templates/ against
schemas/case.schema.json, and `warrant check --format json` output against
schemas/check-output.schema.json.

Usage: validate_schemas.py [--check-output FILE ...] [--records FILE ...] [--attestation FILE ...]
"""
import base64
import json
import pathlib
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_schema(name):
    schema = json.loads((ROOT / "schemas" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def main(argv):
    failures = 0
    case_validator = load_schema("case.schema.json")
    files = sorted(p for d in ("examples", "templates") for p in (ROOT / d).rglob("*.y*ml")
                   if p.suffix in (".yaml", ".yml"))
    case_files = 0
    for path in files:
        document = yaml.safe_load(path.read_text())
        if not isinstance(document, dict) or "warrant" not in document:
            continue  # not a Warrant case file (e.g. a CI workflow)
        case_files += 1
        errors = sorted(case_validator.iter_errors(document), key=lambda e: list(e.path))
        for error in errors:
            where = "/".join(str(p) for p in error.path)
            print(f"{path.relative_to(ROOT)}: {where}: {error.message}")
            failures += 1
    print(f"case schema: {case_files} files checked, {failures} problems")

    output_validator = load_schema("check-output.schema.json")
    outputs = argv[argv.index("--check-output") + 1:] if "--check-output" in argv else []
    if "--records" in outputs:
        outputs = outputs[:outputs.index("--records")]
    for name in outputs:
        document = json.loads(pathlib.Path(name).read_text())
        for error in output_validator.iter_errors(document):
            print(f"{name}: {'/'.join(str(p) for p in error.path)}: {error.message}")
            failures += 1
    if outputs:
        print(f"check-output schema: {len(outputs)} outputs checked")

    record_validator = load_schema("evidence-record.schema.json")
    attestations = argv[argv.index("--attestation") + 1:] if "--attestation" in argv else []
    if "--attestation" in argv:
        argv = argv[:argv.index("--attestation")]
    records = argv[argv.index("--records") + 1:] if "--records" in argv else []
    if "--check-output" in argv and "--records" in argv:
        outputs = argv[argv.index("--check-output") + 1:argv.index("--records")]
    for name in records:
        document = json.loads(pathlib.Path(name).read_text())
        for record in (document if isinstance(document, list) else [document]):
            for error in record_validator.iter_errors(record):
                print(f"{name}: {'/'.join(str(p) for p in error.path)}: {error.message}")
                failures += 1
    if records:
        print(f"evidence-record schema: {len(records)} files checked")

    # A gate attestation: the DSSE envelope's payload against the statement schema.
    attestation_validator = load_schema("gate-attestation.schema.json")
    for name in attestations:
        envelope = json.loads(pathlib.Path(name).read_text())
        statement = json.loads(base64.b64decode(envelope["payload"]))
        for error in attestation_validator.iter_errors(statement):
            print(f"{name}: {'/'.join(str(p) for p in error.path)}: {error.message}")
            failures += 1
    if attestations:
        print(f"gate-attestation schema: {len(attestations)} statements checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
