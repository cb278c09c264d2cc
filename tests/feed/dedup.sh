#!/usr/bin/env bash
# The same story in two feeds (the same canonical URL: truced's content key,
# scheme and host case and the fragment aside) is sent once: one article
# stored, and truced received it once (no DUPLICATE ack). fetch_page sends
# the linked page as HTML; a page that cannot be had falls back to the
# feed's own text.
. "$(dirname "$0")/feedlib.sh"

start_server
start_daemon
item() { # GUID LINK TITLE
  printf '<item><guid isPermaLink="false">%s</guid><link>%s</link><title>%s</title><description>%s: Armenia accused Azerbaijan of shelling.</description></item>\n' "$1" "$2" "$3" "$3"
}
feed() { # NAME ITEMS...
  local name=$1
  shift
  { echo '<?xml version="1.0"?><rss version="2.0"><channel><title>'"$name"'</title><link>http://news.example/</link>'
    printf '%s' "$@"
    echo '</channel></rss>'; } >"$T/www/$name.xml"
}
feed a "$(item a1 http://news.example/story/1 'Story one')" \
  "$(item a2 http://news.example/story/2 'Story two')" \
  "$(item a3 http://news.example/story/3 'Story three')"
# b: story 2 under another guid and title, story 1 with the host in capitals
# and a fragment (the same canonical URL), and a story of its own.
feed b "$(item b1 http://news.example/story/2 'Story 2 (wire copy)')" \
  "$(item b2 HTTP://NEWS.EXAMPLE/story/1#comments 'Story one again')" \
  "$(item b3 http://news.example/story/4 'Story four')"
cat >"$T/feeds.conf" <<EOF
$BASE/f/a.xml
$BASE/f/b.xml
EOF
feed_once
[ "$FEED_RC" = 0 ] || fail "truce feed --once exit $FEED_RC: $(tail -5 "$T/feed.log")"
[ "$(count_articles)" = 4 ] || fail "stored $(count_articles) articles, want 4"
# Which feed sends a shared story depends on which answered first.
sent=$(($(feed_status_json "$BASE/f/a.xml" sent) + $(feed_status_json "$BASE/f/b.xml" sent)))
same=$(($(feed_status_json "$BASE/f/a.xml" same) + $(feed_status_json "$BASE/f/b.xml" same)))
[ "$sent" = 4 ] && [ "$same" = 2 ] || fail "sent $sent, same $same: $("$TRUCE" feed --status --state "$T/state")"
pass "the same stories in two feeds: 4 articles stored; 4 sent, 2 known as already sent"

# fetch_page: the page instead of the feed's text; a 404 page falls back.
feed c "$(item c1 "$BASE/page/pg/1" 'Page one')" "$(item c2 "$BASE/page/pg/2" 'Page two')" \
  "$(item c3 "$BASE/nowhere/3" 'No page')"
echo "$BASE/f/c.xml fetch_page=yes source=Pages" >>"$T/feeds.conf"
feed_once
[ "$FEED_RC" = 0 ] || fail "fetch_page run exit $FEED_RC: $(tail -5 "$T/feed.log")"
[ "$(count_articles)" = 7 ] || fail "stored $(count_articles) articles, want 7"
articles | python3 -c "import json,sys
arts={json.loads(l)['article']['url']:json.loads(l)['article'] for l in sys.stdin}
for k in (1,2):
    a=arts['$BASE/page/pg/%d' % k]
    assert a['content_type']=='html' and 'Full article %d of feed pg' % k in a['body'], a
    assert a['title']=='Page %s' % ('one' if k==1 else 'two') and a['source']=='Pages', a
c=arts['$BASE/nowhere/3']
assert 'No page: Armenia accused' in c['body'], c" || fail "fetch_page articles"
grep -qF "page $BASE/nowhere/3 not fetched (HTTP 404): sending the feed's text" "$T/feed.log" ||
  fail "the 404 page fallback is not logged"
[ "$(requests /page/pg/ | wc -l)" = 2 ] || fail "pages fetched: $(requests /page/pg/)"
pass "fetch_page: 2 pages sent as HTML, a 404 page fell back to the feed's text"

stop_daemon
line=$(grep "stopping (signal" "$T/truced.log" | tail -1)
grep -q "7 received, 7 stored, 0 duplicates" <<<"$line" || fail "truced saw re-sends: $line"
pass "truced received each article once: $(sed 's/.*: //' <<<"$line" | cut -c1-60)"
