#!/usr/bin/env python3
"""Independent reference encoder of verification receipts, format versions 1
and 2, written from docs/receipts.md (not from the Rust code).

Generates tests/vectors/receipt_v1.json and tests/vectors/receipt_v2.json.
Needs: pip install blake3 cryptography.

    python3 tools/receipt_reference.py

Ed25519 signing is deterministic (RFC 8032), so running it again rewrites the
same files.
"""
import base64, json, os, struct

import blake3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

LABELS = {1: b"verifier/v1/receipt", 2: b"verifier/v2/receipt"}
ID_CONTEXTS = {1: "verifier/v1/receipt-id", 2: "verifier/v2/receipt-id"}
# Method names and codes. Version 1 has codes 1-4, version 2 codes 2-7.
METHODS = {"qr": 1, "sas": 2, "number": 3, "manual": 4, "qr-camera": 5, "qr-image": 6,
           "words": 7}
SCHEMES = {"full-key": 0, "qr-payload": 1, "sas": 2, "safety-number": 3,
           "signal-safety-number": 4}
ED25519 = 0x01
L = 2**252 + 27742317777372353535851937790883648493

# RFC 8032 section 7.1, tests 1-3: seeds.
SEED_1 = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
SEED_2 = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
SEED_3 = bytes.fromhex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7")

PROVENANCE = ("computed by tools/receipt_reference.py, an independent Python encoder "
              "written from docs/receipts.md (Python 'cryptography' Ed25519 and 'blake3'); "
              "keys from the fixed RFC 8032 section 7.1 test seeds 1-3")


def public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def label(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack(">H", len(b)) + b


def method_code(method):
    return METHODS[method] if isinstance(method, str) else method


def body(signer_pk, subject_pk, name, ident, t, method, version=1, signer_type=ED25519,
         subject_type=ED25519):
    """The version 1 body (also the common head of the version 2 body)."""
    out = b"VRCT" + bytes([version])
    out += bytes([signer_type, len(signer_pk)]) + signer_pk
    out += bytes([subject_type, len(subject_pk)]) + subject_pk
    out += label(name)
    out += label(ident) if ident is not None else struct.pack(">H", 0)
    out += struct.pack(">Q", t)
    out += bytes([method_code(method)])
    return out


def evidence(scheme, scheme_version, digest=None, extensions=()):
    """The version 2 evidence fields. `scheme` is a name or a raw code;
    `extensions` are (kind, value) pairs written in the order given."""
    code = SCHEMES[scheme] if isinstance(scheme, str) else scheme
    out = bytes([code, scheme_version])
    if digest is None:
        out += b"\x00"
    else:
        out += bytes([len(digest)]) + digest
    out += bytes([len(extensions)])
    for kind, value in extensions:
        out += struct.pack(">HH", kind, len(value)) + value
    return out


def body_v2(signer_pk, subject_pk, name, ident, t, method, ev, version=2):
    return body(signer_pk, subject_pk, name, ident, t, method, version=version) + ev


def message(b: bytes, version: int) -> bytes:
    lab = LABELS[version]
    return bytes([len(lab)]) + lab + b


def sign(seed: bytes, b: bytes, version: int = 1) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message(b, version))


def receipt_id(r: bytes, version: int) -> bytes:
    return blake3.blake3(r, derive_key_context=ID_CONTEXTS[version]).digest()


def text(r: bytes) -> str:
    return "verifier-receipt:" + base64.urlsafe_b64encode(r).decode().rstrip("=")


def digest_of(what: str) -> bytes:
    """An example digest: the evidence digest is opaque to the receipt format."""
    return blake3.blake3(what.encode()).digest()


def common_fields(signer_seed, subject_seed, name, ident, t, method, b, version):
    sig = sign(signer_seed, b, version)
    r = b + sig
    return {
        "signer_seed_hex": signer_seed.hex(),
        "signer_public_hex": public(signer_seed).hex(),
        "subject_public_hex": public(subject_seed).hex(),
        "contact_name": name,
        "contact_id": ident,
        "verified_at_unix": t,
        "method": method,
        "method_code": METHODS[method],
        "signed_message_hex": message(b, version).hex(),
        "signature_hex": sig.hex(),
        "receipt_hex": r.hex(),
        "text": text(r),
        "receipt_id_hex": receipt_id(r, version).hex(),
    }


def valid_case(name, ident, t, method, signer_seed=SEED_1, subject_seed=SEED_2):
    b = body(public(signer_seed), public(subject_seed), name, ident, t, method)
    case = common_fields(signer_seed, subject_seed, name, ident, t, method, b, 1)
    del case["method_code"]  # unchanged v1 vector layout
    return case


def valid_case_v2(name, ident, t, method, scheme, scheme_version, digest=None, extensions=(),
                  signer_seed=SEED_1, subject_seed=SEED_2):
    ev = evidence(scheme, scheme_version, digest, extensions)
    b = body_v2(public(signer_seed), public(subject_seed), name, ident, t, method, ev)
    case = common_fields(signer_seed, subject_seed, name, ident, t, method, b, 2)
    case["scheme"] = scheme
    case["scheme_code"] = SCHEMES[scheme]
    case["scheme_version"] = scheme_version
    case["digest_hex"] = digest.hex() if digest is not None else None
    case["extensions"] = [{"kind": k, "value_hex": v.hex()} for k, v in extensions]
    case["evidence_hex"] = ev.hex()
    return case


class Invalid:
    def __init__(self):
        self.cases = []

    def __call__(self, desc, r, error, expected_signer=None):
        case = {"description": desc, "receipt_hex": r.hex(), "error": error}
        if expected_signer is not None:
            case["expected_signer_hex"] = expected_signer.hex()
        self.cases.append(case)


def write(name, version, valid, invalid):
    out = {
        "provenance": PROVENANCE,
        "format": f"verifier receipt v{version} (docs/receipts.md)",
        "format_version": version,
        "signature_domain": LABELS[version].decode(),
        "id_domain": ID_CONTEXTS[version],
        "valid": valid,
        "invalid": invalid,
    }
    path = os.path.join(ROOT, "tests", "vectors", name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}: {len(valid)} valid, {len(invalid)} invalid")


def v1_vectors():
    valid = [
        valid_case("Alice", None, 1_700_000_000, "qr"),
        valid_case("Bob Ünïcödé ✓", "@bob:example.org", 1_764_419_461, "sas"),
        valid_case("C", "+1 555 0100", 0, "number"),
        valid_case("x" * 256, "y" * 256, 2**63 - 1, "manual", SEED_3, SEED_1),
    ]
    pk1, pk2, pk3 = public(SEED_1), public(SEED_2), public(SEED_3)
    base = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr")
    good = base + sign(SEED_1, base)
    bad = Invalid()

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
    # Version 2 is read now: its vectors are in receipt_v2.json.
    v3 = body(pk1, pk2, "Alice", None, 1_700_000_000, "qr", version=3)
    bad("version 3, validly signed", v3 + sign(SEED_1, v3), "unsupported_version")
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
    write("receipt_v1.json", 1, valid, bad.cases)


def v2_vectors():
    qr_digest = digest_of("example QR payload")
    sas_digest = digest_of("example SAS transcript")
    number_digest = digest_of("example safety number")
    valid = [
        valid_case_v2("Alice", None, 1_700_000_000, "qr-camera", "qr-payload", 1, qr_digest),
        valid_case_v2("Bob Ünïcödé ✓", "@bob:example.org", 1_764_419_461, "sas", "sas", 1,
                      sas_digest, [(1, b"\x00\x01 key-directory head")]),
        valid_case_v2("C", "+1 555 0100", 0, "number", "safety-number", 1),
        valid_case_v2("x" * 256, "y" * 256, 2**63 - 1, "manual", "full-key", 1, None,
                      [(k * 4097, bytes([k]) * 1024) for k in range(16)], SEED_3, SEED_1),
        valid_case_v2("Dana", None, 1_700_000_001, "qr-image", "qr-payload", 1, qr_digest),
        valid_case_v2("Eve", "eve@example.org", 1_700_000_002, "words", "safety-number", 1,
                      number_digest, [(0, b""), (0xffff, b"\xff")]),
        valid_case_v2("Frank", None, 1_700_000_003, "number", "signal-safety-number", 2,
                      digest_of("example Signal safety number")),
        valid_case_v2("Grace", "grace", 1_700_000_004, "sas", "sas", 0),
        valid_case_v2("Heidi", None, 1_700_000_005, "manual", "full-key", 255, bytes(32)),
    ]
    pk1, pk2, pk3 = public(SEED_1), public(SEED_2), public(SEED_3)
    T = 1_700_000_000
    ev = evidence("qr-payload", 1, qr_digest, [(3, b"ext")])
    base = body_v2(pk1, pk2, "Alice", None, T, "qr-camera", ev)
    good = base + sign(SEED_1, base, 2)
    head_len = len(base) - len(ev)  # offset of the scheme byte
    bad = Invalid()

    def signed2(b):
        return b + sign(SEED_1, b, 2)

    def with_ev(e, method="qr-camera", version=2):
        return signed2(body_v2(pk1, pk2, "Alice", None, T, method, e, version=version))

    # Altered receipts.
    for off, what in [(head_len + 1, "the scheme version"), (head_len + 3, "the digest"),
                      (len(base) - 1, "an extension value"), (head_len - 1, "the method")]:
        flipped = bytearray(good)
        flipped[off] ^= 0x02 if what == "the method" else 0x01
        # Method 5 ^ 2 = 7 (words): still a known method, so the signature decides.
        bad(f"one bit of {what} flipped", bytes(flipped), "bad_signature")
    flipped = bytearray(good)
    flipped[-1] ^= 0x80
    bad("one bit of the signature flipped", bytes(flipped), "bad_signature")
    sig = good[-64:]
    s = int.from_bytes(sig[32:], "little") + L
    bad("signature scalar S + L (non-canonical)", good[:-64] + sig[:32] + s.to_bytes(32, "little"),
        "bad_signature")
    b3 = body_v2(pk3, pk2, "Alice", None, T, "qr-camera", ev)
    bad("valid receipt signed by another identity than expected", b3 + sign(SEED_3, b3, 2),
        "wrong_signer", expected_signer=pk1)

    # Versions and labels: signatures cannot move between versions.
    bad("version 2 body signed with the version 1 label", base + sign(SEED_1, base, 1),
        "bad_signature")
    v1 = body(pk1, pk2, "Alice", None, T, "sas")
    bad("version 1 body signed with the version 2 label", v1 + sign(SEED_1, v1, 2),
        "bad_signature")
    v1_as_v2 = b"VRCT\x02" + v1[5:] + evidence("full-key", 1)
    bad("version 1 receipt rewritten as a well-formed version 2 body, signature kept",
        v1_as_v2 + sign(SEED_1, v1, 1), "bad_signature")
    plain = evidence("full-key", 1)
    v2m = body_v2(pk1, pk2, "Alice", None, T, "sas", plain)
    bad("version 2 receipt rewritten as a version 1 body (evidence dropped), signature kept",
        b"VRCT\x01" + v2m[5:-len(plain)] + sign(SEED_1, v2m, 2), "bad_signature")
    bad("version 2 receipt with method sas, version byte set to 1",
        b"VRCT\x01" + v2m[5:] + sign(SEED_1, v2m, 2), "trailing_bytes")
    bad("version 2 receipt with method qr-camera, version byte set to 1",
        b"VRCT\x01" + good[5:], "unknown_method")
    v1qr = body(pk1, pk2, "Alice", None, T, "qr", version=2)
    bad("version 1 layout with method qr (1) and version byte 2, validly signed for v1",
        v1qr + sign(SEED_1, v1qr, 1), "unknown_method")
    v3 = body_v2(pk1, pk2, "Alice", None, T, "qr-camera", ev, version=3)
    bad("version 3 (version 2 layout), validly signed", signed2(v3), "unsupported_version")
    v255 = body_v2(pk1, pk2, "Alice", None, T, "qr-camera", ev, version=255)
    bad("version 255, validly signed", signed2(v255), "unsupported_version")

    # Method codes per version.
    for code in [1, 0, 8, 255]:
        bad(f"version 2 method code {code}, validly signed", with_ev(plain, code), "unknown_method")
    for code in [5, 6, 7]:
        m1 = body(pk1, pk2, "Alice", None, T, code)
        bad(f"version 1 method code {code}, validly signed", m1 + sign(SEED_1, m1, 1),
            "unknown_method")

    # Evidence.
    for code in [5, 255]:
        bad(f"scheme code {code}, validly signed", with_ev(evidence(code, 1)), "unknown_scheme")
    for n in [1, 16, 31, 33, 64]:
        bad(f"digest length {n}, validly signed", with_ev(evidence("sas", 1, bytes(n))),
            "invalid_digest_length")
    bad("17 extensions, validly signed",
        with_ev(evidence("full-key", 1, None, [(k, b"") for k in range(17)])), "invalid_extension")
    bad("two extensions of the same kind, validly signed",
        with_ev(evidence("full-key", 1, None, [(4, b"a"), (4, b"b")])), "invalid_extension")
    bad("extension kinds decreasing, validly signed",
        with_ev(evidence("full-key", 1, None, [(5, b"a"), (4, b"b")])), "invalid_extension")
    bad("extension value of 1025 bytes, validly signed",
        with_ev(evidence("full-key", 1, None, [(1, bytes(1025))])), "invalid_extension")
    bad("extension count 255, validly signed",
        with_ev(evidence("full-key", 1) [:-1] + b"\xff"), "invalid_extension")

    # Cut and padded.
    bad("truncated inside the digest", good[:head_len + 3 + 10], "truncated")
    bad("truncated inside an extension value", good[:len(base) - 1], "truncated")
    bad("truncated before the extension count", good[:head_len + 3 + 32], "truncated")
    bad("truncated inside the signature", good[:-1], "truncated")
    bad("one byte after the signature", good + b"\x00", "trailing_bytes")
    big = body_v2(pk1, pk2, "Alice", None, 2**63, "qr-camera", plain)
    bad("time 2^63, validly signed", signed2(big), "time_out_of_range")
    ctl = body_v2(pk1, pk2, "A\x1b[2J", None, T, "qr-camera", plain)
    bad("control character in the name, validly signed", signed2(ctl), "invalid_label")
    write("receipt_v2.json", 2, valid, bad.cases)


def main():
    v1_vectors()
    v2_vectors()


if __name__ == "__main__":
    main()
