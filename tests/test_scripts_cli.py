"""The command-line tools run as modules from the repository root, and bad input gets a usage error."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import gold_tool

ROOT = Path(__file__).resolve().parent.parent
PASSAGE = "湖南省零陵区投入785万元。\n零陵区帮助1.8万余人脱贫。\n"


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "0001.txt").write_text(PASSAGE, encoding="utf-8", newline="")
    return d


def _spec(tmp_path, obj) -> str:
    path = tmp_path / "spec.json"
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_build_writes_standoff_gold_and_flags_untagged_repeats(tmp_path, corpus, capsys):
    spec = _spec(tmp_path, {"0001.txt": [["REGION", "湖南省"], ["REGION", "零陵区"], ["AMOUNT", "785万元"]]})
    out = tmp_path / "gold.jsonl"
    gold_tool.main(["build", spec, str(out), "--corpus", str(corpus)])
    [line] = out.read_text(encoding="utf-8").splitlines()
    doc = json.loads(line)
    assert "text" not in doc and doc["id"] == "0001.txt"
    assert [(s["start"], s["end"], s["text"]) for s in doc["spans"]] == [(0, 3, "湖南省"), (3, 6, "零陵区"),
                                                                         (8, 13, "785万元")]
    assert "untagged occurrence of '零陵区' at 15" in capsys.readouterr().out


def test_build_places_a_span_at_its_given_start(tmp_path, corpus, capsys):
    """A third item pins an occurrence (the second 零陵区, skipping the first); a wrong one is reported."""
    spec = _spec(tmp_path, {"0001.txt": [["REGION", "零陵区", 15]]})
    out = tmp_path / "gold.jsonl"
    gold_tool.main(["build", spec, str(out), "--corpus", str(corpus)])
    assert [(s["start"], s["end"]) for s in json.loads(out.read_text(encoding="utf-8"))["spans"]] == [(15, 18)]
    wrong = _spec(tmp_path, {"0001.txt": [["REGION", "零陵区", 4]]})
    gold_tool.main(["build", wrong, str(out), "--corpus", str(corpus)])
    assert "NOT AT 4" in capsys.readouterr().out


def test_build_takes_a_long_span_by_its_offsets(tmp_path, corpus):
    spec = _spec(tmp_path, {"0001.txt": [["REGION", "湖南省"], ["REGION", 15, 18]]})
    out = tmp_path / "gold.jsonl"
    gold_tool.main(["build", spec, str(out), "--corpus", str(corpus)])
    spans = json.loads(out.read_text(encoding="utf-8"))["spans"]
    assert [(s["start"], s["end"], s["text"]) for s in spans] == [(0, 3, "湖南省"), (15, 18, "零陵区")]
    with pytest.raises(SystemExit):
        gold_tool.main(["build", _spec(tmp_path, {"0001.txt": [["REGION", 6, 3]]}), str(out), "--corpus", str(corpus)])


def test_compare_lists_what_only_one_reading_has(tmp_path, corpus, capsys):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    gold_tool.main(["build", _spec(tmp_path, {"0001.txt": [["REGION", "湖南省"], ["REGION", "零陵区"]]}), str(a),
                    "--corpus", str(corpus)])
    gold_tool.main(["build", _spec(tmp_path, {"0001.txt": [["REGION", "湖南"], ["REGION", "零陵区"]]}), str(b),
                    "--corpus", str(corpus)])
    capsys.readouterr()
    gold_tool.main(["compare", str(a), str(b), "--corpus", str(corpus)])
    out = capsys.readouterr().out
    assert "0001.txt only A: REGION 0-3 '湖南省'" in out and "0001.txt only B: REGION 0-2 '湖南'" in out
    assert "A 2 spans, B 2, both 1: strict F1 0.500" in out
    with pytest.raises(SystemExit):  # a reading of other passages is a usage error
        b.write_text("", encoding="utf-8")
        gold_tool.main(["compare", str(a), str(b), "--corpus", str(corpus)])


def test_compare_never_quotes_a_long_span_whole():
    """The listings are committed (data/train_gold/parts/tN.diff.txt): a span longer than
    QUOTE_LIMIT shows its two ends only, never the third-party text at length."""
    from model.gold import QUOTE_LIMIT

    long = "".join(chr(0x4E00 + i) for i in range(QUOTE_LIMIT + 5))
    assert gold_tool._quote(long) == long[:8] + "…" + long[-8:]
    assert gold_tool._quote(long[:QUOTE_LIMIT]) == long[:QUOTE_LIMIT]


@pytest.mark.parametrize("argv, message", [
    (["show", "0002.txt"], "no passage '0002.txt'"),
    (["show", "../corpus/0001.txt"], "no passage"),
    (["build", "MISSING", "out.jsonl"], "does not exist"),
    (["build", "{not json", "out.jsonl"], "not readable JSON"),
    (["build", ["REGION", "湖南省"], "out.jsonl"], "expected an object"),
    (["build", {"0001.txt": [["PLACE", "湖南省"]]}, "out.jsonl"], "unknown label 'PLACE'"),
    (["build", {"0001.txt": [["REGION"]]}, "out.jsonl"], "is not a [label, text] pair"),
    (["build", {"0001.txt": [["REGION", "湖南省", -1]]}, "out.jsonl"], "or a [label, text, start] triple"),
    (["build", {"0009.txt": [["REGION", "湖南省"]]}, "out.jsonl"], "no passage '0009.txt'"),
])
def test_bad_input_is_a_usage_error_not_a_traceback(tmp_path, corpus, capsys, argv, message):
    if argv[0] == "build":
        spec = argv[1]
        argv = ["build", str(tmp_path / spec) if spec == "MISSING" else _spec(tmp_path, spec), str(tmp_path / argv[2])]
    with pytest.raises(SystemExit) as exc:
        gold_tool.main([*argv, "--corpus", str(corpus)])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("module", ["benchmarks.bench", "benchmarks.token_boundaries", "scripts.gold_tool"])
def test_runs_as_a_module_from_the_repository_root(module):
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def test_extra_labelling_rounds_avoid_gold_text_and_each_other(monkeypatch):
    """``choose_train_gold_extra``: on-topic extra passages of the rounds' lengths, none sharing a
    long sentence with the texts to avoid (the corpus, the dev gold's extra passages), no passage in
    two rounds, the same draw for the same seeds."""
    from scripts import make_split

    monkeypatch.setattr(make_split, "TRAIN_GOLD_EXTRA_ROUNDS", ((1, 3, 800), (2, 3, 800)))
    reprint = "这是一句在金标准文本里出现过的很长的句子，用来检查转载。"
    filler = "。".join(f"第{i}段讲述了当地扶贫产业发展的情况和群众收入增长的经过" for i in range(12))
    texts = {f"{i:04d}.txt": f"{i}{filler}" for i in range(10)}
    texts["0100.txt"] = reprint + filler        # a reprint of gold text
    texts["0101.txt"] = "天气预报" * 100         # off the topic
    texts["0102.txt"] = filler[:200]             # too short
    year = {name: "2016" if i % 2 else "2020" for i, name in enumerate(sorted(texts))}
    rounds = make_split.choose_train_gold_extra(texts, [reprint], year)
    assert [len(r) for r in rounds] == [3, 3] and not set(rounds[0]) & set(rounds[1])
    assert not {"0100.txt", "0101.txt", "0102.txt"} & set(rounds[0] + rounds[1])
    assert rounds == make_split.choose_train_gold_extra(texts, [reprint], year)
