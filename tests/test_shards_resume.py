"""Resumable sharded output (model.shards): a run killed at any moment and started again with the
same command ends with exactly the records of an uninterrupted run, none lost, none doubled."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model import extract
from model.corpus import load_seeds
from model.extract import main as extract_main
from model.shards import MANIFEST, ResumeConflict, ShardedOutput, committed_shards, read_records

ROOT = Path(__file__).resolve().parent.parent


def _archive(path: Path, copies: int) -> Path:
    """A JSONL archive of ``copies`` x the seeds, cut into paragraphs (invented ids)."""
    paragraphs = [p for d in load_seeds() for p in d.text.split("\n") if p.strip()]
    with open(path, "w", encoding="utf-8") as f:
        for k in range(copies):
            for i, p in enumerate(paragraphs):
                f.write(json.dumps({"id": f"c{k:03d}-p{i:03d}", "text": p}, ensure_ascii=False) + "\n")
        f.write("{broken json\n")  # a bad line: skipped, counted, never fatal
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "model.extract", *args, "--no-progress"]


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def _key(r: dict):
    return (r["doc_id"], int(r["start"]), int(r["end"]), r["label"])


def test_killed_run_resumes_to_the_uninterrupted_records(tmp_path):
    archive = _archive(tmp_path / "archive.jsonl", copies=12)
    n_docs = sum(1 for line in open(archive, encoding="utf-8") if line.startswith('{"id"'))
    common = ["--rules-only", "--batch-size", "8", "--shard-docs", "8"]
    assert extract_main([str(archive), *common, "--no-progress", "--out", f"{tmp_path / 'ref'}/"]) == 0

    out = tmp_path / "killed"
    cmd = _cli(str(archive), *common, "--out", f"{out}/")
    kills = 0
    # kill twice, at different points (the second time with two worker processes: speed settings
    # may change between runs), then let it finish
    for wait_for, workers in ((2, "1"), (5, "2")):
        proc = subprocess.Popen([*cmd, "--workers", workers], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            if out.is_dir() and len(list(out.glob("part-*.done.json"))) >= wait_for:
                os.killpg(proc.pid, signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.005)
        proc.wait()
    assert kills == 2, "the run finished before it could be killed: make the archive bigger"
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert not manifest["complete"] and 0 < manifest["documents"] < n_docs

    resumed = _run([*cmd, "--workers", "2"])
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming" in resumed.stderr

    want, got = list(read_records(tmp_path / "ref")), list(read_records(out))
    assert len(got) == len(want) > 0
    assert got == want  # same records, same order
    assert sorted(got, key=_key) == sorted(want, key=_key)
    ids = [i for s in committed_shards(out) for i in s["ids"]]
    assert len(ids) == len(set(ids)) == n_docs  # every document exactly once
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["documents"] == n_docs
    assert list(manifest["skipped"].values()) == [next(iter(manifest["skipped"].values()))]  # the broken line, once
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_different_command_refuses_to_resume(tmp_path, capsys):
    seeds = str(ROOT / "data" / "seeds")
    out = f"{tmp_path / 'o'}/"
    assert extract_main([seeds, "--rules-only", "--no-progress", "--out", out]) == 0
    capsys.readouterr()
    assert extract_main([seeds, "--rules-only", "--no-progress", "--format", "csv", "--out", out]) == 2
    err = capsys.readouterr().err
    assert "different command" in err and "format" in err
    # the same command again: nothing left to do; speed settings may differ
    assert extract_main([seeds, "--rules-only", "--no-progress", "--workers", "1", "--out", out]) == 0
    assert "documents read: 0" in capsys.readouterr().err


def _results(docs):
    from model.extract import Document, make_record
    from model.weak import weak_label

    return [(Document(i, t), [make_record(i, t, e) for e in weak_label(t)]) for i, t in docs]


DOCS = [("a", "湖南省投入785万元"), ("b", "北京市帮助1.8万余人脱贫"), ("a", "上海市捐赠3000万元"), ("c", "无")]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_crash_leftovers_are_cleaned_and_repeated_ids_resume_by_count(tmp_path, fmt):
    from model.extract import Document

    config = {"inputs": ["x"]}
    out = ShardedOutput(tmp_path, fmt, config, extract)
    out.write(_results(DOCS[:1]))
    out.write(_results(DOCS[1:2]))
    out.close()
    # what a kill leaves: a shard renamed but not committed, a temporary file, a stale manifest
    (tmp_path / f"part-000002.{fmt}").write_text("half", encoding="utf-8")
    (tmp_path / f".part-000003.{fmt}.tmp").write_text("half", encoding="utf-8")
    (tmp_path / "part-000001.done.json").rename(tmp_path / "keep")
    manifest = (tmp_path / MANIFEST).read_text(encoding="utf-8")
    (tmp_path / "keep").rename(tmp_path / "part-000001.done.json")
    (tmp_path / MANIFEST).write_text(manifest.replace('"documents": 2', '"documents": 1'), encoding="utf-8")

    again = ShardedOutput(tmp_path, fmt, config, extract)
    assert sorted(p.name for p in tmp_path.iterdir() if "000002" in p.name or p.name.endswith(".tmp")) == []
    todo = list(again.pending(Document(i, t) for i, t in DOCS))
    assert [(d.id, d.text) for d in todo] == DOCS[2:]  # the second "a" is still to do
    again.write(_results(DOCS[2:]))
    again.finish()
    records = list(read_records(tmp_path))
    assert [(r["doc_id"], r["text"]) for r in records] == [
        (i, e["text"]) for i, t in DOCS for e in __import__("model.weak", fromlist=["x"]).weak_label(t)]
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["documents"] == 4 and manifest["complete"]
    assert [s["file"] for s in manifest["shards"]] == [f"part-00000{i}.{fmt}" for i in range(3)]


def test_one_directory_one_run_at_a_time(tmp_path):
    first = ShardedOutput(tmp_path, "jsonl", {"inputs": ["x"]}, extract)
    with pytest.raises(ResumeConflict, match="another run"):
        ShardedOutput(tmp_path, "jsonl", {"inputs": ["x"]}, extract)
    first.close()
    ShardedOutput(tmp_path, "jsonl", {"inputs": ["x"]}, extract).close()


def test_shards_without_a_manifest_are_not_adopted(tmp_path):
    (tmp_path / "part-000000.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(ResumeConflict, match="no manifest"):
        ShardedOutput(tmp_path, "jsonl", {}, extract)


def test_model_run_in_shards_equals_the_single_file_run(tmp_path, tiny_model_dir):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for d in load_seeds():  # the start of each seed: a random model labels densely, enrichment is slow
        (seeds / d.id).write_text(d.text[:600], encoding="utf-8")
    seeds = str(seeds)
    model = ["--model-dir", str(tiny_model_dir), "--device", "cpu", "--backend", "fp32", "--no-progress"]
    assert extract_main([seeds, *model, "--out", str(tmp_path / "plain.jsonl")]) == 0
    assert extract_main([seeds, *model, "--shard-docs", "2", "--batch-size", "2", "--out", f"{tmp_path / 's'}/"]) == 0
    want = [json.loads(line) for line in open(tmp_path / "plain.jsonl", encoding="utf-8")]
    got = list(read_records(tmp_path / "s"))
    assert sorted(got, key=_key) == sorted(want, key=_key) and len(got) > 0
    assert len(committed_shards(tmp_path / "s")) == 3
