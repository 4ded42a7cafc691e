"""Where things live. Every path can be overridden, so the package also works outside the repo."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
SEEDS_DIR = DATA_DIR / "seeds"
SPLIT_FILE = DATA_DIR / "split.json"
GOLD_FILE = DATA_DIR / "holdout" / "gold.jsonl"
DEV_GOLD_FILE = DATA_DIR / "dev" / "gold.jsonl"
ARTIFACTS_DIR = PROJECT_ROOT / "artifacts"
BASE_MODEL_DIR = ARTIFACTS_DIR / "base"
MODEL_DIR = ARTIFACTS_DIR / "model"
REPORTS_DIR = PROJECT_ROOT / "reports"


def corpus_dir(configured: str | os.PathLike | None = None) -> Path:
    """The shared corpus directory: ``NER_CORPUS_DIR``, else the configured path, else ../shared/corpus.

    Relative paths are taken from the project root, so commands work from any working directory.
    """
    raw = os.environ.get("NER_CORPUS_DIR") or configured or "../shared/corpus"
    path = Path(raw)
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def extra_dir(configured: str | os.PathLike | None = None) -> Path:
    """The unlabelled passages for self-training: ``NER_EXTRA_DIR``, else the configured path, else
    ../shared/corpus-extra (relative paths from the project root)."""
    raw = os.environ.get("NER_EXTRA_DIR") or configured or "../shared/corpus-extra"
    path = Path(raw)
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()
