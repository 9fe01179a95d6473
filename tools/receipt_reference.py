#!/usr/bin/env python3
"""Independent reference encoder of verification receipts v1, written from
docs/receipts.md (not from the Rust code).

Generates tests/vectors/receipt_v1.json. Needs: pip install blake3 cryptography.

    python3 tools/receipt_reference.py
"""
import base64, json, os, struct

import blake3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

LABEL = b"verifier/v1/receipt"
ID_CONTEXT = "verifier/v1/receipt-id"
METHODS = {"qr": 1, "sas": 2, "number": 3, "manual": 4}
ED25519 = 0x01
L = 2**252 + 27742317777372353535851937790883648493

# RFC 8032 section 7.1, tests 1-3: seeds.
SEED_1 = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
SEED_2 = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
SEED_3 = bytes.fromhex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7")


def public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def label(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack(">H", len(b)) + b


def body(signer_pk, subject_pk, name, ident, t, method, version=1, signer_type=ED25519,
         subject_type=ED25519):
    out = b"VRCT" + bytes([version])
    out += bytes([signer_type, len(signer_pk)]) + signer_pk
    out += bytes([subject_type, len(subject_pk)]) + subject_pk
    out += label(name)
    out += label(ident) if ident is not None else struct.pack(">H", 0)
    out += struct.pack(">Q", t)
    out += bytes([METHODS[method]])
    return out


def message(b: bytes) -> bytes:
    return bytes([len(LABEL)]) + LABEL + b


def sign(seed: bytes, b: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message(b))


def receipt_id(r: bytes) -> bytes:
    return blake3.blake3(r, derive_key_context=ID_CONTEXT).digest()


def text(r: bytes) -> str:
    return "verifier-receipt:" + base64.urlsafe_b64encode(r).decode().rstrip("=")


def valid_case(name, ident, t, method, signer_seed=SEED_1, subject_seed=SEED_2):
    b = body(public(signer_seed), public(subject_seed), name, ident, t, method)
    sig = sign(signer_seed, b)
    r = b + sig
    return {
        "signer_seed_hex": signer_seed.hex(),
        "signer_public_hex": public(signer_seed).hex(),
        "subject_public_hex": public(subject_seed).hex(),
        "contact_name": name,
        "contact_id": ident,
        "verified_at_unix": t,
        "method": method,
        "signed_message_hex": message(b).hex(),
        "signature_hex": sig.hex(),
        "receipt_hex": r.hex(),
        "text": text(r),
        "receipt_id_hex": receipt_id(r).hex(),
    }


def main():
    valid = [
        valid_case("Alice", None, 1_700_000_000, "qr"),
        valid_case("Bob Ünïcödé ✓", "@bob:example.org", 1_764_419_461, "sas"),
        valid_case("C", "+1 555 0100", 0, "number"),
        valid_case("x" * 256, "y" * 256, 2**63 - 1, "manual", SEED_3, SEED_1),
    ]
    pk1, pk2, pk3 = public(SEED_1), public(SEED_2), public(SEED_3)
    base = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr")
    good = base + sign(SEED_1, base)
    invalid = []

    def bad(desc, r, error, expected_signer=None):
        case = {"description": desc, "receipt_hex": r.hex(), "error": error}
        if expected_signer is not None:
            case["expected_signer_hex"] = expected_signer.hex()
        invalid.append(case)

    flipped = bytearray(good)
    flipped[76] ^= 0x01  # a bit of the contact name ("Alice" -> "Aluce")
    bad("one bit of the contact name flipped", bytes(flipped), "bad_signature")
    flipped = bytearray(good)
    flipped[-1] ^= 0x80
    bad("one bit of the signature flipped", bytes(flipped), "bad_signature")
    flipped = bytearray(good)
    flipped[-64 - 2] ^= 0x01  # a bit of the time
    bad("one bit of the time flipped", bytes(flipped), "bad_signature")
    swapped = good[:7] + pk3 + good[39:]
    bad("signer key replaced by another valid key (signature not redone)", swapped, "bad_signature")
    b3 = body(pk3, pk2, "Alice", None, 1_700_000_000, "qr")
    bad("valid receipt signed by another identity than expected", b3 + sign(SEED_3, b3),
        "wrong_signer", expected_signer=pk1)
    v2 = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr", version=2)
    bad("version 2, validly signed", v2 + sign(SEED_1, v2), "unsupported_version")
    v0 = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr", version=0)
    bad("version 0, validly signed", v0 + sign(SEED_1, v0), "unsupported_version")
    kt = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr", subject_type=0x02)
    bad("subject key type 0x02, validly signed", kt + sign(SEED_1, kt), "unsupported_key_type")
    kt = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr", signer_type=0x00)
    bad("signer key type 0x00, validly signed", kt + sign(SEED_1, kt), "unsupported_key_type")
    # s + L: the same signature with a non-canonical scalar; verify_strict must refuse it.
    sig = good[-64:]
    s = int.from_bytes(sig[32:], "little") + L
    bad("signature scalar S + L (non-canonical)", good[:-64] + sig[:32] + s.to_bytes(32, "little"),
        "bad_signature")
    small = bytes([1]) + bytes(31)  # the identity point: small order
    bad("signer key of small order", good[:7] + small + good[39:], "invalid_key")
    bad("truncated inside the signature", good[:-1], "truncated")
    bad("truncated inside the name", good[:77], "truncated")
    bad("one byte after the signature", good + b"\x00", "trailing_bytes")
    bad("wrong magic", b"VRCX" + good[4:], "not_a_receipt")
    m = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr")
    m = m[:-1] + bytes([9])
    bad("method code 9, validly signed", m + sign(SEED_1, m), "unknown_method")
    ctl = body(pk1, pk2, "A\x1b[2J", None, 1_700_000_000, "qr")
    bad("control character in the name, validly signed", ctl + sign(SEED_1, ctl), "invalid_label")
    empty = body(pk1, pk2, "", None, 1_700_000_000, "qr")
    bad("empty name, validly signed", empty + sign(SEED_1, empty), "invalid_label")
    big = body(pk1, pk2, "Alice", None, 2**63, "qr")
    bad("time 2^63, validly signed", big + sign(SEED_1, big), "time_out_of_range")

    out = {
        "provenance": "computed by tools/receipt_reference.py, an independent Python encoder "
                      "written from docs/receipts.md (Python 'cryptography' Ed25519 and 'blake3'); "
                      "keys from the fixed RFC 8032 section 7.1 test seeds 1-3",
        "format": "verifier receipt v1 (docs/receipts.md)",
        "signature_domain": LABEL.decode(),
        "id_domain": ID_CONTEXT,
        "valid": valid,
        "invalid": invalid,
    }
    path = os.path.join(ROOT, "tests", "vectors", "receipt_v1.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}: {len(valid)} valid, {len(invalid)} invalid")


if __name__ == "__main__":
    main()
