"""Streaming (model.stream), processes (model.parallel): lazy, ordered, bounded, same results."""
from __future__ import annotations

import itertools
import logging

import pytest

from model.corpus import load_seeds
from model.stream import Doc, DocResult, annotate_group, groups, segments, stream
from model.weak import weak_label

SENTENCES = ["湖南省零陵区投入785万元，帮助1.8万余人脱贫。", "北京市向上海市捐赠3000万元。", "",
             "萍鄉(xiāng)經開區投入62萬(wàn)元", "没有实体的一句话"]


class Counting:
    """An iterable that counts how many items were pulled from it (laziness)."""

    def __init__(self, items):
        self.items = items
        self.pulled = 0

    def __iter__(self):
        for item in self.items:
            self.pulled += 1
            yield item


def test_rules_stream_equals_weak_label_in_order():
    docs = [(f"d{i}", t) for i, t in enumerate(SENTENCES * 7)]
    out = list(stream(docs, rules_only=True, group_docs=3, group_chars=50))
    assert [r.id for r in out] == [d for d, _ in docs]
    assert [r.entities for r in out] == weak_label([t for _, t in docs])
    assert [r.length for r in out] == [len(t) for _, t in docs]


def test_model_stream_equals_predict(tiny_model_dir):
    from model.recognizer import Recognizer

    rec = Recognizer(tiny_model_dir, device="cpu", batch_size=4)
    texts = SENTENCES * 5 + ["北京" * 200]
    got = list(rec.stream(texts, group_docs=4, group_chars=60))
    assert [r.id for r in got] == [str(i) for i in range(len(texts))]  # a bare str's id is its position
    assert [r.entities for r in got] == [rec.predict(t) for t in texts]


def test_reads_lazily_and_holds_one_group():
    source = Counting(itertools.cycle(SENTENCES[:2]))  # endless: only laziness lets this finish
    first = list(itertools.islice(stream(source, rules_only=True, group_docs=5), 7))
    assert len(first) == 7
    assert source.pulled <= 11  # two groups of 5 and the item that closed the second


def test_pass_through_items_keep_their_place():
    skipped = object()
    out = list(stream([("a", SENTENCES[0]), skipped, ("b", SENTENCES[1])], rules_only=True, group_docs=1))
    assert out[1] is skipped
    assert [type(x) for x in out] == [DocResult, object, DocResult]


def test_groups_respect_both_bounds_and_a_long_document_stands_alone():
    docs = [Doc(str(i), "字" * n) for i, n in enumerate([10, 10, 10, 100, 5, 5, 5, 5])]
    got = [[d.id for d in g] for g in groups(docs, max_docs=3, max_chars=25)]
    assert got == [["0", "1"], ["2"], ["3"], ["4", "5", "6"], ["7"]]
    assert [d.id for g in groups(docs, 3, 25) for d in g] == [d.id for d in docs]
    with pytest.raises(ValueError):
        next(groups(docs, max_docs=0))


def test_segments_cover_the_text_once_and_cut_at_sentence_ends():
    text = "".join(d.text for d in load_seeds())
    plan = segments(len(text), text, size=3000, overlap=200)
    kept = [(a, b) for _, _, a, b in plan]
    assert kept[0][0] == 0 and kept[-1][1] == len(text)
    assert all(x[1] == y[0] for x, y in zip(kept, kept[1:]))
    assert all(b - a <= 3000 for a, b in kept)
    assert sum(text[b - 1] in "。！？!?；;\n" for _, b in kept[:-1]) >= len(kept) - 2
    assert segments(10, "x" * 10, size=20) == [(0, 10, 0, 10)]


def test_long_document_in_segments_matches_whole_reading():
    """The rules read a long document in segments exactly as in one piece: no entity lost or
    doubled at a cut, offsets on the original string."""
    text = "".join(d.text for d in load_seeds())
    [whole] = annotate_group([Doc("x", text)], weak_label, segment_chars=10 ** 9)
    [pieces] = annotate_group([Doc("x", text)], weak_label, segment_chars=2500, segment_overlap=300)
    assert pieces.entities == whole.entities
    assert all(text[e["start"]:e["end"]] == e["text"] for e in pieces.entities)


def test_annotator_that_drops_a_result_is_an_error():
    with pytest.raises(RuntimeError):
        annotate_group([Doc("a", "x"), Doc("b", "y")], lambda texts: [[]])


def test_stream_needs_a_labeller():
    with pytest.raises(ValueError):
        list(stream(["x"]))


# -- model.parallel ---------------------------------------------------------------------------------

def test_thread_plan_never_oversubscribes_by_default(caplog):
    from model.parallel import plan_threads

    assert plan_threads(2, None, cores=2) == (2, 1)
    assert plan_threads(None, None, cores=8) == (1, 8)
    assert plan_threads(3, None, cores=8) == (3, 2)
    assert plan_threads(4, None, cores=2) == (4, 1)  # more workers than cores: 1 thread each, warned
    with caplog.at_level(logging.WARNING):
        plan_threads(2, 2, cores=2)
    assert "oversubscribed" in caplog.text
    with pytest.raises(ValueError):
        plan_threads(0, None, cores=2)


def test_two_worker_processes_give_the_one_process_output_in_order():
    from model.extract import Document, Skipped
    from model.parallel import LabellerSpec, ParallelExtractor

    items = [Document(f"s{i}", t) for i, t in enumerate(SENTENCES * 6) if t]
    items.insert(3, Skipped("bad.txt", "not UTF-8"))
    spec = LabellerSpec(rules_only=True)
    with ParallelExtractor(spec, workers=1, group_docs=4) as one:
        expected = list(one.results(items))
    with ParallelExtractor(spec, workers=2, group_docs=4) as two:
        got = list(two.results(iter(items)))
    assert got == expected
    assert got[3] == items[3]
    assert sum(isinstance(x, tuple) for x in got) == len(items) - 1
