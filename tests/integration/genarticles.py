#!/usr/bin/env python3
"""Generates synthetic articles in the corpus JSON Lines format, for load and
subscriber tests: each one carries one plain accusation of a ceasefire
violation, alternating between two conflicts, a week apart from the article
before it in the same conflict, so that each opens an incident of its own.

    genarticles.py N [--start K] [--tag TAG] > articles.jsonl
"""
import argparse
import datetime
import json

FRAMES = [
    ("karabakh",
     "Armenia's defence ministry accused Azerbaijan of violating the ceasefire on "
     "{weekday}, saying {n} soldiers were wounded near the village of {place}."),
    ("donbas",
     "Ukraine's military accused Russian forces of violating the ceasefire on "
     "{weekday}, saying {n} soldiers were wounded near {place}."),
]
PLACES = ["Tegh", "Sotk", "Jermuk", "Avdiivka", "Marinka", "Shyrokyne"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--tag", default="gen")
    a = ap.parse_args()
    base = datetime.date(2019, 1, 7)  # a Monday
    for i in range(a.start, a.start + a.n):
        conflict, frame = FRAMES[i % 2]
        published = base + datetime.timedelta(days=7 * (i // 2))
        event = published - datetime.timedelta(days=1)
        body = frame.format(weekday=event.strftime("%A"), n=2 + i % 5,
                            place=PLACES[(i // 2) % 3 + 3 * (i % 2)])
        body += f" The report was number {i} of the {a.tag} series."
        print(json.dumps({
            "id": f"{a.tag}-{i}",
            "url": f"https://example.test/{a.tag}/{i}",
            "source": f"Outlet {i % 7}",
            "published": published.isoformat(),
            "title": f"Ceasefire violation reported ({conflict}, {i})",
            "body": body,
        }))


if __name__ == "__main__":
    main()
