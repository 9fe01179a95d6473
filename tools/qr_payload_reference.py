#!/usr/bin/env python3
"""Independent reference for verifier's QR payload format v1, written from docs/qr-payloads.md
(not from the Rust code). Generates tests/vectors/qr_payloads.json.

Valid vectors: payload bytes built field by field from the spec's tables, the pairwise
fingerprint (BLAKE3 derive_key), and the smallest QR version at level Q for a byte-mode
segment (from the ISO/IEC 18004 Table 7 data-codeword counts). Invalid vectors: inputs crafted
to fail at exactly one step of the spec's decoder order (section 4), with the expected error.

Needs: pip install blake3.

    python3 tools/qr_payload_reference.py
"""
import json, os

import blake3

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "tests", "vectors", "qr_payloads.json")

MAGIC = b"VRFY"
VERSION = 1
MODES = {"identity": 1, "pairwise": 2, "session": 3}
F_KEY, F_NAME, F_SID, F_FP, F_JOIN = 1, 2, 3, 4, 5
ED25519 = 1
DOMAIN = "verifier/v1/qr-pairwise-fingerprint"

# RFC 8032 section 7.1, tests 1-3: public keys (valid Ed25519 points).
KEYS = [
    bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
    bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
    bytes.fromhex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"),
]

# ISO/IEC 18004 Table 7: data codewords at error-correction level Q, versions 1-13.
Q_DATA_CODEWORDS = [13, 22, 34, 48, 62, 76, 88, 110, 132, 154, 180, 206, 244]


def q_version(n_bytes):
    """Smallest version whose byte-mode segment (4-bit mode, 8/16-bit count) holds n bytes."""
    for v, cw in enumerate(Q_DATA_CODEWORDS, start=1):
        count_bits = 8 if v <= 9 else 16
        if 4 + count_bits + 8 * n_bytes <= 8 * cw:
            return v
    raise ValueError("payload too long for this table")


def fingerprint(key):
    material = bytes([ED25519, len(key)]) + key
    return blake3.blake3(material, derive_key_context=DOMAIN).digest()


def field(code, value):
    assert len(value) < 256
    return bytes([code, len(value)]) + value


def payload(mode, fields, count=None, version=VERSION):
    body = b"".join(fields)
    return MAGIC + bytes([version, MODES[mode] if isinstance(mode, str) else mode,
                          len(fields) if count is None else count]) + body


def key_field(key, key_type=ED25519):
    return field(F_KEY, bytes([key_type]) + key)


def valid_vectors():
    out = []

    def add(name, mode, fields, **desc):
        p = payload(mode, fields)
        out.append(dict(name=name, mode=mode, **desc, payload_hex=p.hex(), qr_version_q=q_version(len(p))))

    k1, k2, k3 = KEYS
    add("identity, key only", "identity", [key_field(k1)], key_hex=k1.hex())
    add("identity, name and stable id", "identity",
        [key_field(k2), field(F_NAME, "Alice".encode()), field(F_SID, "@alice:example.org".encode())],
        key_hex=k2.hex(), display_name="Alice", stable_id="@alice:example.org")
    name64 = "Zoë Ångström-Ñuñez 👩‍🔬 " * 2
    name64 = name64.encode()[:64].decode("utf-8", "ignore")
    add("identity, non-ASCII name", "identity", [key_field(k3), field(F_NAME, name64.encode())],
        key_hex=k3.hex(), display_name=name64)
    add("pairwise, key and fingerprint", "pairwise", [key_field(k1), field(F_FP, fingerprint(k2))],
        key_hex=k1.hex(), peer_key_hex=k2.hex())
    sid = "b" * 64
    add("pairwise, all fields", "pairwise",
        [key_field(k2), field(F_NAME, "Bob".encode()), field(F_SID, sid.encode()), field(F_FP, fingerprint(k3))],
        key_hex=k2.hex(), display_name="Bob", stable_id=sid, peer_key_hex=k3.hex())
    add("session, 1 byte", "session", [field(F_JOIN, b"\x00")], join_code_hex="00")
    jc = bytes(range(0xc0, 0x100))
    add("session, 64 bytes", "session", [field(F_JOIN, jc)], join_code_hex=jc.hex())
    return out


def invalid_vectors():
    k1, k2, _ = KEYS
    kf = key_field(k1)
    fpf = field(F_FP, fingerprint(k2))
    v = []

    def add(name, data, kind, **fields):
        v.append(dict(name=name, payload_hex=data.hex(), error=dict(kind=kind, **fields)))

    ident = payload("identity", [kf])
    add("empty", b"", "not_ours")
    add("Matrix QR prefix", b"MATRIX\x02\x00", "not_ours")
    add("magic cut short", b"VRF", "not_ours")
    add("lower-case magic", b"vrfy" + ident[4:], "not_ours")
    add("version 2", payload("identity", [kf], version=2), "unknown_version", version=2)
    add("version 0", payload("identity", [kf], version=0), "unknown_version", version=0)
    add("mode 4", payload(4, [kf]), "unknown_mode", mode=4)
    add("mode 0", payload(0, []), "unknown_mode", mode=0)
    add("magic only", MAGIC, "truncated", offset=4, needed=1, available=0)
    add("no field count", MAGIC + b"\x01\x01", "truncated", offset=6, needed=1, available=0)
    add("key value cut", ident[:30], "truncated", offset=9, needed=33, available=21)
    add("count larger than fields", payload("identity", [kf], count=2), "truncated", offset=42, needed=1, available=0)
    add("trailing zero", ident + b"\x00", "trailing_bytes", count=1)
    add("count smaller than fields", payload("identity", [kf, field(F_NAME, b"A")], count=1), "trailing_bytes", count=3)
    add("unknown field 6", payload("identity", [kf, field(6, b"\x00")]), "unknown_field", code=6)
    add("unknown field 0", payload("identity", [field(0, b"")]), "unknown_field", code=0)
    add("key twice", payload("identity", [kf, key_field(k2)]), "duplicate_field", field="key")
    add("name before key", payload("identity", [field(F_NAME, b"A"), kf]), "field_out_of_order", field="key", after="display_name")
    add("fingerprint in identity", payload("identity", [kf, fpf]), "field_not_allowed", field="peer_fingerprint", mode="identity")
    add("key in session", payload("session", [kf]), "field_not_allowed", field="key", mode="session")
    add("join code in pairwise", payload("pairwise", [field(F_JOIN, b"\x01")]), "field_not_allowed", field="join_code", mode="pairwise")
    add("identity without key", payload("identity", []), "missing_field", field="key", mode="identity")
    add("pairwise without fingerprint", payload("pairwise", [kf]), "missing_field", field="peer_fingerprint", mode="pairwise")
    add("pairwise without key", payload("pairwise", [fpf]), "missing_field", field="key", mode="pairwise")
    add("session without join code", payload("session", []), "missing_field", field="join_code", mode="session")
    add("join code 65 bytes", payload("session", [field(F_JOIN, bytes(65))]), "oversized_field", field="join_code", len=65, max=64)
    add("key length 255, no value", MAGIC + bytes([1, 1, 1, F_KEY, 255]), "oversized_field", field="key", len=255, max=33)
    add("name 65 bytes", payload("identity", [kf, field(F_NAME, b"a" * 65)]), "oversized_field", field="display_name", len=65, max=64)
    add("fingerprint 31 bytes", payload("pairwise", [kf, field(F_FP, bytes(31))]), "undersized_field", field="peer_fingerprint", len=31, min=32)
    add("empty stable id", payload("identity", [kf, field(F_SID, b"")]), "undersized_field", field="stable_id", len=0, min=1)
    add("empty join code", payload("session", [field(F_JOIN, b"")]), "undersized_field", field="join_code", len=0, min=1)
    add("key field of 1 byte", payload("identity", [field(F_KEY, b"\x01")]), "undersized_field", field="key", len=1, min=2)
    add("key type 2", payload("identity", [key_field(k1, key_type=2)]), "bad_key_type", code=2)
    add("key type 0", payload("identity", [key_field(k1, key_type=0)]), "bad_key_type", code=0)
    add("ed25519 key of 16 bytes", payload("identity", [field(F_KEY, b"\x01" + k1[:16])]), "key_length", key_type="ed25519", len=16, expected=32)
    add("identity point", payload("identity", [key_field(b"\x01" + bytes(31))]), "invalid_point", key_type="ed25519")
    add("all-zero key (order 4)", payload("identity", [key_field(bytes(32))]), "invalid_point", key_type="ed25519")
    add("y = 2, not on the curve", payload("identity", [key_field(b"\x02" + bytes(31))]), "invalid_point", key_type="ed25519")
    add("y = p + 1, non-canonical", payload("identity", [key_field(b"\xee" + b"\xff" * 30 + b"\x7f")]), "invalid_point", key_type="ed25519")
    add("name not UTF-8", payload("identity", [kf, field(F_NAME, b"\xc3\x28")]), "invalid_text", field="display_name")
    add("stable id with ESC", payload("identity", [kf, field(F_SID, b"a\x1bb")]), "forbidden_character", field="stable_id", ch="\u001b")
    add("name with NEL (C1)", payload("identity", [kf, field(F_NAME, "a\u0085b".encode())]), "forbidden_character", field="display_name", ch="\u0085")
    return v


def main():
    doc = {
        "provenance": "computed by tools/qr_payload_reference.py (independent Python implementation of "
                      "docs/qr-payloads.md, Python blake3 package; QR versions from ISO/IEC 18004 Table 7 "
                      "data-codeword counts at level Q); keys are RFC 8032 section 7.1 test vectors 1-3",
        "fingerprint_domain": DOMAIN,
        "fingerprints": [dict(key_type="ed25519", key_hex=k.hex(), fingerprint_hex=fingerprint(k).hex()) for k in KEYS],
        "valid": valid_vectors(),
        "invalid": invalid_vectors(),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {OUT}: {len(doc['valid'])} valid, {len(doc['invalid'])} invalid")


if __name__ == "__main__":
    main()
