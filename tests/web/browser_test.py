#!/usr/bin/env python3
"""The dashboard in a real headless chromium (DevTools over a pipe, cdp.py).

    browser_test.py BASE_URL DIR SCREENSHOT.png [TOKEN_URL TOKEN_FILE]

On a store of the seeds: the page lists the three incidents newest first
with their timeline; then (the test writes DIR/phase1 and waits for
DIR/phase2 while the shell collects an article full of script, image and
javascript: payloads, and another) the new incidents appear without a
reload, the payloads show as text and none of them runs; the stored article
view shows the title and the javascript: URL as text; filters in the URL
select what the page shows. A screenshot is saved. With TOKEN_URL (a
truce web started with --token-file), the page asks for the token, keeps it
in a cookie and then shows the incidents.
"""
import json
import os
import sys
import time

from cdp import Browser, CDPError
from webclient import get_json, wait_until

BASE, DIR, SHOT = sys.argv[1], sys.argv[2], sys.argv[3]
PAYLOAD_EVIDENCE = '<script>window.__xss=3</script>"><img src=x onerror="window.__xss=4">'


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def cards(page):
    return page.eval("[...document.querySelectorAll('article.incident')].map(c => +c.dataset.id)")


def no_payload_ran(page, where):
    state = page.eval("""({
        xss: window.__xss === undefined ? null : window.__xss,
        scripts: [...document.scripts].map(s => s.src),
        imgs: document.images.length,
        jslinks: [...document.querySelectorAll('a')].filter(a => /^javascript:/i.test(a.getAttribute('href') || '')).length,
        inline: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => /^on/i.test(a.name))).length
    })""")
    if state["xss"] is not None:
        fail("%s: a payload ran (window.__xss = %r)" % (where, state["xss"]))
    if state["scripts"] != [BASE + "/app.js"]:
        fail("%s: scripts on the page: %r" % (where, state["scripts"]))
    if state["imgs"] or state["jslinks"] or state["inline"]:
        fail("%s: markup from the data became elements: %r" % (where, state))
    for ev in page.collect():
        m = ev.get("method")
        if m == "Page.javascriptDialogOpening":
            fail("%s: a dialog opened: %r" % (where, ev["params"]))
        if m == "Runtime.exceptionThrown":
            fail("%s: a script error: %r" % (where, ev["params"]["exceptionDetails"].get("text")))
        if m == "Log.entryAdded" and "Content Security Policy" in ev["params"]["entry"].get("text", ""):
            fail("%s: something tried to run and CSP stopped it: %s" %
                 (where, ev["params"]["entry"]["text"]))


with Browser(1280, 1400) as b:
    page = b.open(BASE + "/")
    page.wait_for("document.body.dataset.ready === '1'")
    if cards(page) != [3, 2, 1]:
        fail("incidents on the page: %r, want [3, 2, 1]" % cards(page))
    bars = page.eval("document.querySelectorAll('#timelines svg rect.bar').length")
    if not bars:
        fail("no timeline bars")
    head = page.eval("document.getElementById('incident-1').textContent")
    for want in ("Lachin", "killed 1–3", "wounded 8–14", "The Moscow Times", "NKR",
                 "breaking a ceasefire", "article #1"):
        if want not in head:
            fail("incident 1's card lacks %r" % want)
    if page.eval("document.getElementById('status').textContent") != "live":
        fail("the event stream is not live: %r" % page.eval("document.getElementById('status').textContent"))
    print("ok: the page lists incidents 3, 2, 1 with figures, claims, evidence; %d timeline bars; live" % bars)
    # The browser's EventSource asks for gzip and gets the compressed stream
    # (Network.responseReceived shows the headers as received).
    sse = [ev["params"]["response"] for ev in page.collect()
           if ev.get("method") == "Network.responseReceived"
           and "/api/events" in ev["params"]["response"]["url"]]
    enc = [{k.lower(): v for k, v in r["headers"].items()}.get("content-encoding") for r in sse]
    if not enc or enc[0] != "gzip":
        fail("the page's event stream came with Content-Encoding %r" % enc)
    print("ok: the page's EventSource reads /api/events with Content-Encoding: gzip")

    page.eval("window.__loaded_once = 42")
    open(os.path.join(DIR, "phase1"), "w").close()
    if not wait_until(lambda: os.path.exists(os.path.join(DIR, "phase2")), 120):
        fail("the shell did not collect")
    _, inc = get_json(BASE + "/api/incidents")
    want = [i["id"] for i in inc["incidents"]]
    try:
        page.wait_for("[...document.querySelectorAll('article.incident')].length === %d" % len(want), 30)
    except CDPError:
        fail("the new incidents did not appear: page %r, store %r" % (cards(page), want))
    if cards(page) != want:
        fail("after the collect the page shows %r, the store %r" % (cards(page), want))
    if page.eval("window.__loaded_once") != 42:
        fail("the page reloaded")
    print("ok: %d new incident(s) appeared without a reload, newest first: %r" % (len(want) - 3, want))

    xss = [i for i in inc["incidents"] if "Evil Outlet" in " ".join(i["sources"])]
    if not xss:
        fail("the payload article made no incident")
    xid = xss[0]["id"]
    text = page.eval("document.getElementById('incident-%d').textContent" % xid)
    for want_text in (PAYLOAD_EVIDENCE, '<img src=x onerror="window.__xss=6">Evil Outlet'):
        if want_text not in text:
            fail("incident %d does not show %r as text" % (xid, want_text))
    time.sleep(1)  # anything that would run has had its chance
    no_payload_ran(page, "the live page")
    print("ok: the payloads (<script>, \"><img onerror>, javascript: links) show as text; none ran")

    page.screenshot(SHOT)

    # The stored article, opened from its claim's link.
    _, detail = get_json(BASE + "/api/incidents/%d" % xid)
    claim = detail["claims"][0]
    page.eval("document.querySelector('#claim-%d a').click()" % claim["id"])
    page.wait_for("!document.getElementById('article').hidden && "
                  "document.querySelector('#article-body h2') !== null")
    title = page.eval("document.querySelector('#article-body h2').textContent")
    if not title.startswith("<script>window.__xss=1</script>"):
        fail("the article title is not shown as text: %r" % title)
    body = page.eval("document.getElementById('article-body').textContent")
    if "javascript:window.__xss=5" not in body:
        fail("the javascript: URL is not shown")
    mark = page.eval("(document.querySelector('#article-body mark') || {}).textContent")
    if mark != claim["evidence"]:
        fail("the evidence marked in the article: %r" % mark)
    no_payload_ran(page, "the article view")
    print("ok: the stored article shows its title and javascript: URL as text, the evidence marked")

    # Filters from the URL.
    page.navigate(BASE + "/?party=NKR")
    page.wait_for("document.body.dataset.ready === '1'")
    if cards(page) != [1] or page.eval("document.getElementById('f-party').value") != "NKR":
        fail("/?party=NKR shows %r" % cards(page))
    page.navigate(BASE + "/?conflict=karabakh&from=2023-01-01")
    page.wait_for("document.body.dataset.ready === '1'")
    if cards(page) != [xid]:
        fail("/?conflict=karabakh&from=2023-01-01 shows %r, want [%d]" % (cards(page), xid))
    print("ok: filters kept in the URL select the incidents shown")

    if len(sys.argv) > 5:
        token = open(sys.argv[5]).readline().strip()
        page = b.open(sys.argv[4] + "/")
        dialog = page.wait_event("Page.javascriptDialogOpening")
        if dialog.get("type") != "prompt" or "token" not in dialog.get("message", ""):
            fail("the page did not ask for the token: %r" % dialog)
        page.send("Page.handleJavaScriptDialog", {"accept": True, "promptText": token})
        page.wait_for("document.body.dataset.ready === '1'")
        if cards(page) != want:
            fail("with the token the page shows %r, want %r" % (cards(page), want))
        page.wait_for("document.getElementById('status').textContent === 'live'", 10)
        if "truce_token=" not in page.eval("document.cookie"):
            fail("the token is not kept in a cookie")
        print("ok: behind --token-file the page asked for the token once, kept it in a "
              "same-site cookie, and the API and the event stream took it")
print("ok: screenshot %s" % SHOT)
