"""extract(): records, lazy input reading with skips, the CLI and its four output formats."""
from __future__ import annotations

import io
import itertools
import json

import pytest

from model.extract import (
    COLUMNS,
    DTYPES,
    Document,
    Extractor,
    ExtractSummary,
    ParquetWriter,
    Skipped,
    extract,
    extract_files,
    iter_documents,
    main,
    make_record,
    to_dataframe,
)
from model.paths import SEEDS_DIR
from model.recognizer import Recognizer

from .conftest import build_tokenizer
from .test_predict import CharRuleModel

TEXT_A = "湖南省零陵区投入785万元，帮助1.8万余人脱贫"
TEXT_B = "谷城县五山镇堰河村实施“雨露计划”，157户受益"
TEXT_NONE = "今天天气很好。"


def _stdin(data: str | bytes) -> io.TextIOWrapper:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")


def _offsets_hold(records, texts: dict[str, str]):
    assert records
    for r in records:
        assert texts[r["doc_id"]][r["start"]:r["end"]] == r["text"]


@pytest.fixture()
def corpus_dir(tmp_path):
    """A directory with two good documents, a non-UTF-8 file, an empty file and a non-.txt file."""
    d = tmp_path / "docs"
    d.mkdir()
    (d / "b.txt").write_text(TEXT_B, encoding="utf-8")
    (d / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (d / "c_gbk.txt").write_bytes(TEXT_A.encode("gbk"))
    (d / "d_empty.txt").write_bytes(b"")
    (d / "notes.md").write_text(TEXT_A, encoding="utf-8")
    return d


# ---- reading inputs ------------------------------------------------------------------------

def test_directory_is_sorted_and_bad_files_are_skipped_in_place(corpus_dir, caplog):
    items = list(iter_documents([corpus_dir]))
    assert [type(i).__name__ for i in items] == ["Document", "Document", "Skipped", "Skipped"]
    assert [i.id for i in items[:2]] == ["a.txt", "b.txt"]
    assert items[0].text == TEXT_A
    assert [(i.source.rsplit("/", 1)[-1], i.reason) for i in items[2:]] == [
        ("c_gbk.txt", "not UTF-8"), ("d_empty.txt", "empty")]
    assert "c_gbk.txt" in caplog.text and "not UTF-8" in caplog.text


def test_text_file_is_one_document_named_by_its_file(tmp_path):
    f = tmp_path / "report one.txt"
    f.write_text("第一行\n" + TEXT_A + "\n", encoding="utf-8-sig")  # BOM dropped, newlines kept
    (doc,) = iter_documents([str(f)])
    assert doc == Document("report one.txt", "第一行\n" + TEXT_A + "\n", str(f))


def test_jsonl_ids_fallback_and_broken_lines(tmp_path):
    f = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "x1", "text": TEXT_A}, ensure_ascii=False),
             '{"id": "broken", "text": "湖南',
             "",
             json.dumps({"text": TEXT_B}, ensure_ascii=False),
             json.dumps({"id": 7, "text": ""}),
             json.dumps(["not", "an", "object"]),
             json.dumps({"id": "no-text"}),
             json.dumps({"id": 8, "text": TEXT_NONE}, ensure_ascii=False)]
    f.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"id": "gbk", "text": "' + "湖南".encode("gbk")
                  + b'"}\n')
    items = list(iter_documents([f]))
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [(d.id, d.line) for d in docs] == [("x1", 1), ("in.jsonl:4", 4), ("8", 8)]
    assert [(s.line, s.reason.split(" (")[0]) for s in skipped] == [
        (2, "broken JSON"), (5, "empty text"), (6, "not a JSON object"), (7, "no 'text' string"), (9, "not UTF-8")]
    assert skipped[0].where == f"{f}:2"


def test_stdin_plain_lines_and_jsonl():
    plain = list(iter_documents(["-"], stdin=_stdin(f"{TEXT_A}\n\n{TEXT_B}\n")))
    assert [(type(i).__name__, getattr(i, "id", None)) for i in plain] == [
        ("Document", "stdin:1"), ("Skipped", None), ("Document", "stdin:3")]
    assert plain[2].text == TEXT_B  # the newline is not part of the document
    jsonl = list(iter_documents(["-"], stdin=_stdin(f'\n{{"id": "q", "text": "{TEXT_A}"}}\n{{"text": "{TEXT_B}"}}\n')))
    assert [(d.id, d.text) for d in jsonl] == [("q", TEXT_A), ("stdin:3", TEXT_B)]
    assert [i.reason for i in iter_documents(["-"], stdin=_stdin(""))] == ["empty"]


def test_missing_input_and_directory_without_txt(tmp_path):
    items = list(iter_documents([tmp_path / "nope.txt", tmp_path]))
    assert [(type(i).__name__, i.reason) for i in items] == [
        ("Skipped", "no such file or directory"), ("Skipped", "no .txt files")]


def test_reading_is_lazy_and_batches_are_bounded():
    calls = []

    def labeller(texts):
        calls.append(len(texts))
        return [[] for _ in texts]

    endless = (Document(str(i), "北京") for i in itertools.count())
    out = list(itertools.islice(Extractor(recognizer=labeller, batch_size=3).results(endless), 7))
    assert [doc.id for doc, _ in out] == [str(i) for i in range(7)]
    assert calls == [3, 3, 3]


def test_skipped_items_keep_their_place_and_counts(corpus_dir):
    summary = ExtractSummary()
    items = [Document("one", TEXT_A), Skipped("bad.txt", "not UTF-8"), Document("two", TEXT_NONE),
             Document("three", TEXT_B)]
    out = list(Extractor(rules_only=True, batch_size=2).results(items, summary))
    assert [o.source if isinstance(o, Skipped) else o[0].id for o in out] == ["one", "bad.txt", "two", "three"]
    assert out[2][1] == []  # no entities: no record, but the document counts
    assert (summary.documents, summary.skipped) == (3, 1)
    assert summary.entities == len(out[0][1]) + len(out[3][1]) > 0
    assert summary.line() == f"documents read: 3, skipped: 1, entities written: {summary.entities}"


# ---- records ---------------------------------------------------------------------------------

def test_records_rules_only_offsets_ids_and_columns():
    records = extract([TEXT_A, TEXT_NONE, TEXT_B], ids=["a", "none", "b"], rules_only=True)
    _offsets_hold(records, {"a": TEXT_A, "b": TEXT_B})
    assert {r["doc_id"] for r in records} == {"a", "b"}
    assert [r["text"] for r in records if r["doc_id"] == "a"] == ["湖南省", "零陵区", "785万元", "1.8万余人"]
    assert all(tuple(r) == COLUMNS and r["score"] is None for r in records)
    with pytest.raises(ValueError, match="ids"):
        extract([TEXT_A], ids=["a", "b"], rules_only=True)
    with pytest.raises(TypeError, match="str"):
        extract([TEXT_A, 3], rules_only=True)


def test_seed_documents_offsets_equal_the_original_text():
    result = extract_files([SEEDS_DIR], rules_only=True)
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS_DIR.glob("*.txt")}
    assert result.summary.documents == len(texts) == 5 and result.summary.skipped == 0
    assert result.summary.entities == len(result.records)
    _offsets_hold(result.records, texts)
    assert {r["label"] for r in result.records} == {"REGION", "PROGRAM", "AMOUNT", "POPULATION"}


def test_records_carry_the_normalised_values():
    records = {r["text"]: r for r in extract([TEXT_A, TEXT_B], rules_only=True)}
    assert (records["785万元"]["value"], records["785万元"]["currency"]) == (7850000, "CNY")
    assert (records["1.8万余人"]["value"], records["1.8万余人"]["approx"], records["1.8万余人"]["counts"]) == (
        18000, True, "persons")
    assert (records["零陵区"]["level"], records["零陵区"]["province"], records["零陵区"]["city"]) == (
        "county", "湖南省", "永州市")
    assert records["湖南省"]["adcode"] == "430000" and records["湖南省"]["candidates"] == 1
    assert records["雨露计划"]["canonical"] == "雨露计划"


def test_a_plain_labeller_gets_values_added():
    def labeller(texts):  # spans only, like a custom model would give
        return [[{"label": "AMOUNT", "text": "785万元", "start": 8, "end": 13, "score": 0.5}] for _ in texts]

    (record,) = extract([TEXT_A], recognizer=labeller)
    assert (record["value"], record["currency"], record["score"]) == (7850000, "CNY", 0.5)


def test_parents_are_flattened_whatever_their_shape():
    base = {"label": "REGION", "text": "零陵区", "start": 0, "end": 3}
    text = "零陵区"
    shapes = [{"province": "湖南省", "city": "永州市"},
              [{"level": "province", "name": "湖南省"}, {"level": "city", "name": "永州市"}],
              ["湖南省", "永州市"]]
    for parents in shapes:
        r = make_record("d", text, {**base, "parents": parents, "adcode": 431102, "level": "county"})
        assert (r["province"], r["city"], r["county"], r["adcode"]) == ("湖南省", "永州市", None, 431102)
    assert make_record("d", text, base)["province"] is None


def test_record_text_comes_from_the_offsets(caplog):
    r = make_record("d", "湖南省投入", {"label": "REGION", "text": "湖南", "start": 0, "end": 3})
    assert r["text"] == "湖南省" and "differs" in caplog.text


def test_dataframe_has_stable_columns_and_dtypes():
    empty = to_dataframe([])
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0
    records = extract([TEXT_A], rules_only=True)
    records[0].update(value=7850000, approx=True, candidates=2, canonical=["odd", "list"])
    frame = to_dataframe(records)
    assert list(frame.columns) == list(COLUMNS)
    assert {c: str(t) for c, t in frame.dtypes.items()} == {c: str(empty[c].dtype) for c in COLUMNS}
    assert str(frame["start"].dtype) == DTYPES["start"] == "int64"
    assert frame.loc[0, "value"] == 7850000.0 and bool(frame.loc[0, "approx"]) is True
    assert frame.loc[0, "candidates"] == 2 and str(frame["candidates"].dtype) == "Int64"
    assert json.loads(frame.loc[0, "canonical"]) == ["odd", "list"]  # never a Python repr in a cell
    assert frame["score"].isna().all()


# ---- the model path --------------------------------------------------------------------------

def test_model_path_with_a_tiny_model():
    tokenizer = build_tokenizer()
    rec = Recognizer(model=CharRuleModel(tokenizer), tokenizer=tokenizer, device="cpu")
    texts = ["在北京工作", TEXT_NONE, "北京和北京"]
    records = extract(texts, ids=["p", "q", "r"], recognizer=rec, batch_size=2)
    assert [(r["doc_id"], r["start"], r["end"], r["label"]) for r in records] == [
        ("p", 1, 3, "REGION"), ("r", 0, 2, "REGION"), ("r", 3, 5, "REGION")]
    assert all(0 < r["score"] <= 1 for r in records)
    _offsets_hold(records, dict(zip("pqr", texts, strict=True)))


def test_cli_with_a_tiny_random_model_dir(tiny_model_dir, corpus_dir, capsys):
    assert main([str(corpus_dir), "--model-dir", str(tiny_model_dir), "--device", "cpu", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    texts = {"a.txt": TEXT_A, "b.txt": TEXT_B}
    assert all(texts[r["doc_id"]][r["start"]:r["end"]] == r["text"] for r in records)  # random: maybe none
    assert all(isinstance(r["score"], float) for r in records)
    assert err.strip().splitlines()[-1].startswith("documents read: 2, skipped: 2, entities written: ")


def test_missing_model_says_make_train_or_rules_only(tmp_path, corpus_dir, capsys):
    out_file = tmp_path / "out.csv"
    code = main([str(corpus_dir), "--model-dir", str(tmp_path / "no-model"), "--format", "csv",
                 "--out", str(out_file)])
    err = capsys.readouterr().err
    assert code == 2 and "make train" in err and "--rules-only" in err
    assert not out_file.exists()  # nothing half-written


# ---- the CLI and its outputs -----------------------------------------------------------------

def _expected(corpus_dir):
    return extract([TEXT_A, TEXT_B], ids=["a.txt", "b.txt"], rules_only=True)


def test_cli_jsonl_to_stdout_and_the_counts_line(corpus_dir, capsys, caplog):
    assert main([str(corpus_dir), "--rules-only"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert records == _expected(corpus_dir)
    expected_line = f"documents read: 2, skipped: 2, entities written: {len(records)}"
    assert err.strip().splitlines()[-1] == expected_line
    assert "c_gbk.txt" in caplog.text and "d_empty.txt" in caplog.text


def test_cli_csv_reads_back(corpus_dir, tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "out.csv"
    assert main([str(corpus_dir), "--rules-only", "--format", "csv", "--out", str(out), "--no-progress"]) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    expected = _expected(corpus_dir)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == len(expected)
    assert frame["text"].tolist() == [r["text"] for r in expected]
    assert frame["start"].astype(int).tolist() == [r["start"] for r in expected]
    assert frame.loc[frame["text"] == "785万元", "value"].tolist() == ["7850000"]  # not 7850000.0
    assert main([str(corpus_dir), "--rules-only", "--format", "csv", "--no-progress"]) == 0  # stdout
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")


def test_cli_parquet_reads_back_with_pandas(corpus_dir, tmp_path):
    import pandas as pd

    out = tmp_path / "out.parquet"
    assert main([str(corpus_dir), "--rules-only", "--format", "parquet", "--out", str(out), "--no-progress"]) == 0
    frame = pd.read_parquet(out)
    expected = to_dataframe(_expected(corpus_dir))
    assert list(frame.columns) == list(COLUMNS)
    assert frame["text"].tolist() == expected["text"].tolist()
    assert frame["end"].tolist() == expected["end"].tolist()
    assert frame["score"].isna().all()


def test_parquet_is_written_in_row_groups(tmp_path):
    import pyarrow.parquet as pq

    path = tmp_path / "groups.parquet"
    writer = ParquetWriter(path, row_group_size=3)
    for i in range(4):
        doc = Document(str(i), TEXT_A)
        writer.write(doc, extract([TEXT_A], ids=[doc.id], rules_only=True))
    writer.close(ExtractSummary())
    assert pq.ParquetFile(path).num_row_groups == 4 and pq.read_table(path).num_rows == 16
    empty = tmp_path / "empty.parquet"
    ParquetWriter(empty).close(ExtractSummary())
    assert pq.read_table(empty).column_names == list(COLUMNS)


def test_cli_html_is_standalone_escaped_and_marked(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    nasty = '<script>alert("x")</script> & ' + TEXT_A
    src.write_text(json.dumps({"id": "<b>id</b>", "text": nasty}, ensure_ascii=False) + "\n{broken\n",
                   encoding="utf-8")
    out = tmp_path / "page.html"
    assert main([str(src), "--rules-only", "--format", "html", "--out", str(out), "--no-progress"]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "&lt;script&gt;" in page and "&lt;b&gt;id&lt;/b&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page.count('<mark class="ent"') == 4 + 4  # four entities, four legend samples
    assert '785万元<span class="lab">AMOUNT</span></mark>' in page
    assert "data-tip=" in page and "broken JSON" in page  # the skipped line is listed
    assert page.count("<tr>") == 1 + 4  # header + one row per record


def test_cli_rejects_bad_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(SEEDS_DIR), "--rules-only", "--format", "parquet"])
    assert "--out" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing.txt"), "--rules-only"])
    assert "missing.txt" in capsys.readouterr().err


def test_cli_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", _stdin(f"{TEXT_A}\n{TEXT_NONE}\n"))
    assert main(["-", "--rules-only", "--no-progress"]) == 0
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert {r["doc_id"] for r in records} == {"stdin:1"}
    assert "documents read: 2, skipped: 0, entities written: 4" in err


def test_python_dash_m_entry_point(tmp_path):
    import subprocess
    import sys

    from model.paths import PROJECT_ROOT

    stdin = f'{{"id": "a", "text": "{TEXT_A}"}}\n{{"id": "b", "text": \n'
    done = subprocess.run([sys.executable, "-m", "model.extract", "-", "--rules-only", "--format", "csv"],
                          input=stdin, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == ",".join(COLUMNS) and len(done.stdout.splitlines()) == 5
    assert "WARNING model.extract: skipped stdin:2: broken JSON" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "documents read: 1, skipped: 1, entities written: 4"
