#!/usr/bin/env python3
"""Independent reference encoder of identity rotations v1 and rotation chains,
written from docs/identity-rotation.md (not from the Rust code).

Generates tests/vectors/identity_rotation.json. Needs: pip install cryptography.

    python3 tools/rotation_reference.py
"""
import base64, json, os, struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

LABEL = b"verifier/v1/identity-rotation"
RECEIPT_LABEL = b"verifier/v1/receipt"
PREFIX = "verifier-rotation:"
ED25519 = 0x01
L = 2**252 + 27742317777372353535851937790883648493

# RFC 8032 section 7.1, tests 1-3: seeds; a fourth fixed seed for longer chains.
SEED_1 = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
SEED_2 = bytes.fromhex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
SEED_3 = bytes.fromhex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7")
SEED_4 = bytes(range(32))
SEEDS = [SEED_1, SEED_2, SEED_3, SEED_4]

T1 = 1_700_000_000
T2 = 1_764_419_461


def public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def body(old_pk, new_pk, t, version=1, old_type=ED25519, new_type=ED25519, old_len=None,
         new_len=None):
    out = b"VROT" + bytes([version])
    out += bytes([old_type, len(old_pk) if old_len is None else old_len]) + old_pk
    out += bytes([new_type, len(new_pk) if new_len is None else new_len]) + new_pk
    out += struct.pack(">Q", t)
    return out


def message(b: bytes, label=LABEL) -> bytes:
    return bytes([len(label)]) + label + b


def sign(seed: bytes, b: bytes, label=LABEL) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message(b, label))


def rotation(old_seed, new_seed, t, **kw) -> bytes:
    b = body(public(old_seed), public(new_seed), t, **kw)
    return b + sign(old_seed, b) + sign(new_seed, b)


def text(r: bytes) -> str:
    return PREFIX + base64.urlsafe_b64encode(r).decode().rstrip("=")


def scalar_plus_l(sig: bytes) -> bytes:
    s = int.from_bytes(sig[32:], "little") + L
    return sig[:32] + s.to_bytes(32, "little")


def valid_case(old_seed, new_seed, t):
    b = body(public(old_seed), public(new_seed), t)
    sig_old, sig_new = sign(old_seed, b), sign(new_seed, b)
    r = b + sig_old + sig_new
    return {
        "old_seed_hex": old_seed.hex(),
        "old_public_hex": public(old_seed).hex(),
        "new_seed_hex": new_seed.hex(),
        "new_public_hex": public(new_seed).hex(),
        "at_unix": t,
        "signed_message_hex": message(b).hex(),
        "old_signature_hex": sig_old.hex(),
        "new_signature_hex": sig_new.hex(),
        "rotation_hex": r.hex(),
        "text": text(r),
    }


def invalid_cases():
    pk1, pk2, pk3 = public(SEED_1), public(SEED_2), public(SEED_3)
    b12 = body(pk1, pk2, T1)
    good = b12 + sign(SEED_1, b12) + sign(SEED_2, b12)
    old_sig, new_sig = good[81:145], good[145:209]
    cases = []

    def bad(desc, r, error, role=None):
        case = {"description": desc, "rotation_hex": r.hex(), "error": error}
        if role is not None:
            case["role"] = role
        cases.append(case)

    # Who signed what.
    b13 = body(pk1, pk3, T1)
    bad("successor claimed without the old key's signature: new key 3, old signature copied "
        "from the genuine rotation 1 -> 2", b13 + old_sig + sign(SEED_3, b13),
        "bad_signature", "old")
    bad("forged by the new key alone: key 3 signs both places of 1 -> 3",
        b13 + sign(SEED_3, b13) + sign(SEED_3, b13), "bad_signature", "old")
    bad("old signature all zeros", b12 + bytes(64) + new_sig, "bad_signature", "old")
    bad("someone else's key named as successor: key 1 signs both places of 1 -> 2",
        b12 + sign(SEED_1, b12) + sign(SEED_1, b12), "bad_signature", "new")
    bad("new signature all zeros", b12 + old_sig + bytes(64), "bad_signature", "new")
    bad("signatures swapped", b12 + new_sig + old_sig, "bad_signature", "old")
    bad("new key replaced by another valid key (signatures not redone)",
        good[:41] + pk3 + good[73:], "bad_signature", "old")
    rev = good[:7] + pk2 + good[39:41] + pk1 + good[73:]
    bad("old and new keys swapped (signatures not redone)", rev, "bad_signature", "old")
    flipped = bytearray(good)
    flipped[80] ^= 0x01
    bad("one bit of the time flipped", bytes(flipped), "bad_signature", "old")
    flipped = bytearray(good)
    flipped[144] ^= 0x80
    bad("one bit of the old signature flipped", bytes(flipped), "bad_signature", "old")
    flipped = bytearray(good)
    flipped[-1] ^= 0x01
    bad("one bit of the new signature flipped", bytes(flipped), "bad_signature", "new")
    bad("old signature scalar S + L (non-canonical)", b12 + scalar_plus_l(old_sig) + new_sig,
        "bad_signature", "old")
    bad("new signature scalar S + L (non-canonical)", b12 + old_sig + scalar_plus_l(new_sig),
        "bad_signature", "new")
    bad("both signatures under the receipt domain label instead of the rotation label",
        b12 + sign(SEED_1, b12, RECEIPT_LABEL) + sign(SEED_2, b12, RECEIPT_LABEL),
        "bad_signature", "old")
    b_unlabelled = b12
    bad("both signatures over the body without the domain label",
        b12 + Ed25519PrivateKey.from_private_bytes(SEED_1).sign(b_unlabelled)
        + Ed25519PrivateKey.from_private_bytes(SEED_2).sign(b_unlabelled),
        "bad_signature", "old")

    # Structure, each validly signed by both where it can be.
    bad("version 2, validly signed", rotation(SEED_1, SEED_2, T1, version=2),
        "unsupported_version")
    bad("version 0, validly signed", rotation(SEED_1, SEED_2, T1, version=0),
        "unsupported_version")
    bad("old key type 0x02, validly signed", rotation(SEED_1, SEED_2, T1, old_type=0x02),
        "unsupported_key_type", "old")
    bad("new key type 0x00, validly signed", rotation(SEED_1, SEED_2, T1, new_type=0x00),
        "unsupported_key_type", "new")
    bad("old key length 31", rotation(SEED_1, SEED_2, T1, old_len=31), "invalid_key_length",
        "old")
    bad("new key length 33", rotation(SEED_1, SEED_2, T1, new_len=33), "invalid_key_length",
        "new")
    small = bytes([1]) + bytes(31)  # the identity point: small order
    bad("old key of small order", good[:7] + small + good[39:], "invalid_key", "old")
    not_on_curve = bytes([2]) + bytes(31)  # y = 2
    bad("new key not on the curve", good[:41] + not_on_curve + good[73:], "invalid_key", "new")
    non_canonical = b"\xee" + b"\xff" * 30 + b"\x7f"  # y = p + 1
    bad("new key non-canonical (y = p + 1)", good[:41] + non_canonical + good[73:],
        "invalid_key", "new")
    same = body(pk1, pk1, T1)
    bad("old key = new key, validly signed twice", same + sign(SEED_1, same) + sign(SEED_1, same),
        "same_key")
    bad("time 2^63, validly signed", rotation(SEED_1, SEED_2, 2**63), "time_out_of_range")
    bad("time 2^64 - 1, validly signed", rotation(SEED_1, SEED_2, 2**64 - 1),
        "time_out_of_range")
    bad("empty input", b"", "truncated")
    bad("truncated inside the magic", b"VRO", "truncated")
    bad("truncated after the version", good[:5], "truncated")
    bad("truncated inside the old key", good[:20], "truncated")
    bad("truncated inside the new key", good[:72], "truncated")
    bad("truncated inside the time", good[:80], "truncated")
    bad("truncated after the body (no signatures)", good[:81], "truncated")
    bad("truncated inside the old signature", good[:100], "truncated")
    bad("truncated inside the new signature", good[:-1], "truncated")
    bad("one byte after the new signature", good + b"\x00", "trailing_bytes")
    bad("a third signature appended", good + old_sig, "trailing_bytes")
    bad("wrong magic", b"VROX" + good[4:], "not_a_rotation")
    bad("receipt magic", b"VRCT" + good[4:], "not_a_rotation")
    return good, cases


def text_cases(good: bytes):
    t = text(good)
    cases = []

    def bad(desc, s, from_text_error, decode_error):
        cases.append({"description": desc, "text": s, "from_text_error": from_text_error,
                      "decode_error": decode_error})

    bad("prefix in capitals", "Verifier-rotation:" + t[len(PREFIX):], "invalid_text",
        "not_a_rotation")
    bad("receipt prefix", "verifier-receipt:" + t[len(PREFIX):], "invalid_text",
        "not_a_rotation")
    bad("no prefix", t[len(PREFIX):], "invalid_text", "not_a_rotation")
    bad("padded base64", t + "=", "invalid_text", "invalid_text")
    bad("standard base64 alphabet character", t[:-3] + "+" + t[-2:], "invalid_text",
        "invalid_text")
    bad("space after the prefix", PREFIX + " " + t[len(PREFIX):], "invalid_text",
        "invalid_text")
    bad("two extra characters (length 1 mod 4)", t + "AA", "invalid_text", "invalid_text")
    bad("valid text, one bit of the time flipped",
        text(good[:80] + bytes([good[80] ^ 1]) + good[81:]), "bad_signature", "bad_signature")
    bad("empty", "", "invalid_text", "not_a_rotation")
    return cases


def chain_cases():
    pk = [public(s) for s in SEEDS]
    r = {}
    for (a, b, t) in [(0, 1, T1), (1, 2, T2), (2, 3, T2 + 86_400), (2, 0, T2 + 1), (1, 0, T2),
                      (2, 1, T2)]:
        r[(a, b)] = text(rotation(SEEDS[a], SEEDS[b], t))
    tampered = rotation(SEEDS[1], SEEDS[2], T2)
    tampered = text(tampered[:80] + bytes([tampered[80] ^ 1]) + tampered[81:])
    header = "# verifier identity rotations, oldest first (docs/identity-rotation.md)\n"
    cases = []

    def ok(desc, lines, current, previous):
        cases.append({"description": desc, "text": "".join(lines), "current_hex": pk[current].hex(),
                      "previous_hex": [pk[i].hex() for i in previous]})

    def bad(desc, lines, current, error, **fields):
        case = {"description": desc, "text": "".join(lines), "current_hex": pk[current].hex(),
                "error": error}
        case.update(fields)
        cases.append(case)

    ok("empty file: the current identity was never rotated", [], 0, [])
    ok("only comments and blank lines", [header, "\n", "   \n", "  # more\n"], 2, [])
    ok("one rotation 1 -> 2", [r[(0, 1)] + "\n"], 1, [0])
    ok("1 -> 2 -> 3 with header, blank line, indentation and CRLF",
       [header, r[(0, 1)] + "\r\n", "\n", "  " + r[(1, 2)] + "  \n"], 2, [0, 1])
    ok("1 -> 2 -> 3 -> 4, no final newline",
       [r[(0, 1)] + "\n", r[(1, 2)] + "\n", r[(2, 3)]], 3, [0, 1, 2])
    bad("chain ends at 2, current is 3 (identity replaced without a rotation)",
        [r[(0, 1)] + "\n"], 2, "chain_does_not_end_at_current")
    bad("someone else's chain 2 -> 3 for current 1", [r[(1, 2)] + "\n"], 0,
        "chain_does_not_end_at_current")
    bad("wrong order: 2 -> 3 before 1 -> 2", [r[(1, 2)] + "\n", r[(0, 1)] + "\n"], 1,
        "chain_broken", index=1)
    bad("gap: 1 -> 2 then 3 -> 4", [r[(0, 1)] + "\n", r[(2, 3)] + "\n"], 3, "chain_broken",
        index=1)
    bad("rotation repeated: 1 -> 2 twice", [r[(0, 1)] + "\n", r[(0, 1)] + "\n"], 1,
        "chain_broken", index=1)
    bad("cycle back to the first key: 1 -> 2 -> 3 -> 1", [r[(0, 1)] + "\n", r[(1, 2)] + "\n",
        r[(2, 0)] + "\n"], 0, "chain_cycle", index=2)
    bad("cycle back to a middle key: 1 -> 2 -> 3 -> 2", [r[(0, 1)] + "\n", r[(1, 2)] + "\n",
        r[(2, 1)] + "\n"], 1, "chain_cycle", index=2)
    bad("two-key cycle: 1 -> 2 -> 1", [r[(0, 1)] + "\n", r[(1, 0)] + "\n"], 0, "chain_cycle",
        index=1)
    bad("tampered rotation on line 3", [header, r[(0, 1)] + "\n", tampered + "\n"], 2,
        "invalid_chain_line", line=3, line_error="bad_signature")
    bad("a receipt line on line 2", [r[(0, 1)] + "\n", "verifier-receipt:AAAA\n"], 1,
        "invalid_chain_line", line=2, line_error="invalid_text")
    bad("an inline comment after a rotation", [r[(0, 1)] + " # first rotation\n"], 1,
        "invalid_chain_line", line=1, line_error="invalid_text")
    return cases


def main():
    valid = [
        valid_case(SEED_1, SEED_2, T1),
        valid_case(SEED_2, SEED_3, T2),
        valid_case(SEED_3, SEED_1, 0),
        valid_case(SEED_4, SEED_3, 2**63 - 1),
    ]
    good, invalid = invalid_cases()
    out = {
        "provenance": "computed by tools/rotation_reference.py, an independent Python encoder "
                      "written from docs/identity-rotation.md (Python 'cryptography' Ed25519); "
                      "keys from the fixed RFC 8032 section 7.1 test seeds 1-3 and the seed "
                      "00 01 .. 1f",
        "format": "verifier identity rotation v1 (docs/identity-rotation.md)",
        "signature_domain": LABEL.decode(),
        "text_prefix": PREFIX,
        "valid": valid,
        "invalid": invalid,
        "invalid_text": text_cases(good),
        "chains": chain_cases(),
    }
    path = os.path.join(ROOT, "tests", "vectors", "identity_rotation.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}: {len(valid)} valid, {len(invalid)} invalid, "
          f"{len(out['invalid_text'])} invalid texts, {len(out['chains'])} chains")


if __name__ == "__main__":
    main()
