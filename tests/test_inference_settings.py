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
    with pytest.raises(ValueError, match="min_score"):
        set_settings(model_copy, min_score=-0.1)
    with pytest.raises(FileNotFoundError, match="no config.json"):
        set_settings(tmp_path / "nothing", merge="none")
    assert (model_copy / "config.json").read_text() == before
    assert set_settings(model_copy) == {"max_length": 16, "stride": 4}  # no change asked: the block, as it is
    with pytest.raises(SystemExit):
        main([str(tmp_path / "nothing"), "--merge", "none"])


def test_min_score_is_written_read_and_stated(model_copy):
    """``--min-score``: the model's unsure spans dropped, read by the Recognizer and named in the
    evaluation report's header."""
    from model.evaluate import provenance
    from model.inference_settings import main
    from model.recognizer import Recognizer

    (model_copy / "training_meta.json").write_text(json.dumps({"seed": 42, "config": {}}), encoding="utf-8")
    assert Recognizer(model_copy, device="cpu").min_score == 0.0
    main([str(model_copy), "--min-score", "0.8"])
    assert Recognizer(model_copy, device="cpu").min_score == 0.8
    assert Recognizer(model_copy, device="cpu", min_score=0.0).min_score == 0.0  # the argument wins
    assert provenance(model_copy, [])["model spans below this score dropped (min_score)"] == 0.8
    with pytest.raises(SystemExit):
        main([str(model_copy), "--min-score", "2"])


def test_the_evaluation_report_states_the_served_merge(model_copy):
    """The report's header names the merge ``predict()`` serves (the inference block), and the
    change made after training, not the training config's setting."""
    from model.evaluate import provenance
    from model.inference_settings import set_settings

    meta = {"seed": 42, "config": {"merge": "model-first-longer", "merge_threshold": 0.9}}
    (model_copy / "training_meta.json").write_text(json.dumps(meta), encoding="utf-8")
    set_settings(model_copy, merge="model-first")
    prov = provenance(model_copy, [])
    # the tiny model's block has no threshold: the Recognizer's 0.5, read by the same function
    assert prov["merge (predict default)"] == "model-first @ 0.5"
    assert "model-first" in prov["inference settings changed"]


def test_merged_option_is_parsed_strictly():
    from model.evaluate import parse_merge

    assert parse_merge("model-first@0.9") == ("model-first", 0.9)
    assert parse_merge("rules-first@0") == ("rules-first", 0.0)
    for bad in ("model-first", "none@0.5", "model-first@high", "model-first@1.5", "both@0.5"):
        with pytest.raises(ValueError, match="POLICY@THRESHOLD"):
            parse_merge(bad)


def test_a_model_alone_default_is_scored_beside_a_merge(model_copy, tmp_path):
    """``make eval`` shows rules, model and a merge side by side even when ``predict()`` serves the
    model alone (``merge: none``): the merge of ``--merged`` is the third column."""
    from model.evaluate import main

    (model_copy / "training_meta.json").write_text(json.dumps({"seed": 42, "config": {}}), encoding="utf-8")
    text = "湖南省零陵区投入785万元，帮助1.8万余人脱贫。"
    gold = tmp_path / "gold" / "gold.jsonl"
    gold.parent.mkdir()
    spans = [{"start": 0, "end": 3, "label": "REGION"}, {"start": 3, "end": 6, "label": "REGION"},
             {"start": 8, "end": 13, "label": "AMOUNT"}, {"start": 16, "end": 22, "label": "POPULATION"}]
    gold.write_text(json.dumps({"id": "t1", "text": text, "spans": spans}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    args = ["--model", str(model_copy), "--gold", str(gold), "--bootstrap", "20", "--device", "cpu"]
    main(args + ["--out", str(tmp_path / "a")])
    full = json.loads((tmp_path / "a" / "eval.json").read_text())
    assert list(full["gold_sets"]["gold"]["systems"]) == ["rules", "model", "merged"]
    assert full["provenance"]["merged (beside the model alone)"] == "model-first@0.9"
    main(args + ["--out", str(tmp_path / "b"), "--merged", "none"])
    full = json.loads((tmp_path / "b" / "eval.json").read_text())
    assert list(full["gold_sets"]["gold"]["systems"]) == ["rules", "model"]
    with pytest.raises(SystemExit):
        main(args + ["--out", str(tmp_path / "c"), "--merged", "model-first"])


def test_the_model_card_says_its_scores_predate_a_serving_change(model_copy):
    from model.inference_settings import set_settings
    from model.model_card import SCORES_HEADING, SERVING_HEADING

    card = f"# A model\n\n{SCORES_HEADING}\n\n| micro | 95.2 |\n\n## Limits\n- some\n"
    (model_copy / "README.md").write_text(card, encoding="utf-8")
    set_settings(model_copy, min_score=0.8)
    set_settings(model_copy, snap_quotes=True)
    text = (model_copy / "README.md").read_text(encoding="utf-8")
    assert text.count(SERVING_HEADING) == 1  # rebuilt, not stacked
    assert text.index(SERVING_HEADING) < text.index(SCORES_HEADING)  # read before the scores
    assert "`min_score` None → 0.8" in text and "`snap_quotes` None → True" in text
    assert text.endswith("## Limits\n- some\n") and "| micro | 95.2 |" in text


def test_no_card_is_written_where_there_was_none(model_copy):
    from model.inference_settings import set_settings

    set_settings(model_copy, min_score=0.5)
    assert not (model_copy / "README.md").exists()
