"""``benchmarks.experiments --compare``: two finished variants paired on the dev gold, alone and as
served (``NAME:POLICY@THRESHOLD``). Tiny random models, seconds."""
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
    assert out["served"] == {"a": "a", "b": "b model-first@0.9"}
    assert set(out["f1"]) == {"a", "b", "b model-first@0.9"}
    assert set(out["diff_ci"]) == {"a − b", "a − b model-first@0.9"}
    alone = compare("a", "b", variants, n_boot=20)  # both served alone: one pair
    assert set(alone["diff_ci"]) == {"a − b"}


def test_compare_refuses_bad_sides(variants):
    from benchmarks.experiments import compare

    with pytest.raises(FileNotFoundError, match="not trained"):
        compare("a", "missing", variants, n_boot=20)
    with pytest.raises(ValueError, match="POLICY@THRESHOLD"):
        compare("a", "b:model-first", variants, n_boot=20)
    with pytest.raises(ValueError, match="two different"):
        compare("a", "a:model-first@0.9", variants, n_boot=20)
