"""``benchmarks.experiments --compare``: two finished variants paired on the dev gold, alone and as
served (``NAME:POLICY@THRESHOLD,quotes``). Tiny random models, seconds."""
from __future__ import annotations

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
    return load_config("configs/default.yaml", dev_gold=str(gold), merge="none")


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


def test_compare_refuses_bad_sides(variants):
    from benchmarks.experiments import compare

    with pytest.raises(FileNotFoundError, match="not trained"):
        compare("a", "missing", variants, n_boot=20)
    with pytest.raises(ValueError, match="POLICY@THRESHOLD"):
        compare("a", "b:model-first", variants, n_boot=20)
    with pytest.raises(ValueError, match="two different"):
        compare("a", "a:quotes", variants, n_boot=20)
