#!/usr/bin/env python3
"""Independent reference for the evidence digests the trust engine writes into
receipts (docs/receipts.md, "What the trust engine writes, per evidence"),
written from the documents, not from the Rust code.

Generates tests/vectors/receipt_evidence.json. Needs: pip install blake3.

    python3 tools/receipt_evidence_reference.py

- QR payload digest: BLAKE3 derive_key("verifier/v1/receipt-evidence/qr-payload",
  encoded payload), for valid payloads of tests/vectors/qr_payloads.json.
- Safety-number digest: BLAKE3 derive_key("verifier/v1/receipt-evidence/safety-number",
  side0 || side1), the two side fingerprints (docs/safety-numbers.md) sorted.
"""
import json, os, sys

import blake3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import safety_number_reference as sn  # noqa: E402  (side fingerprints, docs/safety-numbers.md)

QR_CONTEXT = "verifier/v1/receipt-evidence/qr-payload"
SN_CONTEXT = "verifier/v1/receipt-evidence/safety-number"


def main():
    qr = json.load(open(os.path.join(ROOT, "tests/vectors/qr_payloads.json")))
    qr_cases = []
    for v in qr["valid"]:
        if v["mode"] not in ("identity", "pairwise"):
            continue
        payload = bytes.fromhex(v["payload_hex"])
        qr_cases.append({
            "name": v["name"],
            "payload_hex": v["payload_hex"],
            "key_hex": v["key_hex"],
            # For pairwise codes: the scanner's key (the code holds its fingerprint).
            "scanner_key_hex": v.get("peer_key_hex", v["key_hex"]),
            "digest_hex": blake3.blake3(payload, derive_key_context=QR_CONTEXT).digest().hex(),
        })
    sn_cases = []
    keys = [bytes.fromhex(pub) for _, pub in sn.RFC8032]
    pairs = [(keys[0], keys[1]), (keys[1], keys[0]), (keys[0], keys[2])]
    for a, b in pairs:
        sa, sb = sn.side(a, None), sn.side(b, None)
        lo, hi = sorted([sa, sb])
        sn_cases.append({
            "ours_key_hex": a.hex(),
            "theirs_key_hex": b.hex(),
            "digest_hex": blake3.blake3(lo + hi, derive_key_context=SN_CONTEXT).digest().hex(),
        })
    out = {
        "provenance": "computed by tools/receipt_evidence_reference.py, an independent Python "
                      "implementation written from docs/receipts.md and docs/safety-numbers.md "
                      "(Python 'blake3'); QR payloads from tests/vectors/qr_payloads.json",
        "qr_payload_context": QR_CONTEXT,
        "safety_number_context": SN_CONTEXT,
        "qr_payload": qr_cases,
        "safety_number": sn_cases,
    }
    path = os.path.join(ROOT, "tests/vectors/receipt_evidence.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
