"""Choose the gold holdout and gold dev passages of the shared corpus, once, reproducibly.

Holdout: stratified by broadcast year so that it spans the corpus' whole period; passages of
300-1000 characters only, so that each can be annotated by hand in full.
Dev (for every choice: early stopping, thresholds, defaults): 40 further passages, stratified by
year the same way, led by provinces that do not lead a holdout passage where the year has them,
300-800 characters. Both are kept out of weak-label training. Re-running the script with the same
corpus and seeds gives the same file (the holdout draw is unchanged by the dev draw).

    python -m scripts.make_split [--corpus DIR] [--out data/split.json]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
from collections import defaultdict
from pathlib import Path

PER_YEAR = {"2014": 1, "2015": 4, "2016": 4, "2017": 4, "2018": 4, "2019": 4,
            "2020": 5, "2021": 4, "2022": 4, "2023": 1, "2024": 1}
DEV_PER_YEAR = {"2014": 2, "2015": 4, "2016": 5, "2017": 5, "2018": 4, "2019": 4,
                "2020": 6, "2021": 4, "2022": 4, "2023": 1, "2024": 1}
SEED = 20261123
DEV_SEED = 20261201


def _year(row: dict) -> str:
    return row["source"].split("assets/")[1][:4]


def _lead_province(row: dict) -> str:
    parts = row["description"].split("; ")
    return parts[1].split(",")[0].strip() if len(parts) > 1 else ""


def choose(rows: list[dict]) -> tuple[list[str], list[str]]:
    by_year: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if 300 <= int(r["chars"]) <= 1000:
            by_year[_year(r)].append(r)
    rng = random.Random(SEED)
    holdout = []
    for year, n in sorted(PER_YEAR.items()):
        pool = sorted(by_year[year], key=lambda r: r["file"])
        holdout += [r["file"] for r in rng.sample(pool, min(n, len(pool)))]
    taken = set(holdout)
    holdout_leads = {_lead_province(r) for r in rows if r["file"] in taken}
    rng = random.Random(DEV_SEED)
    dev = []
    for year, n in sorted(DEV_PER_YEAR.items()):
        pool = sorted((r for r in by_year[year] if r["file"] not in taken and int(r["chars"]) <= 800),
                      key=lambda r: r["file"])
        fresh = [r for r in pool if _lead_province(r) not in holdout_leads]
        pick = rng.sample(fresh, min(n, len(fresh)))
        rest = [r for r in pool if r not in pick]
        pick += rng.sample(rest, min(n - len(pick), len(rest)))
        dev += [r["file"] for r in pick]
    return sorted(holdout), sorted(dev)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="../shared/corpus", help="the shared corpus (with SOURCES.tsv)")
    parser.add_argument("--out", default="data/split.json")
    args = parser.parse_args(argv)
    sources = Path(args.corpus) / "SOURCES.tsv"
    if not sources.is_file():
        parser.error(f"{sources} not found: point --corpus at the shared corpus")
    with open(sources, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    holdout, dev = choose(rows)
    held = set(holdout) | set(dev)
    split = {
        "about": "Document-level split of ../shared/corpus. Holdout and dev passages never enter "
                 "weak-label training; choices are made on dev, the holdout is scored once per finished "
                 "recipe. Seeds (data/seeds) are always training text. Made by scripts/make_split.py.",
        "seed": SEED,
        "dev_seed": DEV_SEED,
        "holdout": holdout,
        "dev": dev,
        "train": sorted(r["file"] for r in rows if r["file"] not in held),
    }
    Path(args.out).write_text(json.dumps(split, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"holdout {len(holdout)}, dev {len(dev)}, train {len(split['train'])} passages -> {args.out}")


if __name__ == "__main__":
    main()
