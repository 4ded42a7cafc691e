"""Training configuration: one frozen dataclass whose fields carry their help text (as
``DataTrainingArguments`` does in transformers' ``run_ner.py``), loaded from a YAML file.

Unknown keys are refused, so a typo never silently falls back to a default; experiment variants are
``dataclasses.replace(base, **overrides)`` and are checked the same way (``with_overrides``).
The model directory keeps the merged config that was actually used (``to_dict``).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .paths import PROJECT_ROOT


def _opt(default: Any, help: str, **kw) -> Any:
    if isinstance(default, (dict, list)):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata={"help": help}, **kw)
    return field(default=default, metadata={"help": help}, **kw)


@dataclass(frozen=True)
class TrainConfig:
    # data
    base_model: str = _opt("artifacts/base", "a local save_pretrained directory, or a hub name (online users)")
    corpus_dir: str = _opt("../shared/corpus", "the shared corpus, read in place; NER_CORPUS_DIR overrides it")
    dataset_dir: str = _opt("data/dataset", "where the weakly labelled dataset is cached (fingerprinted)")
    output_dir: str = _opt("artifacts/model", "the model directory written by training (atomically)")
    gold: str = _opt("data/holdout/gold.jsonl", "the gold holdout (scored once per finished recipe)")
    dev_gold: str = _opt("data/dev/gold.jsonl", "the gold dev set: every choice is made on it")
    seed: int = _opt(42, "seed of data order, augmentation, feature dropout and initialisation")
    window_chars: int = _opt(126, "characters per training window (+2 special tokens)")
    augment: dict = _opt({}, "share of windows added again per noise kind: traditional, pinyin, fullwidth, "
                             "entity_swap")
    max_train_windows: int | None = _opt(None, "use at most this many training windows (smoke tests)")
    # model
    num_layers: int | None = _opt(None, "keep the lower N encoder layers (None: all)")
    freeze_embeddings: bool = _opt(False, "freeze the word embeddings")
    features: bool = _opt(False, "feed the weak spans and gazetteer matches as token_type_ids (model.features)")
    feature_dropout_window: float = _opt(0.3, "training: share of windows whose features are all dropped")
    feature_dropout_span: float = _opt(0.15, "training: share of the other windows' feature spans dropped")
    # loss
    o_weight: float = _opt(1.0, "loss weight of an O character that no labelling function or gazetteer name "
                                "touches (uncertain O); 1.0 treats every O as certain")
    gazetteer_o_weight: float = _opt(1.0, "loss weight of an O character inside a gazetteer name that no weak "
                                          "span covers (the context guards rejected it: 兰考 without 县)")
    quote_o_weight: float = _opt(1.0, "loss weight of an O character inside quotation marks that no weak span "
                                      "covers (a quoted name the PROGRAM rules did not accept)")
    lf_reliability: bool = _opt(False, "weight each weak span's characters by its labelling function's "
                                       "precision on the dev gold (model.reliability)")
    extra_text: float = _opt(0, "share of the extra passages (self_train_dir) weakly labelled by the rules "
                                "and added to the first stage's training text (0: none, 1: all)")
    extra_empty_share: float = _opt(0.2, "extra_text: share of the extra passages' windows without any weak "
                                         "span that are kept (a third of them are news without an entity)")
    # hand labels (data/train_gold): training passages that two readers labelled by hand
    hand_labels: str = _opt("", "hand-labelled training passages (stand-off gold lines of the corpus, "
                                "data/train_gold/gold.jsonl; those of the extra directory join the training "
                                "text, skipped with a warning where it is absent); '' for none")
    hand_repeat: int = _opt(0, "first stage: 0 keeps the rules' labels on the hand-labelled passages; n >= 1 "
                               "puts the hand labels in their place (full loss weight), their windows n times")
    hand_rounds: int = _opt(0, "only the passages of the first N labelling rounds (data/split.json "
                               "train_gold_by_round), to re-run an experiment made before later rounds joined "
                               "the file; 0: every passage in hand_labels")
    hand_epochs: float = _opt(0, "last stage: epochs over the hand-labelled windows alone, starting from the "
                                 "earlier stages' model (0: no last stage)")
    hand_learning_rate: float = _opt(5e-5, "last stage: peak learning rate")
    hand_replay: float = _opt(0, "last stage: windows of the first stage's training rows drawn at random and "
                                 "mixed in, as a multiple of the hand-labelled windows (0: the hand windows "
                                 "alone; they are few, and alone they make the model forget what the rules taught)")
    hand_start: str = _opt("", "a trained model directory to start the last stage from instead of training "
                               "the earlier stages (experiments)")
    # self-training (model.self_train): a second stage on unlabelled text, off while epochs is 0
    self_train_epochs: float = _opt(0, "second stage: epochs over the teacher-labelled text (0: no second stage)")
    self_train_dir: str = _opt("../shared/corpus-extra", "unlabelled passages (the second stage, extra_text), "
                                                         "read in place; NER_EXTRA_DIR overrides it")
    self_train_teacher: str = _opt("", "a trained model directory to use as the teacher instead of training "
                                       "the first stage (experiments)")
    self_train_learning_rate: float = _opt(5e-5, "second stage: peak learning rate")
    self_train_empty_share: float = _opt(0.2, "second stage: share of windows without any span that are kept")
    self_train_max_docs: int | None = _opt(None, "second stage: use at most this many unlabelled passages "
                                                 "(smoke tests)")
    self_train_share: float = _opt(1.0, "second stage: share of the extra passages the teacher labels, drawn at "
                                        "random with the seed (1.0: all), so that the stage fits a time budget")
    self_train_hand: bool = _opt(False, "second stage: the hand-labelled passages keep their hand labels and join "
                                        "it once (the teacher labels only the others); off: the teacher labels "
                                        "the corpus' training passages too, and the extra hand-labelled ones stay out")
    # optimisation
    epochs: float = _opt(3, "training epochs")
    learning_rate: float = _opt(1e-4, "peak learning rate (linear decay)")
    batch_size: int = _opt(32, "windows per batch (per device)")
    warmup_ratio: float = _opt(0.1, "share of steps spent warming up")
    weight_decay: float = _opt(0.01, "AdamW weight decay")
    fp16: bool = _opt(False, "mixed precision fp16 (GPU only)")
    bf16: bool = _opt(False, "mixed precision bf16: on a GPU, or on a CPU with AMX-BF16 or AVX512-BF16 (a "
                             "step about 1.4x as fast on a Xeon with AMX); elsewhere it trains in fp32 and says so")
    average_from: float = _opt(0.0, "save the mean of the weights sampled every 10 steps from this share of "
                               "each stage's steps on (model.averaging; 0: the last weights)")
    save_steps: int = _opt(200, "checkpoint every N steps, so that --resume can continue a killed run")
    # inference
    max_length: int = _opt(128, "predict: tokens per window")
    stride: int = _opt(32, "predict: overlap between windows of long documents")
    quantize_cpu: bool = _opt(False, "predict on CPU with dynamic int8 Linear layers (see make bench)")
    merge: str = _opt("none", "predict's default combination with the rules: none (model alone) or "
                              "rules+model (see model.merge); chosen on the dev gold")
    merge_threshold: float = _opt(0.5, "merge: a model span fills a gap of the rules from this score on")
    snap_quotes: bool = _opt(False, "predict: a PROGRAM span that touches one mark of a quoted name takes the whole "
                                    "name (model.quotes; chosen on dev, benchmarks.snap_quotes)")
    min_score: float = _opt(0.0, "predict: the model's spans scoring below this (the mean probability of their "
                                 "tags) are dropped, before any merge; 0 keeps them all (chosen on dev)")
    whole_numbers: bool = _opt(False, "predict: an AMOUNT or POPULATION span whose edge splits a written number "
                                      "(1 out of 10公斤) is dropped (model.whole_numbers; measured on dev)")
    config_path: str = _opt("", "the YAML file this config came from (set by load_config)")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def with_overrides(self, **overrides: Any) -> TrainConfig:
        check_keys(overrides, "overrides")
        return dataclasses.replace(self, **overrides)

    def resolve(self, path: str) -> Path:
        """A config path relative to the project root (absolute paths pass through)."""
        p = Path(path)
        return p if p.is_absolute() else PROJECT_ROOT / p


def field_help() -> dict[str, str]:
    return {f.name: f.metadata.get("help", "") for f in fields(TrainConfig)}


def check_keys(values: dict, where: str) -> None:
    unknown = set(values) - set(field_help())
    if unknown:
        raise ValueError(f"{where}: unknown config keys {sorted(unknown)} (known: see model/config.py)")


def load_config(path: str | Path, **overrides: Any) -> TrainConfig:
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = PROJECT_ROOT / path
    if not path.is_file():
        raise FileNotFoundError(f"config {path} not found (see configs/)")
    user = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(user, dict):
        raise ValueError(f"{path}: a config is a mapping of keys to values")
    check_keys(user, str(path))
    return TrainConfig(**{**user, "config_path": str(path)}).with_overrides(**overrides)
