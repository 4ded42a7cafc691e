"""``benchmarks.experiments --compare``: two finished variants paired on the dev gold, alone and as
served (``NAME:POLICY@THRESHOLD,quotes``). Tiny random models, seconds."""
from __future__ import annotations

import dataclasses
import json
import shutil

import pytest


@pytest.fixture()
def variants(tiny_model_dir, tmp_path, monkeypatch):
    import benchmarks.experiments as experiments
    from model.config import load_config

    for name in ("a", "b"):
        shutil.copytree(tiny_model_dir, tmp_path / "experiments" / name)
    monkeypatch.setattr(experiments, "ARTIFACTS_DIR", tmp_path)
    text = "湖南省零陵区投入785万元，帮助1.8万余人脱贫。"
    spans = [{"start": 0, "end": 3, "label": "REGION"}, {"start": 8, "end": 13, "label": "AMOUNT"}]
    gold = tmp_path / "dev.jsonl"
    gold.write_text(json.dumps({"id": "t1", "text": text, "spans": spans}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    # the serving steps off but the quote step, so that each test names the one it serves
    return load_config("configs/default.yaml", dev_gold=str(gold), merge="none", whole_numbers=False,
                       min_score=0.0)


def test_compare_pairs_the_models_alone_and_as_served(variants):
    from benchmarks.experiments import compare

    out = compare("a", "b:model-first@0.9", variants, n_boot=20)
    # the config's quote step serves both sides alike
    assert out["served"] == ["a +quotes", "b +quotes model-first@0.9"]
    assert set(out["f1"]) == {"simplified", "traditional", "traditional+pinyin"}
    assert set(out["f1"]["traditional"]) == {"a +quotes", "b +quotes", "b +quotes model-first@0.9"}
    assert set(out["program_f1"]["simplified"]) == set(out["f1"]["simplified"])
    assert set(out["diff_ci"]["simplified"]) == {"a +quotes − b +quotes", "a +quotes − b +quotes model-first@0.9"}
    alone = compare("a:no-quotes", "b:alone,no-quotes", variants, n_boot=20)  # both alone: one pair
    assert alone["served"] == ["a", "b"] and set(alone["diff_ci"]["simplified"]) == {"a − b"}


def test_compare_serves_one_variant_two_ways(variants):
    from benchmarks.experiments import compare

    out = compare("a:quotes", "a:no-quotes", variants, n_boot=20)
    assert out["served"] == ["a +quotes", "a"]
    assert set(out["diff_ci"]["traditional+pinyin"]) == {"a +quotes − a"}
    lo, hi = out["diff_ci"]["simplified"]["a +quotes − a"]
    assert lo <= hi


def test_compare_serves_the_number_step_on_request(variants):
    from benchmarks.experiments import compare

    out = compare("a:numbers", "a:no-numbers", variants, n_boot=20)
    assert out["served"] == ["a +quotes +numbers", "a +quotes"]
    assert set(out["diff_ci"]["simplified"]) == {"a +quotes +numbers − a +quotes"}


def test_compare_refuses_bad_sides(variants):
    from benchmarks.experiments import compare

    with pytest.raises(FileNotFoundError, match="not trained"):
        compare("a", "missing", variants, n_boot=20)
    with pytest.raises(ValueError, match="POLICY@THRESHOLD"):
        compare("a", "b:model-first", variants, n_boot=20)
    with pytest.raises(ValueError, match="two different"):
        compare("a", "a:quotes", variants, n_boot=20)


def test_report_keeps_the_recorded_rows_of_variants_trained_elsewhere(tmp_path, monkeypatch):
    """A fresh clone has no artifacts: --report-only must not wipe the committed table."""
    import benchmarks.experiments as experiments

    reports = tmp_path / "reports"
    reports.mkdir()
    monkeypatch.setattr(experiments, "ARTIFACTS_DIR", tmp_path / "artifacts")
    monkeypatch.setattr(experiments, "REPORTS_DIR", reports)
    labels = {label: 0.9 for label in experiments.LABELS}
    micro = {script: 0.95 for script in experiments.SCRIPTS}
    row = {"name": "old", "overrides": {"seed": 7}, "train_seconds": 600.0, "train_windows": 10,
           "commit": "0123456789abcdef", "dev": {"model": {"micro": micro, "labels": labels},
                                                 "rules": {"micro": micro, "labels": labels},
                                                 "model-first@0.9": {"micro": micro, "labels": labels}},
           "model_ci": [0.9, 0.97], "best_merge": "model-first@0.9", "best_merge_ci": [0.9, 0.97],
           "model_minus_rules_ci": [-0.01, 0.02], "dev_documents": 80, "dev_corpus_half": False}
    resumed = {**row, "name": "resumed", "resumed_from": "checkpoint-2000"}
    summed = {**resumed, "name": "summed", "train_seconds_scope": "all runs (checkpoints keep the time)"}
    (reports / "experiments.json").write_text(json.dumps([row, {**row, "name": "dropped"}, resumed, summed]))
    spec = tmp_path / "spec.yaml"
    spec.write_text("base: configs/default.yaml\nvariants:\n  old: {seed: 7}\n  never-run: {seed: 8}\n"
                    "  resumed: {seed: 7}\n  summed: {seed: 7}\n")
    experiments.main(["--report-only", "--spec", str(spec)])
    table = (reports / "experiments.md").read_text(encoding="utf-8")
    assert "| old | `{\"seed\": 7}` | `0123456` | 10.0 | 80 | 95.0 (90.0–97.0)" in table
    assert "| resumed | `{\"seed\": 7}` | `0123456` | 10.0‡ | 80 |" in table  # minutes since a --resume only
    assert "| summed | `{\"seed\": 7}` | `0123456` | 10.0 | 80 |" in table  # all runs' minutes: no mark
    assert "never-run" not in table and "dropped" not in table  # not in the spec: not in the table
    assert [r["name"] for r in json.loads((reports / "experiments.json").read_text())] == ["old", "resumed", "summed"]


def test_compare_serves_one_model_with_other_windows(variants, monkeypatch):
    """``window=N,stride=N``: the same model with predict's windows changed, paired on dev."""
    import model.recognizer as recognizer
    from benchmarks.experiments import compare

    seen = []
    real_init = recognizer.Recognizer.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen.append((self.max_length, self.stride))

    monkeypatch.setattr(recognizer.Recognizer, "__init__", spy)
    out = compare("a:window=24,stride=6", "a", variants, n_boot=20)
    assert out["served"] == ["a +quotes window=24 stride=6", "a +quotes"]
    assert set(out["diff_ci"]["simplified"]) == {"a +quotes window=24 stride=6 − a +quotes"}
    assert seen == [(24, 6), (16, 4)]  # the first side with the windows asked for, the other with its own
    with pytest.raises(ValueError, match="whole number"):
        compare("a:window=long", "a", variants, n_boot=20)
    with pytest.raises(ValueError, match="max_length"):  # beyond the tiny encoder's 64 positions
        compare("a:window=100", "a", variants, n_boot=20)


def test_compare_serves_one_model_with_sentence_windows(variants, monkeypatch):
    """``windows=sentences``: predict's windows cut at sentences as in training, paired on dev."""
    import model.recognizer as recognizer
    from benchmarks.experiments import compare

    seen = []
    real_init = recognizer.Recognizer.__init__

    def spy(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        seen.append(self.windows)

    monkeypatch.setattr(recognizer.Recognizer, "__init__", spy)
    out = compare("a:windows=sentences", "a", variants, n_boot=20)
    assert out["served"] == ["a +quotes windows=sentences", "a +quotes"]
    assert seen == ["sentences", "overlap"]
    with pytest.raises(ValueError, match="windows="):
        compare("a:windows=paragraphs", "a", variants, n_boot=20)


def test_compare_serves_one_model_with_a_min_score(variants):
    """``min=S``: the model's spans scoring below S dropped; a score outside [0, 1] is refused."""
    from benchmarks.experiments import compare

    out = compare("a:min=1.0", "a", variants, n_boot=20)
    assert out["served"] == ["a +quotes min=1.0", "a +quotes"]
    assert out["f1"]["simplified"]["a +quotes min=1.0"] == 0.0  # no span scores 1.0 or more
    # a side without min= takes the config's; min=0 keeps every span whatever the config says
    at_08 = dataclasses.replace(variants, min_score=0.8)
    assert compare("a", "a:min=0", at_08, n_boot=20)["served"] == ["a +quotes min=0.8", "a +quotes"]
    with pytest.raises(ValueError, match="min= takes"):
        compare("a:min=high", "a", variants, n_boot=20)
    with pytest.raises(ValueError, match="min_score"):
        compare("a:min=1.5", "a", variants, n_boot=20)
