#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets that have none in the repository yet into
fuzz/corpus/<target>/ (file name: SHA-1 of the contents, as libFuzzer names its files).

Seeds come from the test vectors (tests/vectors/*.json) and the word lists; run once
before the first fuzzing run, then minimise (`cargo fuzz cmin`, see docs/fuzzing.md).
Existing files are left alone, so rerunning is harmless.
"""
import base64
import hashlib
import json
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
VECTORS = ROOT / "tests" / "vectors"
WORDLISTS = ROOT / "verifier-core" / "wordlists"
LANGS = ["english", "spanish", "french", "italian", "portuguese", "czech",
         "japanese", "korean", "chinese_simplified", "chinese_traditional"]


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    rng = random.Random(13)
    keys = json.loads((VECTORS / "keys.json").read_text())["keys"]
    for k in keys:
        for form in ("canonical", "openssh", "base64", "public_hex"):
            if form in k:
                put("key_text", k[form])
        put("key_text", bytes.fromhex(k["public_hex"]))
        if "identity_text" in k:
            put("identity_text", k["identity_text"])
            put("identity_text", k["identity_text"].replace("\n", "\r\n"))
        put("identity_text", bytes.fromhex(k["seed_hex"]))
    pk = keys[0]["public_hex"]
    put("key_text", base64.urlsafe_b64encode(bytes.fromhex(pk)).decode().rstrip("="))
    put("key_text", keys[0]["canonical"].upper())
    put("key_text", keys[0]["canonical"][:-1] + "a")  # bad checksum
    put("key_text", "05" + "ab" * 32)  # a Signal identity key
    put("key_text", "ssh-rsa AAAAB3NzaC1yc2E= x")

    rot = json.loads((VECTORS / "identity_rotation.json").read_text())
    for v in rot["valid"]:
        put("rotation", bytes.fromhex(v["rotation_hex"]))
        put("rotation", v["text"])
    for v in rot["invalid"]:
        put("rotation", bytes.fromhex(v["rotation_hex"]))
    for v in rot["invalid_text"]:
        put("rotation", v["text"])
    for v in rot["chains"]:
        if v["text"]:
            put("rotation", v["text"])

    for f in sorted((CORPUS / "receipt").iterdir()):
        b = f.read_bytes()
        if b.startswith(b"VRCT"):
            put("receipt_text", "verifier-receipt:" + base64.urlsafe_b64encode(b).decode().rstrip("="))
    put("receipt_text", hashlib.sha256(b"id").hexdigest())

    # Join codes from docs/ and the SAS module's documentation.
    for code in ("2K0AG-08MPY-CDVMC-C5AKB-M", "2K0AG-08MPY-CDVMC-C5AKB-N",
                 "2VZ80-00000-00000-00000-00000-00G3E-YXT66-2M4F6",
                 "2k0ag08mpycdvmcc5akbm", "ABCDE-U", " - "):
        put("join_code", code)

    for name in ("Alice", "Ren\u00e9e", "Rene\u0301e", "\U0001f469\u200d\U0001f4bb Dana",
                 "\u674e\u5c0f\u9f99", "ecar\u202eg", "bob ", "b\u043eb", "PayPaI",
                 "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "a\u0301\u0301\u0301\u0301"):
        put("contact_name", name)

    # Signal scannable fingerprints: the canonical protobuf, versions 0, 1, 2 and 300.
    def varint(n):
        out = b""
        while True:
            b = n & 0x7F
            n >>= 7
            if n:
                out += bytes([b | 0x80])
            else:
                return out + bytes([b])
    for version in (0, 1, 2, 300):
        local, remote = bytes(rng.randrange(256) for _ in range(32)), bytes([0xba] * 32)
        code = b"\x08" + varint(version)
        for tag, fp in ((0x12, local), (0x1a, remote)):
            code += bytes([tag, 34, 0x0a, 32]) + fp
        put("signal_scannable", code)
        put("signal_scannable", code[:40])

    # Typed words: byte 0 the language, byte 1 the count, then the text.
    for i, lang in enumerate(LANGS):
        words = (WORDLISTS / "bip39" / f"{lang}.txt").read_text().split()
        picked = [rng.choice(words) for _ in range(6)]
        sep = "\u3000" if lang == "japanese" else ("" if lang.startswith("chinese") else " ")
        put("typed_words", bytes([i, 6]) + sep.join(picked).encode())
        put("typed_words", bytes([i, 6]) + " ".join(w[:4] for w in picked).encode())
    even = (WORDLISTS / "pgp_even.txt").read_text().split()
    odd = (WORDLISTS / "pgp_odd.txt").read_text().split()
    put("typed_words", bytes([0, 4]) + " ".join([even[1], odd[2], even[3], odd[4]]).encode())
    put("typed_words", bytes([0, 4]) + " ".join([odd[1], even[2], even[3], odd[4]]).encode())
    put("typed_words", bytes([0, 3]) + b"12345 67890-00012")
    put("typed_words", bytes([0, 2]) + "\uff11\uff12\uff13\uff14\uff15 54321".encode())


if __name__ == "__main__":
    main()
