"""Choose the gold holdout passages of the shared corpus, once, reproducibly.

Stratified by broadcast year so the holdout spans the corpus' whole period; passages of
300-1000 characters only, so that each can be annotated by hand in full. Writes
data/split.json; re-running it with the same corpus and seed gives the same file.
"""
from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

PER_YEAR = {"2014": 1, "2015": 4, "2016": 4, "2017": 4, "2018": 4, "2019": 4,
            "2020": 5, "2021": 4, "2022": 4, "2023": 1, "2024": 1}
SEED = 20261123


def main(corpus_dir: str = "../shared/corpus", out: str = "data/split.json") -> None:
    rows = list(csv.DictReader(open(Path(corpus_dir) / "SOURCES.tsv", encoding="utf-8"), delimiter="\t"))
    by_year: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        year = r["source"].split("assets/")[1][:4]
        if 300 <= int(r["chars"]) <= 1000:
            by_year[year].append(r)
    rng = random.Random(SEED)
    holdout = []
    for year, n in sorted(PER_YEAR.items()):
        pool = sorted(by_year[year], key=lambda r: r["file"])
        holdout += [r["file"] for r in rng.sample(pool, min(n, len(pool)))]
    holdout.sort()
    train = sorted(r["file"] for r in rows if r["file"] not in set(holdout))
    split = {
        "about": "Document-level split of ../shared/corpus. Holdout passages never enter training. "
                 "Seeds (data/seeds) are always training text. Made by scripts/make_split.py.",
        "seed": SEED,
        "holdout": holdout,
        "train": train,
    }
    Path(out).write_text(json.dumps(split, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"holdout {len(holdout)} passages, train {len(train)} passages -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
