"""The model card (README.md in the saved model directory): data, labels, scores, limits."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from .config import TrainConfig
from .evaluate import SCRIPTS, evaluate, model_system, weak_system
from .labels import TAGS
from .report import score_table

log = logging.getLogger(__name__)


def write_model_card(model_dir: Path, config: TrainConfig) -> dict | None:
    """Score the freshly saved model on the gold holdout and write its README (the card)."""
    gold = config.resolve(config.gold)
    meta = json.loads((model_dir / "training_meta.json").read_text(encoding="utf-8"))
    scores_md = "No gold holdout was available (the shared corpus is missing), so no score is given."
    report = None
    try:
        report = evaluate(gold, {"predict": model_system(model_dir, quantize=False), "rules": weak_system()},
                          config.corpus_dir, n_boot=200, details=False)
    except (FileNotFoundError, ValueError) as err:
        log.warning("no holdout evaluation: %s", err)
    if report:
        scores_md = "\n\n".join(f"**{s}**\n\n" + score_table(report, ["predict", "rules"], s) for s in SCRIPTS)
        (model_dir / "holdout_scores.json").write_text(
            json.dumps({s: report["systems"]["predict"]["by_script"][s]["strict"] for s in SCRIPTS}, indent=1),
            encoding="utf-8")
    hand = meta["data"].get("hand_labelled_passages") or 0
    hand_note = (f", {hand} of them labelled by hand, whose labels replace the rules' and whose windows "
                 f"are read {meta['data'].get('hand_repeat')} times") if hand else ""
    card = f"""---
language: zh
license: mit
tags: [token-classification, ner, chinese, weak-supervision]
---
# Poverty-alleviation NER (REGION, PROGRAM, AMOUNT, POPULATION)

A character-level token classifier fine-tuned from `{meta['base_model']}` on weak labels
(rules and gazetteers, see the project README) over {meta['data']['seeds']} seed documents and
{meta['data']['corpus_passages']} corpus passages{hand_note} ({meta['train_windows_used']} training windows).
Labels (`id2label`): {', '.join(TAGS)}. Input: one token per character of the normalised text
(simplified script, half-width, inline pinyin removed); use the package's `predict()`, which
normalises and maps spans back to the caller's original string.

Config: `{config.config_path}`; seed {config.seed}; trained in {meta['train_seconds']} s on
`{meta['device']}`; commit `{meta['git_commit']}`.

## Gold holdout scores (strict, %)

{scores_md}

## Limits
- Trained mostly on weak labels: it inherits many of the rules' blind spots (see the project's
  evaluation report).
- News and report prose from mainland China, 2014-2024; other genres are untested.
- Windows of {config.max_length} tokens; longer documents are read in overlapping windows.
"""
    (model_dir / "README.md").write_text(card, encoding="utf-8")
    return report


SCORES_HEADING = "## Gold holdout scores (strict, %)"
SERVING_HEADING = "## Serving changed since these scores"


def note_serving_changes(model_dir: str | Path, changes: list[dict]) -> bool:
    """Say in the card, just above its scores, that the model is now served otherwise than when
    they were computed (``model.inference_settings``), listing every change, so that nobody takes
    them for what ``predict()`` returns today. The section is rebuilt from the full list each time.
    Returns whether a card was there to update."""
    path = Path(model_dir) / "README.md"
    if not path.is_file() or not changes:
        return False
    card = path.read_text(encoding="utf-8")
    start = card.find(SERVING_HEADING)
    if start >= 0:  # drop the old section: up to the next heading
        end = card.find("\n## ", start + len(SERVING_HEADING))
        card = card[:start] + (card[end + 1:] if end >= 0 else "")
    items = []
    for change in changes:
        settings = ", ".join(f"`{key}` {change.get('was', {}).get(key)!r} → {value!r}"
                             for key, value in change.get("set", {}).items())
        commit = f" at `{change['git_commit']}`" if change.get("git_commit") else ""
        items.append(f"- {change.get('date', '?')}{commit}: {settings}")
    section = (f"{SERVING_HEADING}\n\nThe scores below were computed as the model was served when it was "
               "trained; its inference block (`config.json`) has changed since, so `predict()` now returns "
               "other spans. Score it again with `make eval`.\n\n" + "\n".join(items) + "\n\n")
    at = card.find(SCORES_HEADING)
    card = card[:at] + section + card[at:] if at >= 0 else card.rstrip("\n") + "\n\n" + section
    path.write_text(card, encoding="utf-8")
    return True
