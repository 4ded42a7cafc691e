"""YAML configs: one file per run, merged over the defaults so that old configs keep working."""
from __future__ import annotations

from pathlib import Path

import yaml

from .paths import PROJECT_ROOT

DEFAULTS: dict = {
    "base_model": "artifacts/base",
    "corpus_dir": "../shared/corpus",
    "dataset_dir": "data/dataset",
    "output_dir": "artifacts/model",
    "gold": "data/holdout/gold.jsonl",
    "seed": 42,
    "window_chars": 126,
    "max_length": 128,
    "stride": 32,
    "num_layers": None,
    "freeze_embeddings": False,
    "epochs": 3,
    "learning_rate": 1e-4,
    "batch_size": 32,
    "warmup_ratio": 0.1,
    "weight_decay": 0.01,
    "fp16": False,
    "bf16": False,
    "augment": {},
    "max_train_windows": None,
    "quantize_cpu": False,  # predict() on CPU with dynamic int8 Linear layers (see make bench)
}


def load_config(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = PROJECT_ROOT / path
    if not path.is_file():
        raise FileNotFoundError(f"config {path} not found (see configs/)")
    user = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(user) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"{path}: unknown config keys {sorted(unknown)}")
    config = {**DEFAULTS, **user}
    config["config_path"] = str(path)
    return config
