"""The rules as model input (model.features), rules and model together (model.merge), and the
per-character loss weights of training (uncertain O)."""
from __future__ import annotations

import random

import pytest

from model.features import FEATURE_NAMES, NUM_FEATURES, char_features, drop_features
from model.merge import merge
from model.normalize import normalize
from model.spans import Span


def test_features_mark_weak_spans_and_uncovered_gazetteer_names():
    text = "湖南省零陵区投入785万元"
    feats = char_features(normalize(text).text)
    names = [FEATURE_NAMES[i] for i in feats.ids]
    assert names[:3] == ["B-REGION", "I-REGION", "I-REGION"]
    assert names[3] == "B-REGION"  # 零陵区: each level its own span
    assert names[8:13] == ["B-AMOUNT"] + ["I-AMOUNT"] * 4
    assert names[6:8] == ["none", "none"]  # 投入
    assert len(feats.ids) == len(text) and max(feats.ids) < NUM_FEATURES


def test_gazetteer_feature_for_a_name_the_rules_reject():
    # 高县 is a county, but the rules' context guard rejects it inside 提高县级: the feature still
    # tells the model that the lexicon knows the string, so the model decides.
    text = "提高县级财政投入"
    feats = char_features(text, weak_spans=[])
    names = [FEATURE_NAMES[i] for i in feats.ids]
    assert "B-GAZETTEER" in names


def test_feature_dropout_is_seeded_and_drops_whole_spans():
    feats = char_features("湖南省零陵区投入785万元")
    assert drop_features(feats, random.Random(0), 1.0, 0.0) == [0] * len(feats.ids)
    assert drop_features(feats, random.Random(0), 0.0, 0.0) == feats.ids
    a = drop_features(feats, random.Random(3), 0.0, 0.5)
    assert a == drop_features(feats, random.Random(3), 0.0, 0.5)
    for start, end, _ in feats.spans:  # a span is kept or dropped whole
        assert len({x == 0 for x in a[start:end]}) == 1


RULES = [(0, 3, "REGION", 1.0), (10, 15, "AMOUNT", 1.0)]
MODEL = [(0, 2, "REGION", 0.9), (5, 8, "REGION", 0.8), (20, 22, "POPULATION", 0.3)]


def test_merge_policies():
    assert merge(RULES, MODEL, "none", 0.5) == sorted(MODEL)
    # rules first: the model fills gaps only, with confident spans
    assert merge(RULES, MODEL, "rules-first", 0.5) == [(0, 3, "REGION", 1.0), (5, 8, "REGION", 0.8),
                                                       (10, 15, "AMOUNT", 1.0)]
    assert merge(RULES, MODEL, "rules-first", 0.0)[-1] == (20, 22, "POPULATION", 0.3)
    # model first: its confident spans win, the rules fill its gaps
    assert merge(RULES, MODEL, "model-first", 0.5) == [(0, 2, "REGION", 0.9), (5, 8, "REGION", 0.8),
                                                       (10, 15, "AMOUNT", 1.0)]
    with pytest.raises(ValueError, match="merge policy"):
        merge(RULES, MODEL, "both", 0.5)


def test_merged_spans_never_overlap():
    rng = random.Random(1)
    for _ in range(200):
        def spans(n):
            out, pos = [], 0
            for _ in range(n):
                pos += rng.randint(0, 4)
                length = rng.randint(1, 5)
                out.append((pos, pos + length, "REGION", rng.random()))
                pos += length
            return out
        for policy in ("rules-first", "model-first"):
            got = merge(spans(5), spans(5), policy, 0.4)
            assert all(a[1] <= b[0] for a, b in zip(got, got[1:]))


def test_uncertain_o_mask():
    from model.train import uncertain_mask

    text = "湖南省投入了很多钱"
    mask = uncertain_mask(text)
    assert mask[:3] == [False] * 3 and all(mask[3:])


def test_recognizer_merges_with_the_rules(tiny_model_dir):
    from model.recognizer import Recognizer

    text = "湖南省零陵区投入785万元"
    rec = Recognizer(tiny_model_dir, device="cpu", merge="rules-first", merge_threshold=1.01)
    got = rec.predict(text, values=False)  # threshold above 1: the rules alone
    assert [(s["start"], s["end"], s["label"]) for s in got] == [(0, 3, "REGION"), (3, 6, "REGION"), (8, 13, "AMOUNT")]
    with pytest.raises(ValueError, match="merge must be"):
        Recognizer(tiny_model_dir, device="cpu", merge="both")


def test_bootstrap_difference_interval_contains_the_observed_difference():
    from model.evaluate import bootstrap
    from model.gold import GoldDocument

    docs = [GoldDocument(f"d{i}", "湖南省" * 3, [Span(0, 3, "REGION"), Span(3, 6, "REGION")]) for i in range(20)]
    perfect = [d.spans for d in docs]
    half = [d.spans[:1] if i % 2 else d.spans for i, d in enumerate(docs)]
    out = bootstrap(docs, {"a": perfect, "b": half}, [("a", "b")], n=200)
    assert out["micro"]["a"] == [1.0, 1.0]
    lo, hi = out["diff"]["a − b"]
    assert 0 < lo <= hi
