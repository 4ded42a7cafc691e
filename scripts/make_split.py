"""Choose the gold holdout and gold dev passages of the shared corpus, once, reproducibly.

Holdout: stratified by broadcast year so that it spans the corpus' whole period; passages of
300-1000 characters only, so that each can be annotated by hand in full.
Dev (for every choice: early stopping, thresholds, defaults): 40 further passages, stratified by
year the same way, led by provinces that do not lead a holdout passage where the year has them,
300-800 characters. Both are kept out of weak-label training. Re-running the script with the same
corpus and seeds gives the same file (the holdout draw is unchanged by the dev draw).
Dev, second part (``dev_extra``): 40 passages of ../shared/corpus-extra, 300-800 characters, on the
topic (扶贫, 脱贫 or 贫困 in the text: a third of the extra passages are news without an entity),
stratified by year in proportion to those passages, and sharing no sentence of 20 or more characters
with any passage of the corpus (no reprint of training or gold text). They are kept out of every use
of the extra passages in training (self-training, ``extra_text``). A 40-passage dev set could not
tell apart recipes less than about a point apart; 80 narrow the intervals by about a third.
Hand-labelled training passages (``train_gold``): passages of the training part of the corpus, on
the topic, by year in proportion, sharing no sentence of 20 or more characters with a holdout or dev
passage, drawn in rounds (``TRAIN_GOLD_ROUNDS``: 96 of 300-800 characters, then 96 more of 300-1000,
the holdout's range, from those left; ...), then, when the corpus had none left, from the extra
passages (``TRAIN_GOLD_EXTRA_ROUNDS``: on the topic, sharing no sentence with any corpus passage or
the dev gold's extra passages). They stay training text; two readers label each by hand
(data/train_gold), so that the model can learn what the rules cannot teach it.

    python -m scripts.make_split [--corpus DIR] [--extra DIR] [--out data/split.json]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections import defaultdict
from pathlib import Path

PER_YEAR = {"2014": 1, "2015": 4, "2016": 4, "2017": 4, "2018": 4, "2019": 4,
            "2020": 5, "2021": 4, "2022": 4, "2023": 1, "2024": 1}
DEV_PER_YEAR = {"2014": 2, "2015": 4, "2016": 5, "2017": 5, "2018": 4, "2019": 4,
                "2020": 6, "2021": 4, "2022": 4, "2023": 1, "2024": 1}
SEED = 20261123
DEV_SEED = 20261201
DEV_EXTRA_SEED = 20261202
DEV_EXTRA_SIZE = 40
# hand-labelled training passages, drawn in rounds: (seed, passages, longest passage in characters)
TRAIN_GOLD_ROUNDS = ((20261203, 96, 800), (20261204, 96, 1000), (20261205, 120, 1000),
                     (20261206, 101, 1000), (20261207, 55, 1500))
# ... then from ../shared/corpus-extra, when the corpus had no on-topic training passage left:
# (seed, passages, longest passage in characters), on the topic, sharing no sentence with the corpus
TRAIN_GOLD_EXTRA_ROUNDS = ((20261208, 192, 800), (20261209, 192, 800), (20261210, 96, 800), (20261211, 96, 800))
_TOPIC = re.compile("扶贫|脱贫|贫困")


def _year(row: dict) -> str:
    return row["source"].split("assets/")[1][:4]


def _lead_province(row: dict) -> str:
    parts = row["description"].split("; ")
    return parts[1].split(",")[0].strip() if len(parts) > 1 else ""


def _by_share(by_year: dict[str, list], size: int) -> dict[str, int]:
    """``size`` draws shared among the years in proportion to their candidates (largest remainders)."""
    total = sum(map(len, by_year.values()))
    quota = {y: size * len(v) / total for y, v in by_year.items()}
    counts = {y: int(q) for y, q in quota.items()}
    for y in sorted(quota, key=lambda y: (counts[y] - quota[y], y))[:size - sum(counts.values())]:
        counts[y] += 1
    return counts


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


def choose_extra(rows: list[dict], texts: dict[str, str], corpus_texts: list[str]) -> list[str]:
    """``DEV_EXTRA_SIZE`` on-topic extra passages, by year in proportion to the candidates
    (largest remainders), none sharing a sentence with the corpus."""
    from model.corpus import long_sentences

    corpus_sentences = set().union(*map(long_sentences, corpus_texts)) if corpus_texts else set()
    by_year: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        text = texts[r["file"]]
        if 300 <= len(text) <= 800 and _TOPIC.search(text) and not (long_sentences(text) & corpus_sentences):
            by_year[_year(r)].append(r)
    counts = _by_share(by_year, DEV_EXTRA_SIZE)
    rng = random.Random(DEV_EXTRA_SEED)
    out = []
    for year in sorted(by_year):
        pool = sorted(by_year[year], key=lambda r: r["file"])
        out += [r["file"] for r in rng.sample(pool, counts[year])]
    return sorted(out)


def _draw_rounds(names: list[str], texts: dict[str, str], avoid_texts: list[str], year: dict[str, str],
                 rounds: tuple[tuple[int, int, int], ...]) -> list[list[str]]:
    """Each of ``rounds`` (seed, passages, longest) in turn: on-topic passages of ``names`` of 300
    characters up to the round's longest, not drawn before, by year in proportion to the candidates
    (largest remainders), none sharing a sentence of 20 or more characters with ``avoid_texts`` (no
    reprint of gold text). One sorted list per round (``hand_rounds`` trains on the first N)."""
    from model.corpus import long_sentences

    avoid = set().union(*map(long_sentences, avoid_texts)) if avoid_texts else set()
    clean = [name for name in sorted(names) if _TOPIC.search(texts[name]) and not (long_sentences(texts[name]) & avoid)]
    chosen: set[str] = set()
    out: list[list[str]] = []
    for seed, size, longest in rounds:
        by_year: dict[str, list[str]] = defaultdict(list)
        for name in clean:
            if 300 <= len(texts[name]) <= longest and name not in chosen:
                by_year[year[name]].append(name)
        counts = _by_share(by_year, size)
        rng = random.Random(seed)
        out.append(sorted(name for y in sorted(by_year) for name in rng.sample(by_year[y], counts[y])))
        chosen.update(out[-1])
    return out


def choose_train_gold(train: list[str], texts: dict[str, str], held_texts: list[str],
                      year: dict[str, str]) -> list[list[str]]:
    """``TRAIN_GOLD_ROUNDS`` over the corpus' training passages, none sharing a sentence with
    held-out text (a holdout or dev passage)."""
    return _draw_rounds(train, texts, held_texts, year, TRAIN_GOLD_ROUNDS)


def choose_train_gold_extra(texts: dict[str, str], avoid_texts: list[str], year: dict[str, str]) -> list[list[str]]:
    """``TRAIN_GOLD_EXTRA_ROUNDS`` over the extra passages in ``texts`` (the dev gold's extra passages
    left out), none sharing a sentence with ``avoid_texts`` (every corpus passage and the dev gold's
    extra passages: distinct text, no reprint of gold)."""
    return _draw_rounds(list(texts), texts, avoid_texts, year, TRAIN_GOLD_EXTRA_ROUNDS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="../shared/corpus", help="the shared corpus (with SOURCES.tsv)")
    parser.add_argument("--extra", default="../shared/corpus-extra", help="the extra passages (with SOURCES.tsv)")
    parser.add_argument("--out", default="data/split.json")
    args = parser.parse_args(argv)
    sources = Path(args.corpus) / "SOURCES.tsv"
    if not sources.is_file():
        parser.error(f"{sources} not found: point --corpus at the shared corpus")
    with open(sources, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    holdout, dev = choose(rows)
    held = set(holdout) | set(dev)
    extra_sources = Path(args.extra) / "SOURCES.tsv"
    if not extra_sources.is_file():
        parser.error(f"{extra_sources} not found: point --extra at the extra passages")
    with open(extra_sources, encoding="utf-8") as f:
        extra_rows = list(csv.DictReader(f, delimiter="\t"))
    read = lambda root, name: (Path(root) / name).read_text(encoding="utf-8")  # noqa: E731
    dev_extra = choose_extra(extra_rows, {r["file"]: read(args.extra, r["file"]) for r in extra_rows},
                             [read(args.corpus, r["file"]) for r in rows])
    train = sorted(r["file"] for r in rows if r["file"] not in held)
    train_gold_by_round = choose_train_gold(
        train, {name: read(args.corpus, name) for name in train},
        [read(args.corpus, name) for name in sorted(held)] + [read(args.extra, name) for name in dev_extra],
        {r["file"]: _year(r) for r in rows})
    train_gold_by_round += choose_train_gold_extra(
        {r["file"]: read(args.extra, r["file"]) for r in extra_rows if r["file"] not in set(dev_extra)},
        [read(args.corpus, r["file"]) for r in rows] + [read(args.extra, name) for name in dev_extra],
        {r["file"]: _year(r) for r in extra_rows})
    split = {
        "about": "Document-level split of ../shared/corpus. Holdout and dev passages never enter "
                 "weak-label training; choices are made on dev, the holdout is scored once per finished "
                 "recipe. Seeds (data/seeds) are always training text. Made by scripts/make_split.py.",
        "seed": SEED,
        "dev_seed": DEV_SEED,
        "holdout": holdout,
        "dev": dev,
        "dev_extra_seed": DEV_EXTRA_SEED,
        "dev_extra": dev_extra,
        "train": train,
        "train_gold_rounds": [list(r) for r in TRAIN_GOLD_ROUNDS],
        "train_gold_extra_rounds": [list(r) for r in TRAIN_GOLD_EXTRA_ROUNDS],
        "train_gold": sorted(name for r in train_gold_by_round for name in r),
        "train_gold_by_round": train_gold_by_round,
    }
    Path(args.out).write_text(json.dumps(split, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"holdout {len(holdout)}, dev {len(dev)} + {len(dev_extra)} extra, train {len(split['train'])} "
          f"passages ({len(split['train_gold'])} of them hand-labelled) -> {args.out}")


if __name__ == "__main__":
    main()
