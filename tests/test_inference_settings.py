"""``model.inference_settings``: a served model's merge changes without retraining, is read by
``Recognizer``, and is recorded in ``training_meta.json``. Tiny random model, seconds."""
from __future__ import annotations

import json
import shutil

import pytest


@pytest.fixture()
def model_copy(tiny_model_dir, tmp_path):
    path = tmp_path / "model"
    shutil.copytree(tiny_model_dir, path)
    (path / "training_meta.json").write_text(json.dumps({"seed": 42}), encoding="utf-8")
    return path


def test_set_merge_is_read_by_the_recognizer_and_recorded(model_copy):
    from model.inference_settings import set_settings
    from model.recognizer import Recognizer

    assert Recognizer(model_copy, device="cpu").merge == "none"
    block = set_settings(model_copy, merge="model-first", merge_threshold=0.9)
    assert block == {"max_length": 16, "stride": 4, "merge": "model-first", "merge_threshold": 0.9}
    rec = Recognizer(model_copy, device="cpu")
    assert (rec.merge, rec.merge_threshold) == ("model-first", 0.9)
    text = "湖南省零陵区投入785万元"
    for s in rec.predict(text):
        assert text[s["start"]:s["end"]] == s["text"]
    meta = json.loads((model_copy / "training_meta.json").read_text())
    assert meta["seed"] == 42 and meta["inference_changes"][0]["set"] == {"merge": "model-first",
                                                                        "merge_threshold": 0.9}
    assert meta["inference_changes"][0]["was"] == {"merge": None, "merge_threshold": None}


def test_bad_settings_are_refused_before_anything_is_written(model_copy, tmp_path):
    from model.inference_settings import main, set_settings

    before = (model_copy / "config.json").read_text()
    with pytest.raises(ValueError, match="merge must be one of"):
        set_settings(model_copy, merge="both")
    with pytest.raises(ValueError, match="merge_threshold"):
        set_settings(model_copy, merge_threshold=1.5)
    with pytest.raises(FileNotFoundError, match="no config.json"):
        set_settings(tmp_path / "nothing", merge="none")
    assert (model_copy / "config.json").read_text() == before
    assert set_settings(model_copy) == {"max_length": 16, "stride": 4}  # no change asked: the block, as it is
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nothing"), "--merge", "none"])


def test_the_evaluation_report_states_the_served_merge(model_copy):
    """The report's header names the merge ``predict()`` serves (the inference block), and the
    change made after training, not the training config's setting."""
    from model.evaluate import provenance
    from model.inference_settings import set_settings

    meta = {"seed": 42, "config": {"merge": "model-first-longer", "merge_threshold": 0.9}}
    (model_copy / "training_meta.json").write_text(json.dumps(meta), encoding="utf-8")
    set_settings(model_copy, merge="model-first")
    prov = provenance(model_copy, [])
    assert prov["merge (predict default)"] == "model-first @ None"  # the tiny model's block has no threshold
    assert "model-first" in prov["inference settings changed"]
