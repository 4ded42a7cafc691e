"""train() end to end on a tiny random model and the seed documents: the saved directory is a
proper save_pretrained model that predict() can use; the dataset cache notices a changed rule; a
killed run leaves no half-written model and ``--resume`` finishes it. Seconds, not a real run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def write_config(tmp_path: Path, tiny_model_dir: Path, **overrides) -> Path:
    (tmp_path / "no-corpus").mkdir(exist_ok=True)
    config = {"base_model": str(tiny_model_dir), "corpus_dir": str(tmp_path / "no-corpus"),
              "dataset_dir": str(tmp_path / "dataset"), "output_dir": str(tmp_path / "model"),
              "epochs": 2, "batch_size": 4, "learning_rate": 1e-3, "seed": 1, "window_chars": 40,
              "max_length": 16, "stride": 4, "augment": {}, "num_layers": 1, "freeze_embeddings": True,
              "max_train_windows": 12, **overrides}
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize("features", [False, True])
def test_train_writes_a_loadable_model(tmp_path, tiny_model_dir, features, monkeypatch):
    from model.config import load_config
    from model.recognizer import Recognizer
    from model.train import train

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    out = train(load_config(write_config(tmp_path, tiny_model_dir, features=features, o_weight=0.5,
                                         min_score=0.25)))
    for name in ("config.json", "model.safetensors", "tokenizer.json", "training_meta.json", "train_config.yaml"):
        assert (out / name).is_file(), name
    assert not out.with_name(out.name + ".tmp").exists() and not out.with_name(out.name + ".work").exists()
    config = json.loads((out / "config.json").read_text())
    assert config["id2label"]["0"] == "O" and config["num_hidden_layers"] == 1
    assert config["inference"]["max_length"] == 16 and config["inference"]["stride"] == 4
    assert config["inference"]["snap_quotes"] is False  # the config's setting, served as trained
    assert config["inference"]["min_score"] == 0.25 and Recognizer(out, device="cpu").min_score == 0.25
    assert config["type_vocab_size"] == (11 if features else 2)
    meta = json.loads((out / "training_meta.json").read_text())
    assert meta["train_windows_used"] == 12 and meta["train_loss"] > 0
    assert meta["data"]["corpus_passages"] == 0 and meta["config"]["features"] is features
    used = yaml.safe_load((out / "train_config.yaml").read_text())
    assert used["features"] is features and used["o_weight"] == 0.5  # the merged config, not the file
    rec = Recognizer(out, device="cpu")
    assert bool(rec.features) is features
    text = "湖南省投入785万元,萍鄉(xiāng)經開區"
    for s in rec.predict(text):
        assert text[s["start"]:s["end"]] == s["text"]


def test_dataset_cache_notices_a_changed_labelling_function(tmp_path, tiny_model_dir, monkeypatch):
    import model.dataset as dataset
    from model.config import load_config
    from model.weak import WeakLabeller, default_labeller

    config = load_config(write_config(tmp_path, tiny_model_dir))
    dd, first = dataset.ensure_dataset(config)
    again, second = dataset.ensure_dataset(config)
    assert second["fingerprint"] == first["fingerprint"]  # reused, not rebuilt
    # A labelling function changes its output: here, the REGION functions stop voting.
    fewer = WeakLabeller([lf for lf in default_labeller().functions if lf.label != "REGION"])
    monkeypatch.setattr(dataset, "default_labeller", lambda: fewer)
    dd2, third = dataset.ensure_dataset(config)
    assert third["fingerprint"] != first["fingerprint"]
    before = sum(t != 0 for tags in dd["train"]["tags"] for t in tags)
    after = sum(t != 0 for tags in dd2["train"]["tags"] for t in tags)
    assert after < before  # the new build carries the new labels


def _run_train(config: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NER_CORPUS_DIR", None)
    return subprocess.Popen([sys.executable, "-m", "model.train", "--config", str(config), "--no-eval", *extra],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_killed_training_leaves_the_previous_model_and_resume_finishes(tmp_path, tiny_model_dir):
    config = write_config(tmp_path, tiny_model_dir, epochs=400, save_steps=20, max_train_windows=8)
    out = tmp_path / "model"
    out.mkdir()
    (out / "previous.txt").write_text("the model of an earlier run")
    proc = _run_train(config)
    work = tmp_path / "model.work"
    deadline = time.time() + 600  # generous: a busy machine (a training beside the tests) is slow to start
    while not list(work.glob("checkpoint-*/trainer_state.json")):
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        if time.time() > deadline:
            proc.kill()
            pytest.fail("no checkpoint written within 600 s")
        time.sleep(0.2)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt"]  # untouched, not half-written
    # the latest complete one (the kill may land while a later checkpoint is being written)
    checkpoint = max(int(p.parent.name.split("-")[1]) for p in work.glob("checkpoint-*/trainer_state.json"))
    assert checkpoint >= 20
    (work / f"checkpoint-{checkpoint + 1000}").mkdir()  # as if killed while writing a later one
    clock = work / f"checkpoint-{checkpoint}" / "train_clock.json"
    assert json.loads(clock.read_text())["seconds"] > 0  # the seconds trained before the kill
    clock.write_text(json.dumps({"seconds": 10_000.0, "step": checkpoint}))  # unmistakable when added
    done = _run_train(config, "--resume")
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err.decode()[-2000:]
    assert (out / "model.safetensors").is_file() and not (out / "previous.txt").exists()
    meta = json.loads((out / "training_meta.json").read_text())
    assert meta["resumed_from"] == f"checkpoint-{checkpoint}"  # continued, not restarted
    assert 10_000 < meta["train_seconds"] < 10_000 + 300  # the time before the checkpoint is counted
    assert meta["train_seconds_scope"].startswith("all runs")


def test_self_training_second_stage(tmp_path, tiny_model_dir, monkeypatch):
    """Two stages: the first model is kept as the teacher, labels the training and extra passages,
    and a student started from it is saved; an extra passage that repeats a gold sentence is left out."""
    from model.config import load_config
    from model.recognizer import Recognizer
    from model.train import train

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    monkeypatch.delenv("NER_EXTRA_DIR", raising=False)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "0901.txt").write_text("湖南省湘西州花垣县投入扶贫资金785万元，帮助1200名贫困群众脱贫。", encoding="utf-8")
    (extra / "0902.txt").write_text("贵州省毕节市实施易地扶贫搬迁，搬迁群众3万人。", encoding="utf-8")
    config = load_config(write_config(tmp_path, tiny_model_dir, features=True, self_train_epochs=1,
                                      self_train_dir=str(extra), self_train_empty_share=1.0))
    out = train(config)
    teacher = out.with_name(out.name + ".teacher")
    assert (teacher / "config.json").is_file() and (out / "model.safetensors").is_file()
    assert not out.with_name(out.name + ".work2").exists()
    meta = json.loads((out / "training_meta.json").read_text())
    st = meta["self_training"]
    assert st["extra_passages"] == 2 and st["training_passages"] == 5 and st["windows"] > 0
    assert st["train_windows_used"] == min(12, st["windows"])  # max_train_windows applies per stage
    assert meta["first_stage"]["train_windows_used"] == 12
    assert meta["train_seconds"] >= meta["first_stage"]["train_seconds"]
    text = "湖南省投入785万元"
    for s in Recognizer(out, device="cpu").predict(text):
        assert text[s["start"]:s["end"]] == s["text"]
    # A given teacher: no first stage; an extra passage sharing a held-out sentence is dropped.
    from model import corpus

    held = corpus.Document("0001.txt", "贵州省毕节市实施易地扶贫搬迁，搬迁群众3万人。", "corpus")
    monkeypatch.setattr(corpus, "load_corpus", lambda directory=None, ids=None: [held] if ids is not None else [])
    again = config.with_overrides(self_train_teacher=str(teacher), output_dir=str(tmp_path / "student"))
    out2 = train(again)
    meta2 = json.loads((out2 / "training_meta.json").read_text())
    assert meta2["self_training"]["extra_passages"] == 1 and "first_stage" in meta2
    assert not (tmp_path / "student.teacher").exists()


def test_extra_text_joins_the_weakly_labelled_training_text(tmp_path, tiny_model_dir, monkeypatch):
    """extra_text: the extra passages, weakly labelled by the rules, are added as training rows (windows
    without a span sampled by extra_empty_share); the corpus's own rows stay exactly as they were, and
    the fingerprint notices the change."""
    import model.dataset as dataset
    from model.config import load_config

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    monkeypatch.delenv("NER_EXTRA_DIR", raising=False)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "0901.txt").write_text("湖南省湘西州花垣县投入扶贫资金785万元，帮助1200名贫困群众脱贫。", encoding="utf-8")
    (extra / "0902.txt").write_text("今天天气晴朗，气温回升，适合出行。", encoding="utf-8")  # no entity
    config = load_config(write_config(tmp_path, tiny_model_dir, self_train_dir=str(extra)))
    plain, m0 = dataset.build_dataset(config)
    with_extra, m1 = dataset.build_dataset(config.with_overrides(extra_text=1.0, extra_empty_share=0.0))
    assert m0["extra_passages"] == 0 and m1["extra_passages"] == 2
    assert m1["fingerprint"] != m0["fingerprint"]
    rows0, rows1 = plain["train"].to_list(), with_extra["train"].to_list()
    assert rows1[:len(rows0)] == rows0
    added = rows1[len(rows0):]
    assert {r["doc_id"] for r in added} == {"0901.txt"}  # the entity-free passage's window was not kept
    assert any(t != 0 for r in added for t in r["tags"])
    half, _ = dataset.build_dataset(config.with_overrides(extra_text=0.5, extra_empty_share=1.0))
    assert {r["doc_id"] for r in half["train"].to_list()[len(rows0):]} == {"0901.txt"}  # the first half


def test_extra_documents_leave_out_the_dev_gold_and_its_reprints(tmp_path, monkeypatch):
    from model import corpus

    monkeypatch.delenv("NER_EXTRA_DIR", raising=False)
    extra = tmp_path / "extra"
    extra.mkdir()
    sentence = "贵州省毕节市实施易地扶贫搬迁，搬迁群众3万人，全部住进新居。"
    (extra / "0901.txt").write_text(sentence, encoding="utf-8")
    (extra / "0902.txt").write_text("快讯。" + sentence, encoding="utf-8")  # a reprint
    (extra / "0903.txt").write_text("湖南省湘西州花垣县投入扶贫资金785万元。", encoding="utf-8")
    monkeypatch.setattr(corpus, "held_out_extra_ids", lambda *a: {"0901.txt"})
    monkeypatch.setattr(corpus, "load_corpus", lambda directory=None, ids=None: [])
    assert [d.id for d in corpus.extra_documents(extra)] == ["0903.txt"]


@pytest.mark.parametrize("native", [True, False])
def test_bf16_on_a_cpu_only_where_it_multiplies_bf16_in_hardware(tmp_path, tiny_model_dir, native, monkeypatch, caplog):
    import model.fast_cpu as fast_cpu
    from model.config import load_config
    from model.train import cpu_bf16, training_arguments

    monkeypatch.setattr(fast_cpu, "hardware_bf16", lambda: native)
    config = load_config(write_config(tmp_path, tiny_model_dir, bf16=True))
    args = training_arguments(config, tmp_path / "work")
    assert cpu_bf16(config) is native and args.bf16 is native and args.use_cpu is native
    assert ("in software only" in caplog.text) is not native
    plain = training_arguments(config.with_overrides(bf16=False), tmp_path / "work")
    assert not plain.bf16 and not plain.use_cpu


def test_train_in_bf16_on_the_cpu(tmp_path, tiny_model_dir, monkeypatch):
    """The autocast path end to end (emulated where the CPU lacks bf16 hardware: slow, but a tiny model)."""
    import model.fast_cpu as fast_cpu
    from model.config import load_config
    from model.recognizer import Recognizer
    from model.train import train

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    monkeypatch.setattr(fast_cpu, "hardware_bf16", lambda: True)
    out = train(load_config(write_config(tmp_path, tiny_model_dir, bf16=True)))
    meta = json.loads((out / "training_meta.json").read_text())
    assert meta["precision"] == "bf16" and meta["train_loss"] > 0
    config = json.loads((out / "config.json").read_text())
    assert config.get("dtype", "float32") == "float32"  # the weights stay fp32
    rec = Recognizer(out, device="cpu")
    text = "湖南省投入785万元"
    assert all(text[s["start"]:s["end"]] == s["text"] for s in rec.predict(text))
