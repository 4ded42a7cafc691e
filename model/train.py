"""Fine-tune the encoder as a character-level token classifier on the weak labels (``make train``).

One code path for CPU, one GPU and ``accelerate launch`` on several: the transformers Trainer.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import time
from pathlib import Path

from .config import load_config
from .labels import ID2TAG, TAG2ID, TAGS
from .paths import PROJECT_ROOT

log = logging.getLogger(__name__)


def _abs(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else PROJECT_ROOT / p


def ensure_base(config: dict) -> str:
    """A local base directory, built with ``make base`` when missing; a hub name passes through."""
    name = config["base_model"]
    local = _abs(name)
    if local.exists() or not name.startswith(("artifacts/", "./", "/")):
        return str(local) if local.exists() else name
    log.info("base encoder %s missing: running `make base`", local)
    subprocess.run(["make", "-C", str(PROJECT_ROOT), "base"], check=True)
    return str(local)


def ensure_dataset(config: dict):
    """The saved DatasetDict, rebuilt when missing or made from another config."""
    from datasets import load_from_disk

    from .dataset import build_dataset

    out = _abs(config["dataset_dir"])
    manifest_path = out / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (manifest.get("window_chars") == config["window_chars"] and manifest.get("augment") == config["augment"]
                and manifest.get("seed") == config["seed"]):
            return load_from_disk(str(out)), manifest
    log.info("building the weakly labelled dataset in %s", out)
    dd, manifest = build_dataset(config)
    dd.save_to_disk(str(out))
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return dd, manifest


def tokenize_dataset(dd, tokenizer, max_train_windows: int | None, seed: int):
    from .chars import CharVocab

    vocab = CharVocab(tokenizer)

    def encode(batch):
        ids = [vocab.encode(t) for t in batch["text"]]
        labels = [[-100, *tags, -100] for tags in batch["tags"]]
        return {"input_ids": ids, "attention_mask": [[1] * len(i) for i in ids], "labels": labels}

    train = dd["train"].shuffle(seed=seed)
    if max_train_windows:
        train = train.select(range(min(max_train_windows, len(train))))
    cols = train.column_names
    return train.map(encode, batched=True, remove_columns=cols, desc="char ids")


def build_model(config: dict, base: str):
    import torch
    from transformers import AutoConfig, AutoModelForTokenClassification

    kwargs = {}
    if config.get("num_layers"):
        kwargs["num_hidden_layers"] = int(config["num_layers"])
    model_config = AutoConfig.from_pretrained(base, num_labels=len(TAGS), id2label=ID2TAG, label2id=TAG2ID, **kwargs)
    model = AutoModelForTokenClassification.from_pretrained(base, config=model_config, dtype=torch.float32)
    if config.get("freeze_embeddings"):
        model.base_model.embeddings.word_embeddings.requires_grad_(False)
    return model


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def train(config: dict) -> Path:
    import torch
    from transformers import (AutoTokenizer, DataCollatorForTokenClassification, Trainer,
                              TrainingArguments, set_seed)

    set_seed(config["seed"])
    base = ensure_base(config)
    dd, manifest = ensure_dataset(config)
    tokenizer = AutoTokenizer.from_pretrained(base)
    train_set = tokenize_dataset(dd, tokenizer, config.get("max_train_windows"), config["seed"])
    model = build_model(config, base)
    out = _abs(config["output_dir"])
    work = out.with_name(out.name + ".work")
    args = TrainingArguments(
        output_dir=str(work), num_train_epochs=config["epochs"], learning_rate=config["learning_rate"],
        per_device_train_batch_size=config["batch_size"],
        warmup_steps=config["warmup_ratio"],  # transformers 5: a float below 1 is a ratio
        weight_decay=config["weight_decay"], lr_scheduler_type="linear", seed=config["seed"],
        logging_steps=10, save_strategy="no", report_to=[], train_sampling_strategy="group_by_length",
        fp16=bool(config.get("fp16")) and torch.cuda.is_available(),
        bf16=bool(config.get("bf16")) and torch.cuda.is_available(),
        dataloader_num_workers=0, dataloader_pin_memory=torch.cuda.is_available(), disable_tqdm=False,
    )
    collator = DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=8)
    trainer = Trainer(model=model, args=args, train_dataset=train_set, data_collator=collator)
    started = time.time()
    result = trainer.train()
    seconds = time.time() - started
    model.config.inference = {"max_length": config["max_length"], "stride": config["stride"],
                              "quantize_cpu": bool(config.get("quantize_cpu", False))}
    out.mkdir(parents=True, exist_ok=True)
    trainer.save_model(str(out))
    tokenizer.save_pretrained(str(out))
    log_history = trainer.state.log_history
    (out / "train_log.json").write_text(json.dumps(log_history, indent=1), encoding="utf-8")
    meta = {
        "config": {k: v for k, v in config.items()},
        "base_model": config["base_model"],  # as configured (a project-relative path or a hub name)
        "data": manifest,
        "train_windows_used": len(train_set),
        "train_seconds": round(seconds, 1),
        "train_loss": result.training_loss,
        "device": str(trainer.args.device),
        "git_commit": git_commit(),
        "versions": _versions(),
    }
    (out / "training_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.copy(config["config_path"], out / "train_config.yaml")
    shutil.rmtree(work, ignore_errors=True)
    log.info("trained in %.0f s; model saved to %s", seconds, out)
    return out


def _versions() -> dict:
    import importlib.metadata as md

    return {p: md.version(p) for p in ("torch", "transformers", "datasets", "accelerate", "seqeval", "opencc")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fine-tune the NER model (make train).")
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--no-eval", action="store_true", help="skip the gold-holdout evaluation at the end")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(args.config)
    out = train(config)
    if not args.no_eval:
        from .model_card import write_model_card

        write_model_card(out, config)


if __name__ == "__main__":
    main()
