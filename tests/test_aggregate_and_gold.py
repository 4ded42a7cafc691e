"""Aggregation of votes, the gold-file loader, scoring and windowing: the plumbing under every score."""
from __future__ import annotations

import json

import pytest

from model.gold import GoldFormatError, load_gold, sha256, to_json_line
from model.labels import TAGS, spans_to_tag_ids, tag_ids_to_spans
from model.scoring import seqeval_scores, span_counts, summarise
from model.spans import Span
from model.weak.aggregate import WeakLabeller, resolve
from model.weak.base import LabellingFunction
from model.windows import windows


def test_program_swallows_what_it_contains():
    votes = [Span(1, 12, "PROGRAM", "program_title"), Span(1, 3, "REGION", "region_gazetteer"),
             Span(4, 8, "AMOUNT", "amount_arabic")]
    assert resolve(votes) == [Span(1, 12, "PROGRAM", "program_title")]


def test_longer_reading_wins_within_a_tier():
    votes = [Span(0, 2, "REGION", "region_suffix"), Span(0, 3, "REGION", "region_gazetteer"),
             Span(3, 6, "REGION", "region_suffix")]
    assert resolve(votes) == [Span(0, 3, "REGION", "region_gazetteer"), Span(3, 6, "REGION", "region_suffix")]


def test_numbers_beat_places_and_ties_go_to_the_first_function():
    votes = [Span(0, 4, "REGION", "region_gazetteer"), Span(2, 5, "AMOUNT", "amount_arabic")]
    assert resolve(votes) == [Span(2, 5, "AMOUNT", "amount_arabic")]
    tie = [Span(0, 2, "REGION", "second"), Span(1, 3, "REGION", "first")]
    assert resolve(tie, {"first": 0, "second": 1}, {"first": 1, "second": 1}) == [Span(1, 3, "REGION", "first")]


def test_listed_programs_compete_with_places_on_length():
    """An unquoted list name is an unmarked word: a longer place name beats it, a quote does not."""
    listed, place = Span(2, 6, "PROGRAM", "program_list"), Span(0, 5, "REGION", "region_gazetteer")
    assert resolve([listed, place]) == [place]
    assert resolve([Span(0, 3, "REGION", "region_gazetteer"), listed]) == [listed]
    quoted = Span(1, 3, "PROGRAM", "program_quoted")
    assert resolve([quoted, place]) == [quoted]


def test_every_function_declares_its_tier():
    from model.weak.aggregate import all_labelling_functions, default_tiers
    from model.weak.base import TIER_MARKED, TIER_NUMBER, TIER_PLACE

    tiers = {lf.name: lf.tier for lf in all_labelling_functions()}
    assert tiers == dict(default_tiers())
    assert {tiers[n] for n in ("program_quoted", "program_title")} == {TIER_MARKED}
    assert {t for n, t in tiers.items() if n.startswith(("amount_", "population_"))} == {TIER_NUMBER}
    assert {t for n, t in tiers.items() if n.startswith("region_")} == {TIER_PLACE} == {tiers["program_list"]}
    with pytest.raises(ValueError, match="no tier"):
        resolve([Span(0, 2, "REGION", "not_a_function")])


def test_labeller_maps_back_to_original_offsets():
    lf = LabellingFunction("test_lf", "REGION", tier=1,
                           find=lambda t: [(m, m + 3) for m in range(len(t)) if t.startswith("萍乡经", m)])
    labeller = WeakLabeller([lf])
    text = "在萍鄉(xiāng)經開區"
    [span] = labeller.label(text)
    assert text[span.start:span.end] == "萍鄉(xiāng)經"


def _write(tmp_path, obj):
    p = tmp_path / "gold.jsonl"
    p.write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
    return p


def test_inline_gold_checks_span_text(tmp_path):
    ok = {"id": "a", "text": "湖南省投入785万元",
          "spans": [{"start": 0, "end": 3, "label": "REGION", "text": "湖南省"}]}
    assert load_gold(_write(tmp_path, ok))[0].spans == [Span(0, 3, "REGION")]
    bad = dict(ok, spans=[{"start": 0, "end": 2, "label": "REGION", "text": "湖南省"}])
    with pytest.raises(GoldFormatError, match="file says"):
        load_gold(_write(tmp_path, bad))
    with pytest.raises(GoldFormatError, match="unknown label"):
        load_gold(_write(tmp_path, dict(ok, spans=[{"start": 0, "end": 3, "label": "PLACE"}])))
    overlap = dict(ok, spans=[{"start": 0, "end": 3, "label": "REGION"}, {"start": 2, "end": 4, "label": "REGION"}])
    with pytest.raises(GoldFormatError, match="overlapping"):
        load_gold(_write(tmp_path, overlap))


def test_standoff_gold_refuses_changed_or_missing_passage(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "0001.txt").write_text("湖南省投入785万元", encoding="utf-8")
    line = {"id": "0001.txt", "source": "corpus", "sha256": sha256("湖南省投入785万元"),
            "spans": [{"start": 5, "end": 10, "label": "AMOUNT", "text": "785万元"}]}
    assert load_gold(_write(tmp_path, line), corpus)[0].text == "湖南省投入785万元"
    with pytest.raises(GoldFormatError, match="sha256"):
        load_gold(_write(tmp_path, dict(line, sha256="0" * 64)), corpus)
    with pytest.raises(GoldFormatError, match="not found"):
        load_gold(_write(tmp_path, dict(line, id="0002.txt")), corpus)


def test_standoff_gold_reads_extra_passages_from_the_extra_directory(tmp_path):
    corpus, extra = tmp_path / "corpus", tmp_path / "extra"
    corpus.mkdir()
    extra.mkdir()
    (extra / "0901.txt").write_text("贵州省毕节市", encoding="utf-8")
    line = {"id": "0901.txt", "source": "corpus-extra", "sha256": sha256("贵州省毕节市"),
            "spans": [{"start": 0, "end": 3, "label": "REGION", "text": "贵州省"}]}
    [doc] = load_gold(_write(tmp_path, line), corpus, extra)
    assert doc.text == "贵州省毕节市" and doc.spans == [Span(0, 3, "REGION")]
    with pytest.raises(GoldFormatError, match="corpus passage 0901.txt not found"):
        load_gold(_write(tmp_path, dict(line, source="corpus")), corpus, extra)  # not in the corpus
    with pytest.raises(GoldFormatError, match="neither 'text' nor 'source'"):
        load_gold(_write(tmp_path, dict(line, source="web")), corpus, extra)
    assert json.loads(to_json_line(doc, standoff=True, source="corpus-extra"))["source"] == "corpus-extra"
    assert load_gold(_write(tmp_path, line), corpus, tmp_path / "absent") == []  # no extra directory: skipped
    with pytest.raises(ValueError, match="source must be one of"):
        to_json_line(doc, standoff=True, source="web")


def test_standoff_lines_do_not_quote_long_spans(tmp_path):
    """A stand-off span longer than QUOTE_LIMIT is written by offsets alone (no third-party text at
    length in git) and reads back the same; the inline form keeps every span's text."""
    from model.gold import QUOTE_LIMIT, GoldDocument

    text = "湖南" + "一" * (QUOTE_LIMIT + 1) + "。"
    doc = GoldDocument("0001.txt", text, [Span(0, 2, "REGION"), Span(2, QUOTE_LIMIT + 3, "PROGRAM")])
    standoff = json.loads(to_json_line(doc, standoff=True))["spans"]
    assert standoff[0]["text"] == "湖南" and "text" not in standoff[1]
    assert all("text" in s for s in json.loads(to_json_line(doc, standoff=False))["spans"])
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "0001.txt").write_text(text, encoding="utf-8")
    [back] = load_gold(_write(tmp_path, json.loads(to_json_line(doc, standoff=True))), tmp_path / "corpus")
    assert back.spans == doc.spans


def test_shipped_gold_set_is_well_formed():
    from model.paths import GOLD_FILE, corpus_dir

    if not corpus_dir().is_dir():
        pytest.skip("shared corpus not present")
    docs = load_gold(GOLD_FILE)
    assert len(docs) >= 30
    labels = {s.label for d in docs for s in d.spans}
    assert labels == {"REGION", "PROGRAM", "AMOUNT", "POPULATION"}
    assert sum(len(d.spans) for d in docs) >= 300


def test_strict_and_overlap_scores_agree_with_seqeval():
    gold = [[Span(0, 3, "REGION"), Span(5, 11, "AMOUNT")], [Span(2, 4, "POPULATION")]]
    pred = [[Span(0, 3, "REGION"), Span(5, 10, "AMOUNT")], [Span(2, 4, "POPULATION"), Span(6, 8, "REGION")]]
    strict = summarise(span_counts(gold, pred, "strict"))
    assert strict["micro"]["precision"] == pytest.approx(2 / 4)
    assert strict["micro"]["recall"] == pytest.approx(2 / 3)
    assert strict["AMOUNT"]["f1"] == 0.0
    reference = seqeval_scores(gold, pred, [12, 10])
    assert reference["micro"]["f1"] == pytest.approx(strict["micro"]["f1"])
    overlap = summarise(span_counts(gold, pred, "overlap"))
    assert overlap["AMOUNT"]["f1"] == 1.0


def test_tags_round_trip():
    spans = [Span(1, 3, "REGION"), Span(3, 5, "AMOUNT"), Span(7, 8, "POPULATION")]
    ids = spans_to_tag_ids(spans, 0, 9)
    decoded = tag_ids_to_spans([TAGS[i] for i in ids])
    assert [(a, b, label) for a, b, label, _ in decoded] == [(s.start, s.end, s.label) for s in spans]


def test_windows_never_cut_an_entity():
    text = "一二三四五六七八九十" * 5
    spans = [Span(i, i + 4, "REGION") for i in range(0, 48, 6)]
    for width in range(6, 20):
        cuts = windows(text, width, spans)
        assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
        assert all(b - a <= width for a, b in cuts)
        assert all(a1 == b0 for (_, b0), (a1, _) in zip(cuts, cuts[1:], strict=False))
        for a, _ in cuts[1:]:
            assert not any(s.start < a < s.end for s in spans)


def test_viterbi_never_emits_an_orphan_inside_tag():
    import numpy as np

    from model.labels import TAG2ID, viterbi_tags

    def lp(rows):
        m = np.full((len(rows), len(TAGS)), -9.0)
        for i, tag in enumerate(rows):
            m[i, TAG2ID[tag]] = -0.1
        return m

    assert [TAGS[i] for i in viterbi_tags(lp(["B-REGION", "I-REGION", "O"]))] == ["B-REGION", "I-REGION", "O"]
    path = [TAGS[j] for j in viterbi_tags(lp(["O", "I-PROGRAM", "I-PROGRAM", "B-AMOUNT", "I-REGION"]))]
    for prev, cur in zip(["O", *path], path, strict=False):
        if cur.startswith("I-"):
            assert prev[2:] == cur[2:], path
    assert viterbi_tags(np.zeros((0, len(TAGS)))) == []
