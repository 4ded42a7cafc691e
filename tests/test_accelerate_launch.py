"""The multi-process training path: ``accelerate launch`` with two CPU processes (gloo) trains one
model on sharded data, builds the dataset once, saves once, and records the job's figures.

accelerate's ``--cpu`` flag starts a single process whatever ``--num_processes`` says (several CPU
processes need mpirun), so two CPU processes are launched the way accelerate launches several
GPUs (torchrun underneath) on a machine that shows no GPU; ``model.train`` then makes them one
job over gloo. Tens of seconds: two interpreters import torch and transformers.
"""
from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from .test_train_smoke import ROOT, write_config

WINDOWS, BATCH, EPOCHS = 16, 4, 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accelerate_launch() -> list[str]:
    script = Path(sys.executable).with_name("accelerate")
    return [str(script), "launch"] if script.is_file() else [sys.executable, "-m", "accelerate.commands.launch"]


def test_accelerate_launch_two_cpu_processes_train_one_model(tmp_path, tiny_model_dir):
    from model.recognizer import Recognizer

    config = write_config(tmp_path, tiny_model_dir, max_train_windows=WINDOWS, batch_size=BATCH, epochs=EPOCHS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
    for key in ("NER_CORPUS_DIR", "ACCELERATE_USE_CPU", "WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR"):
        env.pop(key, None)
    launch = [*_accelerate_launch(), "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
              "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(_free_port()),
              "-m", "model.train", "--config", str(config), "--no-eval"]
    started = time.monotonic()
    done = subprocess.run(launch, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"accelerate launch, 2 CPU processes: {elapsed:.1f} s")

    out = tmp_path / "model"
    meta = json.loads((out / "training_meta.json").read_text())
    assert meta["processes"] == 2 and meta["device"].startswith("cpu")
    assert meta["train_windows_used"] == WINDOWS and meta["train_loss"] > 0
    # Sharded: each optimiser step takes a batch from each process, so an epoch is half as many steps.
    steps = json.loads((out / "train_log.json").read_text())[-1]["step"]
    assert steps == EPOCHS * math.ceil(WINDOWS / (2 * BATCH))
    # One process built the dataset and one saved the model; no half-written directory is left.
    assert done.stderr.count("building the weakly labelled dataset") == 1
    assert done.stderr.count("model saved to") == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("model")) == ["model"]

    rec = Recognizer(out, device="cpu")
    text = "湖南省投入785万元,萍鄉(xiāng)經開區"
    for span in rec.predict(text):
        assert text[span["start"]:span["end"]] == span["text"]


def test_a_single_cpu_process_launch_is_reported(monkeypatch, caplog):
    from model.train import _warn_if_one_cpu_process

    monkeypatch.setenv("ACCELERATE_USE_CPU", "True")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    _warn_if_one_cpu_process()
    assert "runs a single process" in caplog.text
    caplog.clear()
    monkeypatch.setenv("WORLD_SIZE", "2")  # really launched several: nothing to say
    _warn_if_one_cpu_process()
    assert caplog.text == ""
