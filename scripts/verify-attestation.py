#!/usr/bin/env python3
"""Verifies a Warrant gate attestation without Warrant: an independent check of the
DSSE envelope that `warrant gate --attest` writes.

    python3 scripts/verify-attestation.py ATTESTATION.json KEY.pub

Checks the Ed25519 signature over DSSE's pre-authentication encoding (computed here),
that the payload is an in-toto Statement v1 with Warrant's gate predicate, and that every
file subject still has its SHA-256 (paths relative to the current folder) and every
evidence store still holds the attested head at its position. Exit 0 when all holds, 1
when something does not (each is named), 2 when the inputs cannot be read.
Needs `cryptography` (pip install cryptography).
"""
import base64
import hashlib
import json
import sqlite3
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        envelope = json.load(open(sys.argv[1], encoding="utf-8"))
        key_text = open(sys.argv[2], encoding="utf-8").read().strip()
        assert key_text.startswith("ed25519:"), "the key file holds ed25519:BASE64"
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(key_text[len("ed25519:"):]))
        payload = base64.b64decode(envelope["payload"])
        statement = json.loads(payload)
    except Exception as e:  # noqa: BLE001 - any unreadable input is exit 2
        print(f"error: {e}", file=sys.stderr)
        return 2
    ok = True
    message = pae(envelope["payloadType"], payload)
    valid = False
    for s in envelope.get("signatures", []):
        try:
            key.verify(base64.b64decode(s["sig"]), message)
            valid = True
        except (InvalidSignature, ValueError, KeyError):
            pass
    print("signature:", "valid" if valid else "INVALID")
    ok &= valid
    if envelope["payloadType"] != "application/vnd.in-toto+json" or statement.get("_type") != "https://in-toto.io/Statement/v1" \
            or statement.get("predicateType") != "https://warrant.dev/attestation/gate/v1":
        print("not a Warrant gate statement")
        return 1
    for subject in statement["subject"]:
        name, digest = subject["name"], subject["digest"]["sha256"]
        annotations = subject.get("annotations", {})
        if annotations.get("warrant.evidence_store"):
            n = int(annotations["records"])
            try:
                db = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
                row = db.execute("SELECT id FROM records ORDER BY seq LIMIT 1 OFFSET ?", (n - 1,)).fetchone()
                problem = None if row and row[0] == digest else f"record #{n} is {row[0][:12] if row else 'missing'}"
            except sqlite3.Error as e:
                problem = f"cannot be read: {e}"
        else:
            try:
                with open(name, "rb") as f:
                    actual = hashlib.sha256(f.read()).hexdigest()
                problem = None if actual == digest else f"SHA-256 is {actual[:16]}..., attested {digest[:16]}..."
            except OSError as e:
                problem = f"cannot be read: {e}"
        print(("  ok      " if problem is None else "  CHANGED ") + name + ("" if problem is None else ": " + problem))
        ok &= problem is None
    print("verdict attested:", statement["predicate"]["verdict"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
