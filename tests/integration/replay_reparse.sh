#!/usr/bin/env bash
# truce replay --reparse: with the rules the daemon used, every stored claim
# comes out "same" (exit 0). With a rule file changed (one alias of a party
# or one place name taken out of the extractor's data files), it reports
# exactly the claims that change makes different, no more and no fewer
# (exit 1).
#
# "Exactly" is checked against an independent oracle: `truce extract` run
# offline on the exported corpus with the built-in rules and with the
# changed ones; the difference between those two runs, claim by claim, is
# what --reparse --diff must print. The changed rule file is derived from
# whatever daemon/extract/rules/ holds: candidates are names that occur in
# the stored claims (their locations, aliases of their claimants found in
# their evidence), and the first whose removal changes any claim is used.
. "$(dirname "$0")/lib.sh"
RULES=$TRUCE_SOURCE_DIR/daemon/extract/rules
GEN=$TRUCE_SOURCE_DIR/tests/integration/genarticles.py
[ -d "$RULES" ] || { echo "skip: no extractor rule files in $RULES yet"; exit 77; }

start_daemon
python3 "$GEN" 6 --tag reparse >"$T/gen.jsonl"
collect_corpus "$T/gen.jsonl"
claims=$(tstat claims)
[ "$claims" -gt 0 ] || { echo "skip: the extractor found no claims (placeholder extractor?)"; exit 77; }

D=$T/data
"$TRUCE" replay --data "$D" --export "$T/corpus.jsonl" --quiet || fail "export"
"$TRUCE" replay --data "$D" --claims >"$T/stored.jsonl" || fail "replay --claims"
"$TRUCE" extract --jsonl "$T/corpus.jsonl" --quiet >"$T/base.jsonl" || fail "extract (built-in rules)"

# 1. The rules the daemon used: all same, exit 0, no diff lines.
rc=0
"$TRUCE" replay --data "$D" --reparse --diff --json >"$T/same.out" 2>"$T/same.err" || rc=$?
[ "$rc" = 0 ] || fail "reparse with the daemon's rules exited $rc: $(cat "$T/same.out" "$T/same.err" | head -5)"
python3 - "$T/same.out" "$claims" <<'PY' || fail "reparse with the daemon's rules: $(cat "$T/same.out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 1 and "summary" in lines[0], lines
s = lines[0]["summary"]
n = int(sys.argv[2])
assert s["stored"] == n and s["reparsed"] == n and s["same"] == n, s
assert s["changed"] == s["new"] == s["gone"] == 0, s
PY
pass "reparse with the daemon's rules: all $claims claims same, exit 0"

# 2. Find a rule change that matters, and the oracle's expected diff.
python3 - "$RULES" "$T" "$TRUCE" <<'PY' || fail "no rule change found"
import json, os, re, shutil, subprocess, sys
rules, T, truce = sys.argv[1:4]
corpus = [json.loads(l) for l in open(f"{T}/corpus.jsonl")]
stored = [json.loads(l) for l in open(f"{T}/stored.jsonl")]
base = [json.loads(l) for l in open(f"{T}/base.jsonl")]
assert len(corpus) == len(stored) == len(base)
fields = ("event_date", "location", "killed", "wounded")

def key(c):
    return tuple(c.get(f) for f in fields)

# The oracle's premise: the built-in rules re-derive the stored claims.
for s, b in zip(stored, base):
    got = [(c["claimant"], c["accused"]) + key(c) for c in s["claims"]]
    want = [(c["claimant"], c["accused"]) + key(c) for c in b["claims"]]
    assert got == want, (s["seq"], got, want)

def diff(old, new, seq):
    """The comparison --reparse makes, written independently."""
    out, used = [], [False] * len(new)
    for o in old:
        j = next((j for j, n in enumerate(new) if not used[j] and
                  (n["claimant"], n["accused"]) == (o["claimant"], o["accused"])), None)
        if j is None:
            out.append((seq, "gone", o["claimant"], o["accused"], (), key(o), None))
            continue
        used[j] = True
        changed = tuple(f for f in fields if o.get(f) != new[j].get(f))
        if changed:
            out.append((seq, "changed", o["claimant"], o["accused"], changed, key(o), key(new[j])))
    for j, n in enumerate(new):
        if not used[j]:
            out.append((seq, "new", n["claimant"], n["accused"], (), None, key(n)))
    return out

def table(f):
    path = os.path.join(rules, f)
    return open(path, encoding="utf-8").read().split("\n") if os.path.exists(path) else []

def place_candidates(lines):
    locs = [c["location"] for s in stored for c in s["claims"] if c["location"]]
    for loc in sorted(set(locs), key=lambda x: (-locs.count(x), x)):
        for i, l in enumerate(lines):
            cols = l.split("\t")
            if len(cols) == 3 and not l.startswith("#") and loc in cols[2].split("|"):
                yield "places.tsv", i, loc

def party_candidates(lines):
    for s in stored:
        for c in s["claims"]:
            ev = (c.get("evidence") or "").lower()
            for i, l in enumerate(lines):
                cols = l.split("\t")
                if len(cols) != 3 or l.startswith("#") or cols[0] != c["claimant"]:
                    continue
                for a in sorted(cols[2].split("|"), key=len, reverse=True):
                    if re.search(r"\b" + re.escape(a.lower()) + r"\b", ev):
                        yield "parties.tsv", i, a

def candidates():
    """(file, line, name) to take out: names the stored claims rest on,
    places and party aliases in turn, each once."""
    lines = {"places.tsv": table("places.tsv"), "parties.tsv": table("parties.tsv")}
    gens = [place_candidates(lines["places.tsv"]), party_candidates(lines["parties.tsv"])]
    seen = set()
    while gens:
        for g in list(gens):
            c = next(g, None)
            if c is None:
                gens.remove(g)
            elif c not in seen:
                seen.add(c)
                yield c[0], lines, c[1], c[2]

def try_change(f, lines, i, alias, d):
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    cols = lines[f][i].split("\t")
    left = [a for a in cols[2].split("|") if a != alias]
    new_lines = list(lines[f])
    if left:
        new_lines[i] = "\t".join(cols[:2] + ["|".join(left)])
    else:
        del new_lines[i]
    open(os.path.join(d, f), "w", encoding="utf-8").write("\n".join(new_lines))
    r = subprocess.run([truce, "extract", "--rules", d, "--jsonl", f"{T}/corpus.jsonl", "--quiet"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    changed = [json.loads(l) for l in r.stdout.splitlines()]
    return [e for s, b, c in zip(stored, base, changed) for e in diff(b["claims"], c["claims"], s["seq"])]

# The most telling of the first candidates: most kinds of change, then most
# differences, but never every article (that would test nothing).
best = None
for n, (f, lines, i, alias) in enumerate(candidates()):
    if n >= 16:
        break
    want = try_change(f, lines, i, alias, f"{T}/try")
    if not want or len({e[0] for e in want}) == len(corpus):
        continue
    score = (len({e[1] for e in want}), len(want))
    if best is None or score > best[0]:
        best = (score, f, lines, i, alias)
if best is None:
    sys.exit("no candidate rule change altered any claim")
_, f, lines, i, alias = best
want = try_change(f, lines, i, alias, f"{T}/rules")
# No claim about "only articles that mention the name": the extractor may
# weigh a mention against the whole rule set (which conflict an article is
# about), so the oracle, not the text, says what a change affects.
json.dump({"file": f, "alias": alias, "want": want}, open(f"{T}/want.json", "w"))
print(f"rule change: '{alias}' taken out of {f}: {len(want)} claim differences "
      f"in {len({e[0] for e in want})} of {len(corpus)} articles")
sys.exit(0)
PY
read -r alias file < <(python3 -c "import json; w=json.load(open('$T/want.json')); print(w['alias'], w['file'])")

# 3. --reparse --rules --diff prints exactly the oracle's differences.
check_diff() { # OUTPUT-FILE [FROM TO]
  python3 - "$T/want.json" "$@" <<'PY'
import json, sys
want = [tuple(tuple(x) if isinstance(x, list) else x for x in e) for e in json.load(open(sys.argv[1]))["want"]]
if len(sys.argv) > 3:
    lo, hi = int(sys.argv[3]), int(sys.argv[4])
    want = [e for e in want if lo <= e[0] <= hi]
lines = [json.loads(l) for l in open(sys.argv[2])]
summary = [l["summary"] for l in lines if "summary" in l]
changes = [l for l in lines if "change" in l]
assert len(summary) == 1 and len(changes) + 1 == len(lines), lines
def val(v):
    return None if v is None else tuple(v.get(f) for f in ("event_date", "location", "killed", "wounded"))
got = [(c["article_seq"], c["change"], c["claimant"], c["accused"], tuple(c["fields"]),
        val(c["stored"]), val(c["reparsed"])) for c in changes]
assert sorted(got, key=repr) == sorted(want, key=repr), ("got", got, "want", want)
s = summary[0]
for k in ("changed", "new", "gone"):
    assert s[k] == sum(1 for e in want if e[1] == k), (k, s)
assert s["same"] + s["changed"] + s["gone"] == s["stored"], s
assert s["same"] + s["changed"] + s["new"] == s["reparsed"], s
print(f"{len(got)} differences: {s['changed']} changed, {s['new']} new, {s['gone']} gone")
PY
}
rc=0
"$TRUCE" replay --data "$D" --reparse --rules "$T/rules" --diff --json >"$T/diff.out" 2>"$T/diff.err" || rc=$?
[ "$rc" = 1 ] || fail "reparse with changed rules exited $rc: $(cat "$T/diff.err")"
msg=$(check_diff "$T/diff.out") || fail "reparse --diff is not the oracle's difference"
pass "'$alias' out of $file: --reparse --diff reports exactly the affected claims ($msg), exit 1"

# On any number of threads the output is the same, byte for byte: articles
# are extracted out of order but compared and printed in order.
for th in 1 3; do
  rc=0
  "$TRUCE" replay --data "$D" --reparse --rules "$T/rules" --diff --json --threads "$th" \
    >"$T/diff_t$th.out" 2>/dev/null || rc=$?
  [ "$rc" = 1 ] && cmp -s "$T/diff.out" "$T/diff_t$th.out" \
    || fail "--reparse --threads $th printed otherwise than the default (exit $rc)"
done
pass "--reparse --threads 1 and 3 print exactly what the default prints"

last=$(tstat articles); mid=$((last / 2))
rc=0
"$TRUCE" replay --data "$D" --reparse --rules "$T/rules" --diff --json --from "$mid" --to "$last" \
  >"$T/diff_part.out" 2>/dev/null || rc=$?
[ "$rc" -le 1 ] || fail "ranged reparse exited $rc"
check_diff "$T/diff_part.out" "$mid" "$last" >/dev/null || fail "ranged reparse --diff is not the oracle's difference"
pass "--from $mid --to $last: exactly the affected claims in that range"

rc=0
"$TRUCE" replay --connect "$QRY" --reparse --rules "$T/rules" --diff --json >"$T/diff_remote.out" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "remote reparse exited $rc"
cmp -s "$T/diff.out" "$T/diff_remote.out" || fail "--connect reparse differs from --data"
pass "--connect reparse prints the same"

# Without --diff: the summary alone; as a table: readable lines.
"$TRUCE" replay --data "$D" --reparse --rules "$T/rules" --format table >"$T/sum.out" 2>/dev/null && fail "exit 0 with differences"
[ "$(wc -l <"$T/sum.out")" = 1 ] && grep -q "^reparse: [0-9]* articles; stored $claims claims" "$T/sum.out" \
  || fail "table summary: $(cat "$T/sum.out")"
"$TRUCE" replay --data "$D" --reparse --rules "$T/rules" --format table --diff >"$T/tdiff.out" 2>/dev/null || true
[ "$(grep -c '^#' "$T/tdiff.out")" = "$(grep -c '"change"' "$T/diff.out")" ] || fail "table diff lines: $(cat "$T/tdiff.out")"
pass "table: $(tail -1 "$T/sum.out")"

rc=0; "$TRUCE" replay --data "$D" --reparse --rules "$T/no-such-dir" >/dev/null 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "missing rules dir exited $rc, want 3"
rc=0; out=$("$TRUCE" replay --data "$D" --reparse --from 100000 2>/dev/null) || rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || fail "empty range reparse: exit $rc, '$out'"
pass "a missing rules dir exits 3; an empty range prints nothing, exit 0"
