#!/usr/bin/env python3
"""gen.py - deterministic article generator for the chaos and load tests.

    gen.py N OUT_PREFIX [--collectors K] [--overlap PCT] [--seed S] [--hot PCT]

Writes N distinct articles in the corpus JSON Lines format, split over K
files OUT_PREFIX.0.jsonl .. OUT_PREFIX.{K-1}.jsonl. Each article has its own
URL (so its own content key) and a body of ceasefire-violation sentences an
extractor can find claims in. --overlap PCT puts that share of the articles
in every file too, so that collectors race to store the same article and
the daemon's dedup is exercised under crashes. --hot PCT dates that share of
the articles on one of two days (2022-08-03 and 2022-08-04): their claims
pile into a handful of incidents of thousands of claims each, as a truce
broken every day for months would. OUT_PREFIX.all.jsonl holds each article
once (the reference list for the checks).
"""
import argparse
import json
import random

PARTIES = [
    ("Armenian", "Azerbaijani", "Armenia", "Azerbaijan"),
    ("Azerbaijani", "Armenian", "Azerbaijan", "Armenia"),
    ("Ukrainian", "Russian", "Ukraine", "Russia"),
    ("Russian", "Ukrainian", "Russia", "Ukraine"),
    ("Indian", "Pakistani", "India", "Pakistan"),
    ("Pakistani", "Indian", "Pakistan", "India"),
]
PLACES = ["Tavush", "Gegharkunik", "Syunik", "Tovuz", "Aghdam", "Donetsk", "Horlivka",
          "Avdiivka", "Poonch", "Rajouri", "Kupwara", "Lachin", "Shusha", "Martuni"]
SOURCES = ["The Moscow Times", "Reuters", "Asbarez", "Trend", "Interfax", "Dawn",
           "The Hindu", "Kyiv Independent", "Armenpress", "APA"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
FILLER = [
    "Diplomats in Brussels called on both sides to show restraint.",
    "The situation along the line of contact remained tense on Tuesday.",
    "Observers said they could not independently verify the reports.",
    "The talks are expected to resume next month in Vienna.",
    "Local residents described hearing gunfire throughout the night.",
]


def article(i, rng, hot):
    claimant, accused, cl_country, acc_country = rng.choice(PARTIES)
    place = rng.choice(PLACES)
    month = rng.randrange(12)
    day = rng.randrange(1, 28)
    year = rng.choice([2020, 2021, 2022, 2023])
    if hot > 0 and rng.random() * 100 < hot:
        year, month, day = 2022, 7, rng.choice([3, 4])
    killed, wounded = rng.randrange(0, 9), rng.randrange(0, 20)
    sentences = [
        f"The {claimant} defence ministry said {accused} forces violated the ceasefire "
        f"near {place} on {day} {MONTHS[month]}, killing {killed} soldiers and "
        f"wounding {wounded}.",
        rng.choice(FILLER),
        f"{cl_country} accused {acc_country} of breaking the truce with mortar and "
        f"sniper fire, report number {i}.",
        rng.choice(FILLER),
    ]
    if rng.random() < 0.3:
        sentences.append(f"{acc_country} denied the accusation and said {cl_country} "
                         f"had opened fire first near {rng.choice(PLACES)}.")
    return {
        "id": f"chaos-{i:07d}",
        "url": f"https://chaos.example/{year}/{i:07d}",
        "source": rng.choice(SOURCES),
        "published": f"{year}-{month + 1:02d}-{day:02d}",
        "title": f"{cl_country} accuses {acc_country} of ceasefire violation ({i})",
        "body": " ".join(sentences),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("prefix")
    ap.add_argument("--collectors", type=int, default=2)
    ap.add_argument("--overlap", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hot", type=float, default=0.0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    outs = [open(f"{a.prefix}.{k}.jsonl", "w") for k in range(a.collectors)]
    with open(f"{a.prefix}.all.jsonl", "w") as every:
        for i in range(a.n):
            line = json.dumps(article(i, rng, a.hot)) + "\n"
            every.write(line)
            if rng.random() * 100 < a.overlap:
                for o in outs:
                    o.write(line)
            else:
                outs[i % a.collectors].write(line)
    for o in outs:
        o.close()


if __name__ == "__main__":
    main()
