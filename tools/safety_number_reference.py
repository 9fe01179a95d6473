#!/usr/bin/env python3
"""Independent reference implementation of verifier's key text form and safety-number
scheme v1, written from docs/keys.md and docs/safety-numbers.md (not from the Rust code).

Generates tests/vectors/keys.json and tests/vectors/safety_numbers.json.
Needs: pip install blake3. BIP39 English list: verifier-core/wordlists/bip39/english.txt (or give a path).

    python3 tools/safety_number_reference.py [path/to/english.txt]
"""
import base64, json, os, random, struct, sys

import blake3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 20261129

# RFC 8032 section 7.1, tests 1-3 (seed, public key)
RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"),
]


def canonical(key: bytes) -> str:
    body = base64.b32encode(key).decode().rstrip("=").lower()
    digest = blake3.blake3(bytes([0x01]) + key, derive_key_context="verifier/v1/key-text-checksum").digest()
    check = base64.b32encode(digest[:4]).decode().rstrip("=").lower()[:6]
    return f"vk1-ed25519-{body}-{check}"


def lp(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def side_input(key: bytes, ident):
    out = bytes([1]) + lp(b"ed25519") + lp(key)
    out += b"\x00" if ident is None else b"\x01" + lp(ident)
    return out


def side(key: bytes, ident, n=1 << 14) -> bytes:
    d = blake3.blake3(side_input(key, ident), derive_key_context="verifier/v1/safety-number/side").digest()
    sk = blake3.blake3(d, derive_key_context="verifier/v1/safety-number/stretch").digest()
    h = d
    for i in range(1, n):
        h = blake3.blake3(h + struct.pack(">I", i), key=sk).digest()
    return h


def groups(b: bytes):
    return ["%05d" % (int.from_bytes(b[i:i + 5], "big") % 100000) for i in range(0, len(b) - 4, 5)]


def indices(b: bytes, bits: int, count: int):
    v = int.from_bytes(b, "big")
    total = len(b) * 8
    return [(v >> (total - bits * (k + 1))) & ((1 << bits) - 1) for k in range(count)]


def main():
    wl_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "verifier-core", "wordlists", "bip39", "english.txt")
    english = open(wl_path, encoding="utf-8").read().split()
    assert len(english) == 2048
    rng = random.Random(SEED)
    provenance = ("computed by tools/safety_number_reference.py (independent Python implementation from "
                  "docs/keys.md + docs/safety-numbers.md, Python blake3 package), seed %d; public keys are "
                  "RFC 8032 section 7.1 test vectors 1-3" % SEED)

    keys = []
    for seed, pk in RFC8032:
        k = bytes.fromhex(pk)
        ssh_blob = lp(b"ssh-ed25519") + lp(k)
        keys.append({"seed_hex": seed, "public_hex": pk, "canonical": canonical(k),
                     "openssh": "ssh-ed25519 " + base64.b64encode(ssh_blob).decode(),
                     "base64": base64.b64encode(k).decode(),
                     # docs/keys.md "Identity (secret key) file": the text form of the identity
                     "identity_text": "verifier-identity v1\ntype: ed25519\nsecret: %s\npublic: %s\n"
                                      % (base64.b64encode(bytes.fromhex(seed)).decode(), canonical(k))})
    json.dump({"provenance": provenance, "keys": keys}, open(os.path.join(ROOT, "tests/vectors/keys.json"), "w"), indent=1)

    cases = []
    pks = [bytes.fromhex(pk) for _, pk in RFC8032]
    combos = [(0, None, 1, None), (1, None, 0, None), (0, b"alice", 1, b"bob"), (0, b"", 1, None),
              (2, bytes(rng.randrange(256) for _ in range(17)), 0, "\u00e9t\u00e9".encode()), (0, None, 0, None)]
    for a, ida, b, idb in combos:
        sa, sb = side(pks[a], ida), side(pks[b], idb)
        lo, hi = sorted([sa, sb])
        g = groups(lo[:30]) + groups(hi[:30])
        bip = indices(lo, 11, 9) + indices(hi, 11, 9)
        pgp = lo[:13] + hi[:13]
        cases.append({
            "ours_key_hex": pks[a].hex(), "ours_id_hex": None if ida is None else ida.hex(),
            "theirs_key_hex": pks[b].hex(), "theirs_id_hex": None if idb is None else idb.hex(),
            "ours_side_hex": sa.hex(), "theirs_side_hex": sb.hex(),
            "digits": "".join(g), "groups": g, "bip39_indices": bip,
            "bip39_english": [english[i] for i in bip], "pgp_bytes_hex": pgp.hex(),
        })
    fps = []
    for pk in pks:
        s = side(pk, None)
        fps.append({"key_hex": pk.hex(), "side_hex": s.hex(), "groups": groups(s[:30]),
                    "bip39_indices": indices(s, 11, 9), "emoji_indices": indices(s, 6, 17),
                    "pgp_bytes_hex": s[:13].hex()})
    json.dump({"provenance": provenance, "scheme": "verifier safety number v1", "iterations": 1 << 14,
               "pairs": cases, "fingerprints": fps},
              open(os.path.join(ROOT, "tests/vectors/safety_numbers.json"), "w"), indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
