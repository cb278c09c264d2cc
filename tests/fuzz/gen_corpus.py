#!/usr/bin/env python3
"""gen_corpus.py - writes the seed corpora of the fuzz targets:

    tests/fuzz/corpus/article/   Article frames: valid ones of each shape, and
                                 one of each rejection of the bad-input table
    tests/fuzz/corpus/query/     QueryRequest frames: each kind, edge ranges

Deterministic and small (each file < 1 KiB). Rerun after a proto change:
    python3 tests/fuzz/gen_corpus.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
U64 = (1 << 64) - 1


def varint(n):
    n &= U64
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def vfield(num, n):
    return varint(num << 3) + varint(n)


def bfield(num, b):
    if isinstance(b, str):
        b = b.encode()
    return varint(num << 3 | 2) + varint(len(b)) + b


def article(id=None, url=None, source=None, title=None, published=None, body=None,
            ctype=None, collector=None):
    out = b""
    for num, v in ((1, id), (2, url), (3, source), (4, title), (5, published), (6, body)):
        if v is not None:
            out += bfield(num, v)
    if ctype is not None:
        out += vfield(7, ctype)
    if collector is not None:
        out += bfield(8, collector)
    return out


SENT = "The Armenian defence ministry said Azerbaijani forces violated the ceasefire near Tavush on 3 May, killing 2 soldiers."
ARTICLES = {
    "valid_text": article("a1", "https://Example.ORG/x#frag", "Reuters", "Title", "2022-08-03", SENT, 0, "c1"),
    "valid_html": article("a2", None, None, None, None, "<p>" + SENT + "</p>", 1),
    "valid_minimal": article(body="x"),
    "valid_utf8": article(title="Ереван", body="Баку обвинил Ереван в нарушении перемирия. 停火"),
    "valid_leapday": article(published="2024-02-29", body="leap"),
    "valid_whitespace": article(body="  a \t\n b  \r\n"),
    "empty": b"",
    "no_body": article(id="xyz"),
    "empty_body": article(id="xyz", body=""),
    "bad_utf8": article(body=b"ABC\xff"),
    "overlong": article(body=b"A\xc0\x80B"),
    "surrogate": article(body=b"A\xed\xa0\x80B"),
    "nul": article(body=b"AB\x00C"),
    "bad_title_utf8": article(title=b"A\xffB", body="ok"),
    "nul_title": article(title=b"ab\x00cd", body="A"),
    "nul_url": article(url=b"https:/\x00x", body="A"),
    "bad_date": article(published="2024-13-01", body="A"),
    "bad_date_feb30": article(published="2023-02-29", body="A"),
    "bad_ctype": article(body="A", ctype=15),
    "long_field": article(url="https://e.org/" + "x" * 600, body="ok"),
    "truncated": bytes([0x32, 38]) + b"Truncation",
    "ack": bytes.fromhex("0a017810011a026869"),
    "query": bytes.fromhex("0803"),
    "unknown_field": article(body="A") + vfield(99, 7) + bfield(100, "zz"),
    "repeated_body": article(body="first") + bfield(6, "second"),
    "random": bytes(range(0, 256, 7)),
}

QUERIES = {
    "events_after_0": vfield(1, 0) + vfield(2, 0),
    "events_after_2": vfield(1, 0) + vfield(2, 2),
    "events_after_max": vfield(1, 0) + vfield(2, U64),
    "events_limit_1": vfield(1, 0) + vfield(3, 1),
    "incident_1": vfield(1, 1) + vfield(4, 1),
    "incident_0": vfield(1, 1) + vfield(4, 0),
    "incident_max": vfield(1, 1) + vfield(4, U64),
    "articles_all": vfield(1, 2),
    "articles_2_2": vfield(1, 2) + vfield(5, 2) + vfield(6, 2),
    "articles_reversed": vfield(1, 2) + vfield(5, 10) + vfield(6, 2),
    "articles_time": vfield(1, 2) + vfield(7, 1000000) + vfield(8, 2500000),
    "articles_time_neg": vfield(1, 2) + vfield(7, -5) + vfield(8, -1),
    "articles_limit_max": vfield(1, 2) + vfield(3, U64),
    "stats": vfield(1, 3),
    "metrics": vfield(1, 6),
    "claims_all": vfield(1, 4),
    "claims_from_2": vfield(1, 4) + vfield(5, 2),
    "incidents_all": vfield(1, 5),
    "kind_99": vfield(1, 99),
    "kind_neg": vfield(1, -1),
    "empty": b"",
    "garbage": bytes(range(255, 0, -9)),
}


def write(dirname, items):
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    for name, data in items.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("article", ARTICLES)
    write("query", QUERIES)
