#!/usr/bin/env python3
"""Independent reference implementation of Signal's numeric fingerprint ("safety number").

Written from the algorithm description (libsignal's scheme as summarised with the shared
reference vectors; the same text is in docs/signal-compat.md, sections "Algorithm" and
"Scannable code: byte layout"), using only Python's standard library (hashlib), before and
NOT from the Rust code in verifier-core/src/signal/. It serves two purposes:

1. Self-check: before writing anything it recomputes every upstream/derived vector in
   tests/vectors/signal_vectors.json that has keys and identifiers, and stops with an
   error if any display string or scannable encoding differs.
2. Generation: it writes tests/vectors/signal_random.json, random cases (random keys,
   random-length identifiers incl. empty and non-UTF-8, versions 1 and 2, iteration
   counts incl. small ones) that the Rust harness (tests/harness/signal.rs) checks the
   Rust implementation against.

Usage:
    python3 tools/signal_reference.py [--seed N] [--count N] [--out PATH]

The output is deterministic for a given seed (random.Random(seed), never the OS RNG).
"""

import argparse
import hashlib
import json
import os
import random
import sys

DEFAULT_SEED = 20261129
DEFAULT_COUNT = 64
KEY_TYPE_DJB = 0x05


# --- algorithm -----------------------------------------------------------------------


def party_hash(iterations: int, identifier: bytes, key: bytes) -> bytes:
    """SHA-512(0x0000 || key || id || key), then SHA-512(prev || key); `iterations` hashes."""
    if iterations < 1:
        raise ValueError("iterations must be >= 1")
    if len(key) != 33 or key[0] != KEY_TYPE_DJB:
        raise ValueError("key must be 33 bytes starting with 0x05")
    h = hashlib.sha512(b"\x00\x00" + key + identifier + key).digest()
    for _ in range(iterations - 1):
        h = hashlib.sha512(h + key).digest()
    return h


def thirty_digits(h: bytes) -> str:
    """First 30 bytes as six 5-byte big-endian integers, each mod 100000, 5 digits each."""
    out = []
    for i in range(6):
        chunk = h[5 * i : 5 * i + 5]
        out.append("%05d" % (int.from_bytes(chunk, "big") % 100000))
    return "".join(out)


def display(local_digits: str, remote_digits: str) -> str:
    lo, hi = sorted([local_digits, remote_digits])
    return lo + hi


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def length_delimited(field: int, payload: bytes) -> bytes:
    return varint((field << 3) | 2) + varint(len(payload)) + payload


def scannable(version: int, local_h: bytes, remote_h: bytes) -> bytes:
    """CombinedFingerprints{1: version, 2: LogicalFingerprint{1: local}, 3: {1: remote}}."""
    logical_local = length_delimited(1, local_h[:32])
    logical_remote = length_delimited(1, remote_h[:32])
    return (
        varint((1 << 3) | 0)
        + varint(version)
        + length_delimited(2, logical_local)
        + length_delimited(3, logical_remote)
    )


def compute(version, iterations, local_id, local_key, remote_id, remote_key):
    lh = party_hash(iterations, local_id, local_key)
    rh = party_hash(iterations, remote_id, remote_key)
    ld, rd = thirty_digits(lh), thirty_digits(rh)
    return {
        "local_hash": lh,
        "remote_hash": rh,
        "local_digits": ld,
        "remote_digits": rd,
        "display": display(ld, rd),
        "scannable": scannable(version, lh, rh),
    }


# --- self-check against the copied reference vectors ----------------------------------


def id_bytes(vec, side):
    if vec.get(side + "_id_hex") is not None:
        return bytes.fromhex(vec[side + "_id_hex"])
    return vec[side + "_id"].encode("utf-8")


def self_check(path):
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    checked = 0
    for v in vectors:
        if "local_key_hex" not in v or v.get("iterations") is None:
            continue
        lk, rk = bytes.fromhex(v["local_key_hex"]), bytes.fromhex(v["remote_key_hex"])
        li, ri = id_bytes(v, "local"), id_bytes(v, "remote")
        mine = compute(v["version"], v["iterations"], li, lk, ri, rk)
        theirs = compute(v["version"], v["iterations"], ri, rk, li, lk)
        if mine["display"] != v["expected_local_display"]:
            sys.exit("self-check failed (local display): " + v["id"])
        if theirs["display"] != v["expected_remote_display"]:
            sys.exit("self-check failed (remote display): " + v["id"])
        # The 2016 format (version 0) carried keys and identifiers, not hashes.
        if v["version"] in (1, 2) and mine["scannable"].hex() != v["expected_scannable_hex"]:
            sys.exit("self-check failed (scannable): " + v["id"])
        checked += 1
    for v in vectors:
        if v["id"] == "upstream-encoding-kat-v2":
            enc = scannable(
                v["version"],
                bytes.fromhex(v["local_fingerprint_hex"]),
                bytes.fromhex(v["remote_fingerprint_hex"]),
            )
            if enc.hex() != v["expected_scannable_hex"]:
                sys.exit("self-check failed (encoding KAT)")
            checked += 1
    if checked < 10:
        sys.exit("self-check covered only %d vectors" % checked)
    return checked


# --- random case generation -----------------------------------------------------------


def random_identifier(rng: random.Random, kind: str) -> bytes:
    if kind == "empty":
        return b""
    if kind == "e164":
        return ("+1" + "".join(rng.choice("0123456789") for _ in range(10))).encode()
    if kind == "uuid":
        return bytes(rng.getrandbits(8) for _ in range(16))
    if kind == "non_utf8":
        # 0xff never occurs in UTF-8; put it somewhere in a random byte string.
        n = rng.randint(1, 40)
        b = bytearray(rng.getrandbits(8) for _ in range(n))
        b[rng.randrange(n)] = 0xFF
        return bytes(b)
    if kind == "long":
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(100, 300)))
    if kind == "utf8_text":
        return "".join(rng.choice("aäß€😀b ") for _ in range(rng.randint(1, 12))).encode()
    # "random": any length 0..64, any bytes
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))


ID_KINDS = ["empty", "e164", "uuid", "non_utf8", "long", "utf8_text", "random"]
ITERATIONS = [2, 3, 4, 5, 7, 16, 100, 1024, 5200]


def generate(seed: int, count: int):
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        version = 1 + (i % 2)
        iterations = ITERATIONS[i % len(ITERATIONS)] if i < 2 * len(ITERATIONS) else rng.choice(
            ITERATIONS + [rng.randint(2, 64)]
        )
        local_key = bytes([KEY_TYPE_DJB]) + bytes(rng.getrandbits(8) for _ in range(32))
        remote_key = bytes([KEY_TYPE_DJB]) + bytes(rng.getrandbits(8) for _ in range(32))
        if i < len(ID_KINDS):
            lkind = ID_KINDS[i]
            rkind = ID_KINDS[(i + 3) % len(ID_KINDS)]
        else:
            lkind, rkind = rng.choice(ID_KINDS), rng.choice(ID_KINDS)
        local_id = random_identifier(rng, lkind)
        remote_id = random_identifier(rng, rkind)
        if i == count - 1:
            # Same identifier on both sides, different keys.
            remote_id = local_id
        mine = compute(version, iterations, local_id, local_key, remote_id, remote_key)
        theirs = compute(version, iterations, remote_id, remote_key, local_id, local_key)
        assert mine["display"] == theirs["display"]
        cases.append(
            {
                "id": "random-%03d" % i,
                "version": version,
                "iterations": iterations,
                "local_id_kind": lkind,
                "local_id_hex": local_id.hex(),
                "local_key_hex": local_key.hex(),
                "remote_id_kind": rkind,
                "remote_id_hex": remote_id.hex(),
                "remote_key_hex": remote_key.hex(),
                "expected_local_hash_hex": mine["local_hash"].hex(),
                "expected_remote_hash_hex": mine["remote_hash"].hex(),
                "expected_local_digits": mine["local_digits"],
                "expected_remote_digits": mine["remote_digits"],
                "expected_display": mine["display"],
                "expected_local_scannable_hex": mine["scannable"].hex(),
                "expected_remote_scannable_hex": theirs["scannable"].hex(),
            }
        )
    return cases


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT)
    ap.add_argument("--out", default=os.path.join(root, "tests", "vectors", "signal_random.json"))
    ap.add_argument(
        "--reference", default=os.path.join(root, "tests", "vectors", "signal_vectors.json")
    )
    args = ap.parse_args()
    if args.count < 50:
        sys.exit("--count must be at least 50")

    checked = self_check(args.reference)
    cases = generate(args.seed, args.count)
    doc = {
        "provenance": (
            "generated by tools/signal_reference.py --seed %d --count %d: an independent Python "
            "(hashlib) implementation written from docs/signal-compat.md, not from the Rust code; "
            "before generating it reproduced %d entries of tests/vectors/signal_vectors.json "
            "(libsignal upstream/derived vectors) byte for byte" % (args.seed, args.count, checked)
        ),
        "generator": "tools/signal_reference.py",
        "seed": args.seed,
        "cases": cases,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("self-check: %d reference vectors reproduced" % checked)
    print("wrote %d cases to %s" % (len(cases), args.out))


if __name__ == "__main__":
    main()
