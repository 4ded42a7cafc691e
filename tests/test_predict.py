"""predict()'s contract on a tiny random model: offsets, windows and seams, batching, bad input."""
from __future__ import annotations

import json

import pytest
import torch

from model.enrich import VALUE_KEYS
from model.recognizer import ModelNotFoundError, Recognizer, main, plan_sentence_windows, plan_windows, predict

from .conftest import build_tokenizer


class CharRuleModel(torch.nn.Module):
    """Tags 北 as B-REGION and 京 as I-REGION, whatever the context: any seam error shows."""

    def __init__(self, tokenizer):
        super().__init__()
        from transformers import BertConfig

        from model.labels import ID2TAG, TAG2ID

        self.config = BertConfig(id2label=ID2TAG, label2id=TAG2ID)
        table = torch.zeros(len(tokenizer), len(ID2TAG))
        table[:, TAG2ID["O"]] = 5.0
        vocab = tokenizer.get_vocab()
        table[vocab["北"]] = 0
        table[vocab["北"], TAG2ID["B-REGION"]] = 5.0
        table[vocab["京"]] = 0
        table[vocab["京"], TAG2ID["I-REGION"]] = 5.0
        self.table = torch.nn.Parameter(table, requires_grad=False)

    def forward(self, input_ids, attention_mask=None):
        from types import SimpleNamespace

        return SimpleNamespace(logits=self.table[input_ids])


@pytest.fixture(scope="module")
def recognizer(tiny_model_dir):
    return Recognizer(tiny_model_dir, device="cpu", batch_size=4)


def _check_offsets(text, spans):
    assert spans == sorted(spans, key=lambda s: (s["start"], s["end"]))
    for s in spans:
        # the core keys first, then the value keys of model.enrich for the label
        assert list(s)[:5] == ["label", "text", "start", "end", "score"]
        assert set(s) - {"label", "text", "start", "end", "score"} == set(VALUE_KEYS[s["label"]])
        assert 0 <= s["start"] < s["end"] <= len(text)
        assert text[s["start"]:s["end"]] == s["text"]
        assert 0.0 <= s["score"] <= 1.0


@pytest.mark.parametrize("text", [
    "湖南省投入785万元,帮助1.8万余人脫貧。",
    "萍鄉(xiāng)經開區(qū)投入62萬(wàn)元",
    "１２３４５人，\x00控制字符😀 emoji\ud800",
    "   ",
    "no chinese at all",
    "北京" * 300,
])
def test_offsets_always_index_the_original(recognizer, text):
    _check_offsets(text, recognizer.predict(text))


def test_empty_text_gives_empty_list(recognizer):
    assert recognizer.predict("") == []
    assert recognizer.predict(["", "北京"])[0] == []


def test_batch_equals_one_by_one(recognizer):
    texts = ["湖南省投入785万元", "北京" * 40, "", "萍鄉(xiāng)經開區", "上海市一二三四五六七八九十人"]
    assert recognizer.predict(texts) == [recognizer.predict(t) for t in texts]


def test_plan_windows_cover_and_partition():
    for length in range(1, 60):
        plan = plan_windows(length, 14, 4)
        owned = [i for _, _, a, b in plan for i in range(a, b)]
        assert owned == list(range(length))
        for start, end, a, b in plan:
            assert 0 <= start <= a <= b <= end <= length and end - start <= 14


def test_no_entity_lost_or_duplicated_at_any_seam():
    tokenizer = build_tokenizer()
    rec = Recognizer(model=CharRuleModel(tokenizer), tokenizer=tokenizer, device="cpu",
                     max_length=16, stride=4)
    filler = "的" * 60
    for pos in range(0, 58):
        text = filler[:pos] + "北京" + filler[pos + 2:]
        spans = rec.predict(text)
        assert [(s["start"], s["end"], s["label"]) for s in spans] == [(pos, pos + 2, "REGION")], pos


def test_plan_sentence_windows_cover_partition_and_keep_spans_whole():
    from model.spans import Span

    text = "甲乙丙。" * 5 + "丁" * 40 + "戊己。"
    keep = [Span(26, 30, "REGION", "rule")]  # across the first forced cut of the long sentence (20 + 14)
    plan = plan_sentence_windows(text, 14, keep)
    assert [i for _, _, a, b in plan for i in range(a, b)] == list(range(len(text)))
    for start, end, a, b in plan:
        assert (start, end) == (a, b) and end - start <= 14
    cuts = {end for _, end, _, _ in plan}
    assert {4, 8, 12, 16, 20} - cuts == {4, 8, 16}  # whole sentences packed: 甲乙丙。×3 fill 12 of 14
    assert not any(26 < cut < 30 for cut in cuts)  # the rule span is not cut


def test_sentence_windows_lose_no_entity_and_match_batches():
    tokenizer = build_tokenizer()
    rec = Recognizer(model=CharRuleModel(tokenizer), tokenizer=tokenizer, device="cpu",
                     max_length=16, stride=4, windows="sentences")
    filler = "的的的的的。" * 12
    for pos in range(0, len(filler) - 2):
        if "。" in filler[pos:pos + 2]:
            continue
        text = filler[:pos] + "北京" + filler[pos + 2:]
        spans = rec.predict(text)
        assert [(s["start"], s["end"], s["label"]) for s in spans] == [(pos, pos + 2, "REGION")], pos
    texts = ["北京。" * 30, "", "萍鄉(xiāng)北京", "北京" * 40]
    assert rec.predict(texts) == [rec.predict(t) for t in texts]
    for text, spans in zip(texts, rec.predict(texts)):
        _check_offsets(text, spans)


def test_min_score_drops_the_model_spans_below_it():
    tokenizer = build_tokenizer()
    text = "湖南北京投入。北京"

    def spans(**kwargs):
        rec = Recognizer(model=CharRuleModel(tokenizer), tokenizer=tokenizer, device="cpu", **kwargs)
        return [(s["start"], s["end"], s["score"]) for s in rec.predict(text, values=False)]

    kept = spans()
    assert [(a, b) for a, b, _ in kept] == [(2, 4), (7, 9)]
    cut = sorted(score for _, _, score in kept)[0]
    assert spans(min_score=cut) == kept  # a span scoring exactly the threshold stays
    assert spans(min_score=1.0) == []
    with pytest.raises(ValueError, match="min_score"):
        spans(min_score=1.5)


def test_unknown_windowing_is_refused(tiny_model_dir):
    with pytest.raises(ValueError, match="windows must be one of"):
        Recognizer(tiny_model_dir, device="cpu", windows="paragraphs")


def test_pinyin_inside_span_maps_back():
    tokenizer = build_tokenizer()
    rec = Recognizer(model=CharRuleModel(tokenizer), tokenizer=tokenizer, device="cpu")
    text = "在北(běi)京(jīng)工作"
    assert rec.predict(text, values=False) == [{"label": "REGION", "text": "北(běi)京(jīng)", "start": 1,
                                                "end": 14, "score": pytest.approx(0.9489, abs=1e-3)}]
    (span,) = rec.predict(text)
    assert (span["adcode"], span["name"], span["level"]) == ("110000", "北京市", "province")


@pytest.mark.parametrize("bad", [None, 3, b"bytes", [1, 2], {"text": "x"}])
def test_bad_input_type_errors(recognizer, bad):
    with pytest.raises(TypeError, match="str"):
        recognizer.predict(bad)
    with pytest.raises(TypeError, match="str"):
        predict(bad, model_dir="/nonexistent")


def test_missing_model_dir_says_make_train(tmp_path):
    with pytest.raises(ModelNotFoundError, match="make train"):
        Recognizer(tmp_path / "nothing", device="cpu")


def test_broken_model_dir_says_make_train(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelNotFoundError, match="make train"):
        Recognizer(tmp_path, device="cpu")


def test_model_dir_from_environment(tiny_model_dir, monkeypatch):
    monkeypatch.setenv("NER_MODEL_DIR", str(tiny_model_dir))
    text = "湖南省投入785万元"
    _check_offsets(text, predict(text, device="cpu"))
    assert predict("", device="cpu") == []


def test_bad_device(tiny_model_dir):
    with pytest.raises(ValueError, match="device"):
        Recognizer(tiny_model_dir, device="gpu-please")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            Recognizer(tiny_model_dir, device="cuda:1")


def test_quantized_cpu_model_runs(tiny_model_dir):
    rec = Recognizer(tiny_model_dir, device="cpu", quantize=True)
    assert rec.quantized
    _check_offsets("湖南省投入785万元", rec.predict("湖南省投入785万元"))


def test_transformers_pipeline_loads_saved_model(tiny_model_dir):
    from transformers import pipeline

    ner = pipeline("token-classification", model=str(tiny_model_dir), device=-1)
    out = ner("湖南省投入785万元")
    assert isinstance(out, list)


def test_cli_jsonl_and_table(tiny_model_dir, capsys, tmp_path):
    main(["湖南省投入785万元", "--model-dir", str(tiny_model_dir), "--device", "cpu"])
    line = json.loads(capsys.readouterr().out.strip())
    assert line["text"] == "湖南省投入785万元"
    _check_offsets(line["text"], line["entities"])
    doc = tmp_path / "docs.txt"
    doc.write_text("北京\n上海\n", encoding="utf-8")
    main(["--file", str(doc), "--model-dir", str(tiny_model_dir), "--device", "cpu", "--format", "table"])
    out = capsys.readouterr().out
    assert out.count("label") + out.count("(no entities)") == 2


def test_cli_missing_model_exits_with_advice(tmp_path):
    with pytest.raises(SystemExit, match="make train"):
        main(["北京", "--model-dir", str(tmp_path / "none")])


def test_package_exports_the_functions():
    import model

    assert callable(model.predict) and model.predict is predict
    assert model.Recognizer is Recognizer
    from model import weak_label

    assert callable(weak_label)


@pytest.mark.parametrize("kwargs", [{"max_length": 4}, {"max_length": 65}, {"max_length": 16, "stride": 14},
                                    {"batch_size": 0}])
def test_bad_window_settings_are_refused(tiny_model_dir, kwargs):
    with pytest.raises(ValueError):
        Recognizer(tiny_model_dir, device="cpu", **kwargs)
