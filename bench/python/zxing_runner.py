#!/usr/bin/env python3
"""Reference runner for the verifier-bench binary.

Reads one path per line on stdin (8-bit PGM 'P5' files written by the bench), decodes
each with zxing-cpp (QR codes only, library defaults otherwise: try_rotate, try_downscale,
local-average binarizer), single thread, and prints one JSON object per line:
{"path": ..., "ms": decode time in ms, "codes": [{"text": ..., "bytes_hex": ...}]}.
Only the decode call is timed (the image is already in memory), as thread CPU time so
that other processes on a shared machine do not inflate it.
"""
import json
import sys
import time

import numpy as np
import zxingcpp


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    # header: P5\n<w> <h>\n255\n (as written by the bench)
    parts = data.split(b"\n", 3)
    if parts[0] != b"P5":
        raise ValueError("not a P5 PGM: " + path)
    w, h = (int(x) for x in parts[1].split())
    pix = np.frombuffer(parts[3], dtype=np.uint8, count=w * h)
    return pix.reshape((h, w))


def main():
    fmt = zxingcpp.BarcodeFormat.QRCode
    try:
        from importlib.metadata import version
        ver = version("zxing-cpp")
    except Exception:  # pragma: no cover - version is informational only
        ver = "?"
    print(json.dumps({"version": ver}), flush=True)
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        img = read_pgm(path)
        t0 = time.thread_time()
        res = zxingcpp.read_barcodes(img, formats=fmt)
        ms = (time.thread_time() - t0) * 1000.0
        codes = [{"text": r.text, "bytes_hex": bytes(r.bytes).hex()} for r in res if r.valid]
        print(json.dumps({"path": path, "ms": ms, "codes": codes}), flush=True)


if __name__ == "__main__":
    main()
