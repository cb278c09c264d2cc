#!/usr/bin/env python3
"""Every endpoint of truce web's JSON API against a truced fed with the five
seed articles (3 incidents; N claims, as many as the extractor finds):
shapes, filters, paging, errors.

    api_test.py BASE_URL
"""
import json
import sys

from webclient import get, get_json

BASE = sys.argv[1]
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        sys.exit("FAIL: " + what)


def ok(path):
    status, body = get_json(BASE + path)
    check(status == 200, "%s: status %d %r" % (path, status, body))
    return body


def error(path, want, method="GET"):
    status, body = get_json(BASE + path, method=method)
    check(status == want, "%s: status %d, want %d (%r)" % (path, status, want, body))
    check(isinstance(body.get("error"), str) and body["error"] and body.get("status") == want,
          "%s: not a JSON error: %r" % (path, body))
    return body


def walk(path, key, most=50):
    """Follows next_cursor from path: (the ids of every page, the pages)."""
    seen, cursor, pages = [], None, 0
    while pages < most:
        page = ok(path + ("&cursor=%d" % cursor if cursor else ""))
        pages += 1
        seen += [r["id"] for r in page[key]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return seen, pages


def security_headers(path):
    status, hdr, _ = get(BASE + path)
    csp = hdr.get("Content-Security-Policy", "")
    check("script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp,
          "%s: Content-Security-Policy %r" % (path, csp))
    check(hdr.get("X-Content-Type-Options") == "nosniff", path + ": no nosniff")
    check(hdr.get("X-Frame-Options") == "DENY", path + ": frames allowed")


# --- /api/stats
stats = ok("/api/stats")
for k in ("articles", "claims", "incidents", "events", "last_event_seq", "db_size", "web"):
    check(k in stats, "stats lacks " + k)
check(stats["articles"] == 5 and stats["incidents"] == 3 and stats["claims"] >= 10,
      "stats of the seeds: %r" % stats)
N = stats["claims"]
check(set(stats["web"]) == {"sse_clients", "events_buffered", "last_event_seq_seen"},
      "stats.web: %r" % stats["web"])

# --- /api/incidents: newest first, shapes, paging, filters
inc = ok("/api/incidents")
ids = [i["id"] for i in inc["incidents"]]
check(ids == [3, 2, 1], "incidents newest first: %r" % ids)
check(inc["next_cursor"] is None and inc["limit"] == 50, "one page: %r" % inc)
keys = {"id", "conflict", "key", "date_first", "date_last", "parties", "places", "sources",
        "claims", "article_seqs", "killed", "wounded", "figures", "pairs", "created", "updated"}
for i in inc["incidents"]:
    check(keys <= set(i), "incident keys: %r" % sorted(i))
    check(all(set(f) >= {"source", "claimant", "killed", "wounded"} for f in i["figures"]),
          "figures shape")
first = [i for i in inc["incidents"] if i["id"] == 1][0]
check(first["killed"] == [1, 3] and first["wounded"] == [8, 14],
      "incident 1 keeps every outlet's figures: %r %r" % (first["killed"], first["wounded"]))

seen, pages = walk("/api/incidents?limit=1", "incidents")
check(seen == [3, 2, 1] and pages == 3, "paging by one: %r in %d pages" % (seen, pages))

only = lambda q: [i["id"] for i in ok("/api/incidents?" + q)["incidents"]]
check(only("party=NKR") == [1], "party=NKR: %r" % only("party=NKR"))
check(only("conflict=karabakh") == [3, 2, 1], "conflict=karabakh")
check(only("conflict=donbas") == [], "conflict=donbas")
check(only("from=2022-01-01") == [1], "from=2022-01-01: %r" % only("from=2022-01-01"))
check(only("to=2021-12-31") == [3, 2], "to=2021-12-31: %r" % only("to=2021-12-31"))
check(only("from=2021-08-13&to=2021-08-13") == [2], "one day inside incident 2's window")
check(only("party=NKR&to=2021-01-01") == [], "filters combine")

# --- /api/incidents/{id}
one = ok("/api/incidents/1")
check(one["incident"]["id"] == 1 and not one["claims_truncated"], "incident 1")
check([c["id"] for c in one["claims"]] == one["incident"]["claims"],
      "incident 1's claims, in order: %r" % [c["id"] for c in one["claims"]])
ckeys = {"id", "article_seq", "source", "claimant", "accused", "event_date", "location", "killed",
         "wounded", "conflict", "evidence", "evidence_start", "evidence_end", "incident"}
for c in one["claims"]:
    check(ckeys <= set(c), "claim keys: %r" % sorted(c))
    check(c["incident"] == 1 and isinstance(c["evidence"], str) and c["evidence"], "claim %r" % c)
error("/api/incidents/999", 404)
error("/api/incidents/0", 404)
error("/api/incidents/abc", 400)
error("/api/incidents/1?x=1", 400)

# --- /api/claims: oldest first, since, cursor paging, filters
allc = ok("/api/claims?limit=500")
cids = [c["id"] for c in allc["claims"]]
check(cids == list(range(1, N + 1)) and allc["next_cursor"] is None and allc["last_id"] == N,
      "all claims: %r" % cids)
seen, pages = walk("/api/claims?limit=5", "claims")
check(seen == list(range(1, N + 1)) and pages == (N + 4) // 5,
      "claims by five: %r in %d pages" % (seen, pages))
check([c["id"] for c in ok("/api/claims?since=%d" % (N - 4))["claims"]] == list(range(N - 3, N + 1)),
      "since=N-4: the last four")
check(ok("/api/claims?since=%d" % N)["claims"] == [], "since=N: nothing newer")
aze = ok("/api/claims?party=AZE")["claims"]
check(aze and all("AZE" in (c["claimant"], c["accused"]) for c in aze), "party=AZE")
check(len(aze) == sum(1 for c in allc["claims"] if "AZE" in (c["claimant"], c["accused"])),
      "party=AZE: every such claim")
day = ok("/api/claims?from=2022-08-03&to=2022-08-03")["claims"]
check(day and all(c["event_date"] == "2022-08-03" for c in day), "from/to on claims")
check(len(ok("/api/claims?conflict=karabakh&party=NKR&limit=2")["claims"]) == 2, "limit=2")
error("/api/claims?limit=0", 400)
error("/api/claims?limit=501", 400)
error("/api/claims?limit=ten", 400)
error("/api/claims?from=2022-13-01", 400)
error("/api/claims?from=yesterday", 400)
error("/api/claims?since=-1", 400)
error("/api/claims?colour=red", 400)

# --- /api/articles/{seq}
art = ok("/api/articles/1")
check(art["seq"] == 1 and art["article"]["body"].startswith("Russia on Wednesday"), "article 1")
check({"received", "collector_id", "content_key", "prev_hash", "hash"} <= set(art), "article keys")
error("/api/articles/0", 404)
error("/api/articles/6", 404)
error("/api/articles/x1", 400)

# --- /api/timeline
tl = ok("/api/timeline")
check(tl["complete"] and tl["claims_counted"] == N, "timeline counted: %r" % tl)
check([c["conflict"] for c in tl["conflicts"]] == ["karabakh"], "timeline conflicts")
days = tl["conflicts"][0]["days"]
check([d["date"] for d in days] == sorted(d["date"] for d in days), "days in order")
check(sum(sum(d["accused"].values()) for d in days) == N, "every claim on a day")
check({"AZE", "ARM", "NKR", "RUS"} <= set(tl["parties"]), "parties: %r" % tl["parties"])
nkr = ok("/api/timeline?party=NKR")["conflicts"][0]["days"]
check(sum(sum(d["accused"].values()) for d in nkr) ==
      sum(1 for c in allc["claims"] if "NKR" in (c["claimant"], c["accused"])), "timeline party")

# --- errors, methods, headers, the page
error("/api/nothing", 404)
error("/nothing", 404)
# DNS rebinding: a page of another name pointed at 127.0.0.1 is refused.
for host in ("evil.example", "evil.example:7780", "127.0.0.1.evil.example", "[::2]:80"):
    status, body = get_json(BASE + "/api/stats", headers={"Host": host})
    check(status == 403 and "loopback" in body["error"], "Host %s: %d %r" % (host, status, body))
for host in ("localhost", "LOCALHOST:7780", "127.0.0.1", "127.1.2.3:9", "[::1]:7780"):
    status, body = get_json(BASE + "/api/stats", headers={"Host": host})
    check(status == 200, "Host %s: %d" % (host, status))
error("/api/stats", 405, method="POST")
error("/api/stats", 405, method="DELETE")
for path in ("/", "/app.js", "/api/stats", "/api/nothing", "/metrics"):
    security_headers(path)
status, hdr, page = get(BASE + "/")
check(status == 200 and hdr.get("Content-Type", "").startswith("text/html"), "the page")
check(b'<script src="/app.js"' in page and page.count(b"<script") == 1,
      "one script, from a file, none inline")
status, hdr, js = get(BASE + "/app.js")
check(status == 200 and b"innerHTML" not in js and b"insertAdjacentHTML" not in js,
      "app.js builds the DOM as text only")
status, _, _ = get(BASE + "/api/claims?x=" + "a" * 40000)
check(status in (413, 414, 431), "a 40 kB request line is refused: %d" % status)
check(ok("/api/stats")["articles"] == 5, "still serving after the oversized request")

print("ok: web API, %d checks" % checks)
