"""Change how a trained model directory is served, without training it again.

``predict()`` reads its serving settings (the merge of the model's spans with the rules', and its
threshold) from the ``inference`` block of the model's ``config.json``, written at training from the
training config. They do not change the weights, so a choice made later on the dev gold (or a user
who wants a different precision/recall balance) needs no retraining. Each change is recorded in
``training_meta.json`` (``inference_changes``: what, from what, when, at which commit), so that a
report can say how the model it scores is served, and in the model card above its scores, which
were computed as the model was served at training.

    python -m model.inference_settings artifacts/model --merge model-first --merge-threshold 0.9
    python -m model.inference_settings artifacts/model --snap-quotes on --whole-numbers on
    python -m model.inference_settings artifacts/model --min-score 0.8
    python -m model.inference_settings artifacts/model            # print the current settings
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from .merge import POLICIES, check_settings
from .provenance import git_commit

log = logging.getLogger(__name__)


def set_settings(model_dir: str | Path, merge: str | None = None, merge_threshold: float | None = None,
                 snap_quotes: bool | None = None, whole_numbers: bool | None = None,
                 min_score: float | None = None) -> dict:
    """Write ``merge``, ``merge_threshold``, ``snap_quotes``, ``whole_numbers`` and/or ``min_score``
    into the model's inference block; returns the new block. Bad values are refused before anything
    is written."""
    check_settings(merge, merge_threshold, min_score)
    model_dir = Path(model_dir)
    path = model_dir / "config.json"
    if not path.is_file():
        raise FileNotFoundError(f"{model_dir}: no config.json (not a trained model directory)")
    config = json.loads(path.read_text(encoding="utf-8"))
    before = dict(config.get("inference") or {})
    change = {k: v for k, v in (("merge", merge), ("merge_threshold", merge_threshold),
                                ("snap_quotes", snap_quotes), ("whole_numbers", whole_numbers),
                                ("min_score", min_score))
              if v is not None}
    if not change:
        return before
    config["inference"] = {**before, **change}
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    meta_path = model_dir / "training_meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    meta.setdefault("inference_changes", []).append({
        "set": change, "was": {k: before.get(k) for k in change},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "git_commit": git_commit()})
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    from .model_card import note_serving_changes  # the card's scores are no longer today's predict()

    note_serving_changes(model_dir, meta["inference_changes"])
    log.info("%s: inference settings %s (were %s)", model_dir, change, {k: before.get(k) for k in change})
    return config["inference"]


def _on_off(flag: str | None) -> bool | None:
    """An ``on``/``off`` option as a setting; None when it was not given (left as it is)."""
    return None if flag is None else flag == "on"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", help="a trained model directory (artifacts/model)")
    parser.add_argument("--merge", choices=POLICIES, help="how predict() merges the model's spans with the rules'")
    parser.add_argument("--merge-threshold", type=float, help="the model's spans kept by the merge: score >= this")
    parser.add_argument("--snap-quotes", choices=("on", "off"),
                        help="a PROGRAM span touching one mark of a quoted name takes the whole name (model.quotes)")
    parser.add_argument("--whole-numbers", choices=("on", "off"),
                        help="an AMOUNT or POPULATION span whose edge splits a written number is dropped "
                             "(model.whole_numbers)")
    parser.add_argument("--min-score", type=float,
                        help="the model's spans scoring below this are dropped, before any merge (0: none)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = set_settings(args.model_dir, args.merge, args.merge_threshold, _on_off(args.snap_quotes),
                                _on_off(args.whole_numbers), args.min_score)
    except (FileNotFoundError, ValueError) as e:
        parser.error(str(e))
    print(json.dumps(settings, ensure_ascii=False))


if __name__ == "__main__":
    main()
