"""Ray Data on a local runtime of 2 CPUs finds exactly the records of the single-process run:
JSONL, Parquet and a .txt directory in, Recognizer actors, Parquet out."""
from __future__ import annotations

import json

import pytest

ray = pytest.importorskip("ray", reason="the Ray test needs the 'ray' extra (part of the 'test' extra)")

from model.corpus import load_corpus, load_seeds  # noqa: E402
from model.extract import extract, flat_row  # noqa: E402
from model.paths import SEEDS_DIR  # noqa: E402


def _key(r: dict):
    return (r["doc_id"], r["start"], r["end"], r["label"])


@pytest.fixture(scope="module")
def local_ray():
    """One local runtime of 2 CPUs for the module (model.ray_job.main reuses a running one)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_job_finds_the_records_of_the_single_process_run(local_ray, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from model.ray_job import main

    # the seeds as a directory of .txt; corpus passages (when the corpus is there), half as JSONL
    # and half as Parquet, written to the test's temporary directory only
    passages = load_corpus()
    half = len(passages) // 2
    inputs = [str(SEEDS_DIR)]
    if passages:
        with open(tmp_path / "passages.jsonl", "w", encoding="utf-8") as f:
            for d in passages[:half]:
                f.write(json.dumps({"id": d.id, "text": d.text}, ensure_ascii=False) + "\n")
        pq.write_table(pa.Table.from_pylist([{"id": d.id, "text": d.text} for d in passages[half:]]),
                       tmp_path / "passages.parquet")
        inputs += [str(tmp_path / "passages.jsonl"), str(tmp_path / "passages.parquet")]
    docs = [(d.id, d.text) for d in load_seeds()] + [(d.id, d.text) for d in passages]

    out = tmp_path / "entities"
    assert main([*inputs, "--out", str(out), "--rules-only", "--local-cpus", "2", "--concurrency", "2"]) == 0
    got = pq.read_table(out).to_pylist()

    want = [flat_row(r) for r in extract([t for _, t in docs], ids=[i for i, _ in docs], rules_only=True)]
    assert len(got) == len(want) > 0
    assert sorted(got, key=_key) == sorted(want, key=_key)
    assert ray.is_initialized()  # main() left the caller's runtime alone


def test_ray_actors_run_the_model_like_one_process(local_ray, tmp_path, tiny_model_dir):
    """A (tiny, random) model in two actors: the spans of the single-process run; scores agree to
    rounding (batches are cut differently, which moves float sums in the last bits)."""
    import pyarrow.parquet as pq

    from model.fast_cpu import load_recognizer
    from model.ray_job import label_dataset, read_documents

    ds = read_documents([str(SEEDS_DIR)])
    label_dataset(ds, model_dir=str(tiny_model_dir), device="cpu", backend="fp32", concurrency=2,
                  num_cpus=0.5, batch_size=2).write_parquet(str(tmp_path / "m"))
    got = sorted(pq.read_table(tmp_path / "m").to_pylist(), key=_key)
    seeds = load_seeds()
    rec = load_recognizer(tiny_model_dir, device="cpu", backend="fp32")
    want = sorted((flat_row(r) for r in extract([d.text for d in seeds], ids=[d.id for d in seeds],
                                                recognizer=rec)), key=_key)
    assert [_key(r) for r in got] == [_key(r) for r in want] and got
    assert all(abs(a["score"] - b["score"]) <= 2e-4 for a, b in zip(got, want))
    assert [{k: v for k, v in r.items() if k != "score"} for r in got] == \
        [{k: v for k, v in r.items() if k != "score"} for r in want]


def test_ray_job_says_what_is_missing(local_ray, tmp_path, capsys):
    from model.ray_job import main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"name": "x", "body": "湖南省"}\n', encoding="utf-8")
    assert main([str(bad), "--out", str(tmp_path / "o"), "--rules-only", "--local-cpus", "1",
                 "--concurrency", "1"]) == 2
    assert "no column id, text" in capsys.readouterr().err


def test_input_kinds(tmp_path):
    from model.ray_job import input_kind

    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "e").mkdir()
    assert input_kind(str(tmp_path / "t")) == "txt"
    assert input_kind("s3://bucket/part-0.jsonl") == "jsonl"
    assert input_kind("s3://bucket/table/") == "parquet"
    with pytest.raises(ValueError, match="no .parquet"):
        input_kind(str(tmp_path / "e"))
    (tmp_path / "x.csv").write_text("id,text\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected"):
        input_kind(str(tmp_path / "x.csv"))
