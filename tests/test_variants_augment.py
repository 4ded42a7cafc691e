"""Script variants of gold documents and the noisy training copies keep every span exact."""
from __future__ import annotations

import random
import re

from model.augment import augment_window, fullwidth, swap_entities
from model.gold import GoldDocument
from model.normalize import normalize
from model.spans import Span
from model.variants import to_traditional, with_pinyin

PINYIN_AT_START = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
TEXT = "湖南省零陵区投入785万元，帮助1.8万余人脱贫，实施“雨露计划”。"
SPANS = [Span(0, 3, "REGION"), Span(3, 6, "REGION"), Span(8, 13, "AMOUNT"), Span(16, 22, "POPULATION"),
         Span(28, 32, "PROGRAM")]
DOC = GoldDocument("t", TEXT, SPANS)


def _surfaces(doc):
    return [doc.text[s.start:s.end] for s in doc.spans]


def test_gold_example_is_consistent():
    assert _surfaces(DOC) == ["湖南省", "零陵区", "785万元", "1.8万余人", "雨露计划"]


def test_traditional_copy_keeps_offsets():
    trad = to_traditional(DOC)
    assert len(trad.text) == len(TEXT) and trad.text != TEXT
    assert _surfaces(trad) == ["湖南省", "零陵區", "785萬元", "1.8萬餘人", "雨露計劃"]


def test_pinyin_copy_moves_spans_and_owns_trailing_groups():
    for seed in range(20):
        doc = with_pinyin(to_traditional(DOC), rate=0.5, seed=seed)
        norm = normalize(doc.text)
        assert norm.text == normalize(to_traditional(DOC).text).text  # pinyin fully removed again
        for s, orig in zip(doc.spans, SPANS, strict=True):
            surface = doc.text[s.start:s.end]
            assert not surface.startswith("(")
            assert normalize(surface).text == normalize(TEXT[orig.start:orig.end]).text
            assert not PINYIN_AT_START.match(doc.text[s.end:])  # a trailing group belongs to the span


def test_fullwidth_and_swap():
    fw = fullwidth(DOC)
    assert "７８５" in fw.text and _surfaces(fw)[2] == "７８５万元"
    pool = {"REGION": ["北京"], "AMOUNT": ["3万至4万元"], "POPULATION": ["11298户"], "PROGRAM": ["以奖代扶"]}
    swapped = swap_entities(DOC, pool, random.Random(0))
    assert _surfaces(swapped) == ["北京", "北京", "3万至4万元", "11298户", "以奖代扶"]


def test_augmented_window_is_normalised_with_spans():
    for kind in ("traditional", "pinyin", "fullwidth", "entity_swap"):
        text, spans = augment_window(TEXT, SPANS, kind, {"REGION": ["沣东新城"]}, random.Random(1))
        assert text == normalize(text).text
        assert len(spans) == len(SPANS)
        assert all(0 <= s.start < s.end <= len(text) for s in spans)
