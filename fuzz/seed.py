#!/usr/bin/env python3
"""Builds the seed corpora for the fuzz targets from the files under tests/.

    /work/venv/bin/python fuzz/seed.py        # writes fuzz/corpus/<target>/

The generated directories are not committed (.gitignore): they are derived
from the repository's own test files and rebuilt in a second.

- verify:               every PDF under tests/ (shared corpus copy, extra,
                        national, data, desk, web, realworld if present)
- cms, signature_container, seal_object:
                        every signature /Contents blob found in those PDFs
                        (hex string, trailing zero padding removed), plus the
                        loose seal / CMS / certificate files in tests/
- content_stream:       decoded page content streams, appearance streams and
                        ToUnicode CMaps from the PDFs
- text_content:         one page's content and one ToUnicode CMap, padded
                        with spaces to equal halves (the target splits the
                        input in the middle)

pikepdf reads the streams; a file pikepdf cannot open still seeds `verify`
and, through a raw scan, the /Contents targets.
"""

import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"
# A seed larger than this slows every execution more than it helps.
MAX_STREAM = 64 * 1024
MAX_TEXT_PAIRS = 400

CONTENTS_RE = re.compile(rb"/Contents\s*<([0-9A-Fa-f\s]{64,})>")
LOOSE = [".esl", ".dat", ".p7s", ".der", ".sig", ".cer", ".crt"]


def put(target, data):
    if not data:
        return
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def contents_blobs(raw):
    for m in CONTENTS_RE.finditer(raw):
        hexs = re.sub(rb"\s", b"", m.group(1))
        if len(hexs) % 2:
            hexs = hexs[:-1]
        blob = bytes.fromhex(hexs.decode()).rstrip(b"\0")
        if len(blob) >= 32:
            yield blob


def streams(path):
    """(page contents, ToUnicode CMaps, appearance streams) of one PDF."""
    try:
        import pikepdf
    except ImportError:
        return [], [], []
    pages, cmaps, aps = [], [], []
    try:
        pdf = pikepdf.open(path)
    except Exception:
        return [], [], []
    with pdf:
        for obj in pdf.objects:
            try:
                if not isinstance(obj, pikepdf.Stream):
                    continue
                data = obj.read_bytes()
            except Exception:
                continue
            if len(data) > MAX_STREAM:
                continue
            if b"begincmap" in data or b"beginbfchar" in data or b"beginbfrange" in data:
                cmaps.append(data)
            elif obj.get("/Subtype") == "/Form":
                aps.append(data)
        for page in pdf.pages:
            try:
                data = page.obj.get("/Contents")
                if data is None:
                    continue
                if isinstance(data, pikepdf.Array):
                    data = b"\n".join(s.read_bytes() for s in data)
                else:
                    data = data.read_bytes()
            except Exception:
                continue
            if len(data) <= MAX_STREAM:
                pages.append(data)
    return pages, cmaps, aps


def main():
    pdfs = sorted(p for p in (ROOT / "tests").rglob("*") if p.suffix.lower() == ".pdf")
    loose = sorted(p for p in (ROOT / "tests").rglob("*") if p.suffix.lower() in LOOSE)
    all_pages, all_cmaps = [], []
    for p in pdfs:
        raw = p.read_bytes()
        put("verify", raw)
        for blob in contents_blobs(raw):
            for t in ("cms", "signature_container", "seal_object"):
                put(t, blob)
        pages, cmaps, aps = streams(p)
        for s in pages + cmaps + aps:
            put("content_stream", s)
        all_pages += pages + aps
        all_cmaps += cmaps
    for p in loose:
        data = p.read_bytes()
        for t in ("cms", "signature_container", "seal_object"):
            put(t, data)
    # text_content: pairs of (content, cmap) halves.
    pairs = 0
    for i, page in enumerate(all_pages):
        if pairs >= MAX_TEXT_PAIRS:
            break
        cmap = all_cmaps[i % len(all_cmaps)] if all_cmaps else b""
        n = max(len(page), len(cmap))
        put("text_content", page.ljust(n, b" ") + cmap.ljust(n, b" "))
        pairs += 1
    for d in sorted(OUT.iterdir()):
        print(f"{d.name}: {sum(1 for _ in d.iterdir())} seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
