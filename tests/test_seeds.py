"""``benchmarks.seeds``: several models of one recipe, as served, against the rules, with the mean
over them. Tiny random models, seconds."""
from __future__ import annotations

import json
import shutil

import pytest


@pytest.fixture()
def gold(tmp_path):
    text = "湖南省零陵区投入785万元，帮助1.8万余人脱贫。"
    spans = [{"start": 0, "end": 3, "label": "REGION"}, {"start": 8, "end": 13, "label": "AMOUNT"}]
    path = tmp_path / "dev" / "gold.jsonl"
    path.parent.mkdir()
    path.write_text(json.dumps({"id": "t1", "text": text, "spans": spans}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return path


def test_seeds_scores_each_model_and_their_mean(tiny_model_dir, tmp_path, gold):
    from benchmarks.seeds import main

    shutil.copytree(tiny_model_dir, tmp_path / "s2")
    main([str(tiny_model_dir), str(tmp_path / "s2"), "--gold", str(gold), "--bootstrap", "20",
          "--out", str(tmp_path / "out")])
    rep = json.loads((tmp_path / "out" / "seeds.json").read_text(encoding="utf-8"))
    res = rep["gold_sets"]["dev"]
    assert res["documents"] == 1
    assert set(res["f1"]) == {"simplified", "traditional", "traditional+pinyin"}
    f1 = res["f1"]["simplified"]
    assert set(f1) == {"rules", str(tiny_model_dir), str(tmp_path / "s2")}
    # two copies of one model: the mean difference is either's difference
    assert res["mean_diff"]["simplified"] == pytest.approx(f1[str(tiny_model_dir)] - f1["rules"])
    assert res["mean_diff_ci"]["simplified"] == res["diff_ci"]["simplified"][str(tiny_model_dir)]
    assert "mean − rules" in (tmp_path / "out" / "seeds.md").read_text(encoding="utf-8")


def test_seeds_refuses_a_missing_model(tmp_path, gold):
    from benchmarks.seeds import main

    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "nowhere"), "--gold", str(gold), "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
