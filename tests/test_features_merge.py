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


def test_bootstrap_pools_the_mean_difference_of_several_seeds():
    from model.evaluate import bootstrap
    from model.gold import GoldDocument

    docs = [GoldDocument(f"d{i}", "湖南省" * 3, [Span(0, 3, "REGION"), Span(3, 6, "REGION")]) for i in range(20)]
    perfect = [d.spans for d in docs]
    half = [d.spans[:1] if i % 2 else d.spans for i, d in enumerate(docs)]
    preds = {"s1": perfect, "s2": half, "rules": half}
    out = bootstrap(docs, preds, [("s1", "rules"), ("s2", "rules")], n=200,
                    pooled={"mean": [("s1", "rules"), ("s2", "rules")], "one": [("s1", "rules")]})
    assert out["pooled"]["one"] == out["diff"]["s1 − rules"]  # one pair: its own difference
    assert out["diff"]["s2 − rules"] == [0.0, 0.0]
    lo, hi = out["pooled"]["mean"]  # the mean of a gain and no gain: half the gain, resample by resample
    assert [2 * lo, 2 * hi] == pytest.approx(out["diff"]["s1 − rules"])
    assert bootstrap(docs, preds, n=10)["pooled"] == {}


def test_doubtful_o_weights_cover_rejected_gazetteer_names_and_quotes_only():
    from model.config import TrainConfig
    from model.train import doubtful_o_weights
    from model.weak import default_labeller

    text = "总书记叮嘱兰考的党员干部，借助“乡村振兴讲堂”邀请专家，实施“雨露计划”"
    weak = default_labeller().label_normalized(normalize(text))
    assert [text[s.start:s.end] for s in weak] == ["雨露计划"]
    off = doubtful_o_weights(text, weak, TrainConfig())
    assert off == [1.0] * len(text)  # both weights 1.0: nothing changes
    w = doubtful_o_weights(text, weak, TrainConfig(gazetteer_o_weight=0.3, quote_o_weight=0.0))
    lan = text.index("兰考")
    assert w[lan:lan + 2] == [0.3, 0.3]  # a gazetteer name the guards rejected
    q = text.index("乡村振兴讲堂")
    assert w[q:q + 6] == [0.0] * 6 and w[q - 1] == 1.0 and w[q + 6] == 1.0  # inside the marks only
    r = text.index("雨露计划")
    assert w[r:r + 4] == [1.0] * 4  # a weak span keeps its weight
    assert sum(x != 1.0 for x in w) == 8


def test_model_first_longer_takes_the_rule_span_that_the_model_cut():
    rules = [(0, 5, "REGION", 1.0), (10, 15, "PROGRAM", 1.0)]
    model = [(0, 2, "REGION", 0.98), (2, 5, "REGION", 0.96), (10, 14, "PROGRAM", 0.95), (20, 22, "REGION", 0.95)]
    assert merge(rules, model, "model-first", 0.9) == sorted(model)
    assert merge(rules, model, "model-first-longer", 0.9) == [
        (0, 5, "REGION", 1.0), (10, 15, "PROGRAM", 1.0), (20, 22, "REGION", 0.95)]
    # the model's longer reading stays (许昌县 over the rules' 许昌), and so does a different label inside
    longer = [(0, 3, "REGION", 0.95)]
    assert merge([(0, 2, "REGION", 1.0)], longer, "model-first-longer", 0.9) == longer
    mixed = [(0, 2, "REGION", 0.95), (2, 5, "PROGRAM", 0.95)]
    assert merge([(0, 5, "REGION", 1.0)], mixed, "model-first-longer", 0.9) == mixed
