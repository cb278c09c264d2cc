#!/usr/bin/env bash
# truce feed against the local test server and a real truced: every format
# (RSS 2.0, Atom, JSON Feed, RSS 1.0 with namespaces, RSS 0.90, 0.91 and
# 0.92), items without GUID, relative links, HTML in descriptions,
# windows-1251 with a true and a lying declaration, a charset header that
# lies, ISO 8601 in pubDate, gzip and deflate, an aggregator whose items name their
# outlets; the publisher's hints (<ttl>, Cache-Control max-age, sy: in Atom)
# lengthening the interval up to the ceiling; then a second poll that is all
# 304 (the server's log shows the conditional GETs) and still honours <ttl>,
# --status, OPML import, SIGHUP, feeds.conf errors.
. "$(dirname "$0")/feedlib.sh"

help=$("$TRUCE" feed --help) || fail "truce feed --help exit $?"
for w in "usage: truce feed" "fetch_page=yes" "source=NAME" "interval=D" "ca_file=PATH" "--opml" "--status"; do
  grep -qF -- "$w" <<<"$help" || fail "--help does not mention $w"
done
pass "--help documents feeds.conf"

start_server
start_daemon
cat >"$T/feeds.conf" <<EOF
# the formats
$BASE/f/rss2.xml   source="Caucasus Wire"  ceiling=2h
$BASE/f/atom.xml
$BASE/f/jsonfeed.json
$BASE/f/rss1.xml?ct=application/rdf%2Bxml
$BASE/f/iso8601.xml
# charsets: a true declaration, a lying one, a header that lies
$BASE/f/cp1251.xml?ct=application/xml
$BASE/f/cp1251-lying.xml?ct=application/xml
$BASE/f/utf8-says-1251.xml?ct=text/xml;charset=koi8-r
$BASE/gen/gz?items=3&gzip=1        source=Gzipped
$BASE/gen/df?items=2&deflate=1     source=Deflated
# before RSS 2.0; an aggregator whose entries name their outlets
$BASE/f/rss090.xml?maxage=5400     ceiling=3h
$BASE/f/rss091.xml
$BASE/f/rss092.xml
$BASE/f/planet.xml                 ceiling=3h
EOF
feed_once
[ "$FEED_RC" = 0 ] || fail "truce feed --once exit $FEED_RC: $(tail -5 "$T/feed.log")"
n=$(count_articles)
[ "$n" = 33 ] || fail "stored $n articles, want 33: $(tail -12 "$T/feed.log")"
pass "first poll: 14 feeds, 33 articles stored"

articles >"$T/articles.jsonl"
python3 - "$T/articles.jsonl" <<'EOF' || fail "stored articles are not what the feeds said"
import json, sys
arts = {}
for line in open(sys.argv[1]):
    a = json.loads(line)
    assert a["collector_id"] == "truce-feed", a["collector_id"]
    arts[a["article"].get("url")] = a["article"]

def get(url):
    assert url in arts, "missing %s (have %s)" % (url, sorted(arts))
    return arts[url]

a = get("https://caucasus-wire.example/news/2022/08/03/lachin-shelling")
assert a["source"] == "Caucasus Wire" and a["published"] == "2022-08-03", a
assert a["content_type"] == "html" and "<b>violated the ceasefire</b>" in a["body"], a
assert a["title"] == "Shelling reported near Lachin" and a["id"] == "cw-20220803-001", a
b = get("https://caucasus-wire.example/news/2022/08/02/no-guid")   # no guid: known by its link
assert b["id"] == b["url"] and b["content_type"] == "html" and 'href="/places/kalbajar"' in b["body"], b
assert b["published"] == "2022-08-02", b                            # the day as written (EST)
get("https://caucasus-wire.example/news/2022/08/01/relative")        # a relative link, made absolute
get("https://caucasus-wire.example/news/2022/07/31/guid-link")       # the guid is the permalink
c = get("https://atom.example/blog/posts/truce-broken")             # xml:base
assert c["source"] == "Frontline Notes" and c["published"] == "2022-08-03" and c["content_type"] == "html", c
get("https://other.example/root/item/2")
get("https://json.example/2022/08/03/first")
get("https://json.example/2022/08/02/second")
get("https://elsewhere.example/story")
d = get("https://rdf.example/a")
assert d["body"] == "<p>Full text of the <b>first</b> item.</p>" and d["published"] == "2022-08-03", d
get("https://rdf.example/b")
assert get("https://iso.example/1")["published"] == "2022-08-03"
assert get("https://iso.example/2")["published"] == "2022-08-02"
title = "Армения обвинила Азербайджан в нарушении перемирия"
for tag in ("true", "lying", "utf8"):
    e = get("https://ru.example/%s/1" % tag)
    assert e["title"] == title and e["source"] == "Новости Кавказа", (tag, e)
    assert "нарушили режим прекращения огня" in e["body"], (tag, e)
g = [x for u, x in arts.items() if u and "/page/gz/" in u]
assert len(g) == 3 and all(x["source"] == "Gzipped" for x in g), g
g = [x for u, x in arts.items() if u and "/page/df/" in u]
assert len(g) == 2 and all(x["source"] == "Deflated" for x in g), g
# RSS 0.91 (ISO-8859-1, no dates), 0.92 (an item of a description only), 0.90
f = get("http://rss091.example/2022/08/03/tavush.html")
assert f["source"] == "Border Monitor 0.91" and "communiqué said" in f["body"], f
assert not f.get("published") and f["id"] == f["url"], f
get("http://rss091.example/2022/08/02/talks.html")
get("http://rss090.example/news/1")
assert get("http://rss090.example/news/2")["body"] == "Observers visit the border"
bare = [x for x in arts.values() if "this description is all of it" in x["body"]]
assert len(bare) == 1 and bare[0]["source"] == "Regional Digest", bare
# an aggregator's items carry their outlet as the source, else the feed's title
h = get("http://outlet-a.example/news/sotk")
assert h["source"] == "Outlet A Daily" and h["content_type"] == "html", h
assert get("https://outlet-b.example/2022/08/03/shelling")["source"] == "Outlet B"
assert get("https://planet.example/notes/1")["source"] == "Ceasefire Planet"
EOF
pass "articles: urls absolute, ids, sources (the item's outlet in an aggregator), days as written, HTML kept, Cyrillic read from true and lying charsets, Latin-1 of RSS 0.91"

# next_in URL: seconds from the feed's last poll to its next (--status --json).
next_in() {
  "$TRUCE" feed --status --json --state "$T/state" | python3 -c "import json,sys
from datetime import datetime
for l in sys.stdin:
    o=json.loads(l)
    if o['feed']=='$1':
        t=lambda k: datetime.fromisoformat(o[k].replace('Z','+00:00')).timestamp()
        print(round(t('next_poll')-t('last_poll')))"
}
# expect_next URL SECONDS: the next poll is that far from the last, or up to
# a tenth more (a hint is a lower bound; the spread goes above it).
expect_next() {
  local got
  got=$(next_in "$1")
  [ "$got" -ge "$2" ] && [ "$got" -le $(($2 + $2 / 10)) ] || fail "$1: next poll in $got s, want $2 s (+10 %)"
}
expect_next "$BASE/f/rss2.xml" 1800           # <ttl>30</ttl>, under its ceiling=2h
expect_next "$BASE/f/rss090.xml?maxage=5400" 5400 # Cache-Control: max-age=5400
expect_next "$BASE/f/planet.xml" 3600         # sy:updatePeriod hourly, in Atom
[ "$(next_in "$BASE/f/rss1.xml?ct=application/rdf%2Bxml")" -le 10 ] ||
  fail "rss1's sy: hint of 6 h not cut to the 10 s ceiling: $(next_in "$BASE/f/rss1.xml?ct=application/rdf%2Bxml")"
pass "the publisher's hints lengthen the interval: <ttl> 30 min, max-age 90 min, sy: hourly in Atom; cut to the ceiling"

grep -q "cp1251-lying.xml.*declared UTF-8 by the XML declaration but is not: read as WINDOWS-1251" "$T/feed.log" ||
  fail "the lying declaration is not in the log"
grep -q "utf8-says-1251.xml.*declared koi8-r by the HTTP header but is UTF-8" "$T/feed.log" ||
  fail "the lying header is not in the log"
pass "the lies about charsets are logged"

ver=$("$TRUCE" --version | awk '{print $2}')
requests /gen/gz | python3 -c "import json,sys
o=json.loads(sys.stdin.readline())
assert o['ce']=='gzip' and 'gzip' in o['ae'], o
assert 'truce' in o['ua'] and '$ver' in o['ua'], o" || fail "gzip or User-Agent: $(requests /gen/gz)"
requests /gen/df | python3 -c "import json,sys
o=json.loads(sys.stdin.readline())
assert o['ce']=='deflate' and 'deflate' in o['ae'], o" || fail "deflate: $(requests /gen/df)"
pass "gzip and deflate accepted and served; the User-Agent names truce $ver"

# The second poll: every feed answers 304 to a conditional GET.
before=$(wc -l <"$T/server.log")
feed_once
[ "$FEED_RC" = 0 ] || fail "second --once exit $FEED_RC"
[ "$(count_articles)" = 33 ] || fail "the second poll stored more"
tail -n +"$((before + 1))" "$T/server.log" | python3 -c "import json,sys
reqs=[json.loads(l) for l in sys.stdin if '\"req\"' in l]
assert len(reqs)==14, reqs
for r in reqs:
    assert r['status']==304 and r['inm'] and r['ims'], r" || fail "second poll not all 304: $(tail -n +"$((before + 1))" "$T/server.log")"
[ "$(grep -c "304 not modified" "$T/feed.log")" = 14 ] || fail "not one 304 log line per feed"
expect_next "$BASE/f/rss2.xml" 1800 # the <ttl> of the last 200 still holds
expect_next "$BASE/f/planet.xml" 3600
pass "second poll: 14 conditional GETs (If-None-Match and If-Modified-Since), 14 times 304, nothing sent; <ttl> and sy: still honoured"

st=$("$TRUCE" feed --status --state "$T/state")
[ "$(wc -l <<<"$st")" = 15 ] || fail "--status: $st"
head -1 <<<"$st" | grep -q "FEED.*LAST POLL.*NEXT POLL.*ERRORS.*ITEMS.*SENT.*PENDING.*SAME.*RESULT" || fail "--status header: $st"
grep "f/rss2.xml" <<<"$st" | grep -q "304 not modified" || fail "--status rss2: $st"
[ "$(feed_status_json "$BASE/f/rss2.xml" sent)" = 4 ] || fail "--status --json sent"
[ "$(feed_status_json "$BASE/f/rss2.xml" polls)" = 2 ] || fail "--status --json polls"
[ "$(feed_status_json "$BASE/f/rss2.xml" pending)" = 0 ] || fail "--status --json pending"
[ -n "$(feed_status_json "$BASE/f/rss2.xml" etag)" ] || fail "--status --json etag"
pass "--status: a table, one line per feed; --json: counts and validators"

# OPML import: a reader's subscription list, folders included.
cat >"$T/subs.opml" <<EOF
<?xml version="1.0"?>
<opml version="2.0"><head><title>subs</title></head><body>
  <outline text="News">
    <outline type="rss" text="Caucasus Wire" title="Caucasus Wire" xmlUrl="$BASE/f/rss2.xml"/>
    <outline type="rss" text="JSON one" xmlUrl="$BASE/f/jsonfeed.json"/>
  </outline>
  <outline type="rss" text="Frontline" xmlUrl="$BASE/f/atom.xml"/>
</body></opml>
EOF
out=$("$TRUCE" feed --print --opml "$T/subs.opml") || fail "--print --opml exit $?"
[ "$(wc -l <<<"$out")" = 3 ] || fail "--print: $out"
grep -qxF "$BASE/f/rss2.xml source=\"Caucasus Wire\"" <<<"$out" || fail "--print rss2: $out"
grep -qxF "$BASE/f/atom.xml source=Frontline" <<<"$out" || fail "--print atom: $out"
pass "OPML: 3 feeds from nested outlines, printed as feeds.conf lines"

# feeds.conf mistakes name their line; exit 2.
check_conf_error() {
  printf '%s\n' "$1" >"$T/bad.conf"
  local rc=0 out
  out=$("$TRUCE" feed --print --feeds "$T/bad.conf" 2>&1) || rc=$?
  [ "$rc" = 2 ] || fail "'$1': exit $rc"
  grep -qF -- "$2" <<<"$out" || fail "'$1': $out"
}
check_conf_error "$BASE/a interval=5x" "bad.conf:1: interval wants a duration"
check_conf_error "$BASE/a fetch_pages=yes" "bad.conf:1: unknown option 'fetch_pages'"
check_conf_error "ftp://example.org/feed" "not an http or https URL"
check_conf_error $'# c\n'"$BASE/a"$'\n'"$BASE/a" "bad.conf:3: $BASE/a is listed twice (first at"
check_conf_error "$BASE/a source=\"unclosed" "bad.conf:1: a quote is not closed"
check_conf_error "$BASE/a floor=1h ceiling=1m" "floor is above ceiling"
pass "feeds.conf errors name their line and exit 2"

# SIGHUP: a feed added to feeds.conf is followed without a restart.
start_feed --log-level debug
echo "$BASE/gen/hup?items=2" >>"$T/feeds.conf"
kill -HUP "$FEED_PID"
wait_articles 35 60
grep -q "SIGHUP: 15 feeds" "$T/feed.log" || fail "SIGHUP not logged"
# A feed taken out of the list is no longer polled, and --status says so.
grep -v "f/atom.xml" "$T/feeds.conf" >"$T/feeds.conf.new"
mv "$T/feeds.conf.new" "$T/feeds.conf"
kill -HUP "$FEED_PID"
for _ in $(seq 600); do grep -q "SIGHUP: 14 feeds" "$T/feed.log" && break; sleep 0.1; done
grep -q "SIGHUP: 14 feeds" "$T/feed.log" || fail "second SIGHUP not logged"
stop_feed
"$TRUCE" feed --status --state "$T/state" | grep "f/atom.xml" | grep -q "not in the feed lists any more" ||
  fail "--status of a feed taken out: $("$TRUCE" feed --status --state "$T/state" | grep atom)"
[ "$(feed_status_json "$BASE/f/atom.xml" listed)" = False ] || fail "--status --json listed"
pass "SIGHUP re-reads feeds.conf: a new feed is polled and its items stored; one taken out is shown as such"

# A second collector on the same state is refused.
start_feed
rc=0; "$TRUCE" feed --feeds "$T/feeds.conf" --state "$T/state" --connect "$IN" 2>"$T/second.err" || rc=$?
[ "$rc" = 3 ] && grep -q "in use" "$T/second.err" || fail "second truce feed on one state: exit $rc $(cat "$T/second.err")"
stop_feed
pass "a second truce feed on the same --state is refused"
stop_daemon
