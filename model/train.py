"""Fine-tune the encoder as a character-level token classifier on the weak labels (``make train``).

One code path for CPU, one GPU and ``accelerate launch`` on several: the transformers Trainer.
The model directory is written atomically (a temporary directory renamed at the end), so a killed
run leaves the previous model or none; ``--resume`` continues a killed run from its last
checkpoint.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .config import TrainConfig, field_help, load_config
from .labels import ID2TAG, TAG2ID, TAGS
from .provenance import git_commit, versions

log = logging.getLogger(__name__)
# what training_meta.json's train_seconds counts (runs older than the checkpoint clock lack the key:
# after a --resume theirs counted only the seconds since the resume)
SECONDS_SCOPE = "all runs (checkpoints keep the time)"


class BaseModelMissing(FileNotFoundError):
    """The configured local base encoder has not been built."""


def locate_base(config: TrainConfig) -> str:
    """The local base directory, or a hub name passed through for online users."""
    name = config.base_model
    local = config.resolve(name)
    if local.exists():
        return str(local)
    if name.startswith(("artifacts/", "./", "/")):
        raise BaseModelMissing(f"base encoder {local} not found: build it with `make base` "
                               "(python -m model.encoder --out artifacts/base)")
    return name


def uncertain_mask(text: str, votes=None) -> list[bool]:
    """Characters that no labelling function votes on and no gazetteer name touches: their O is
    only the absence of evidence (the rules miss names outside the gazetteer, lists, ...).
    ``votes``: the labelling functions' votes on ``text`` when the caller already has them."""
    from .features import lexicon_spans
    from .normalize import normalize
    from .weak import default_labeller

    if votes is None:
        votes = default_labeller().votes(normalize(text))
    touched = [False] * len(text)
    spans = [(v.start, v.end) for v in votes] + lexicon_spans(text)
    for a, e in spans:
        touched[a:e] = [True] * (e - a)
    return [not t for t in touched]


def doubtful_o_weights(text: str, weak, config: TrainConfig,
                       gazetteer: list[tuple[int, int]] | None = None) -> list[float]:
    """Per-character loss weights of the O characters the rules looked at and let go: inside a
    gazetteer name no weak span covers (``gazetteer_o_weight``) and inside quotation marks where no
    weak span is (``quote_o_weight``); 1.0 elsewhere. Their O is a rejection by a context guard,
    not evidence: a smaller weight lets the model judge those places by what it learnt elsewhere.
    ``gazetteer``: the uncovered gazetteer names when the caller has them (``model.features``)."""
    from .features import lexicon_spans
    from .weak.program import QUOTED

    w = [1.0] * len(text)
    covered = [False] * len(text)
    for s in weak:
        covered[s.start:s.end] = [True] * (s.end - s.start)
    regions = []
    if config.gazetteer_o_weight != 1.0:
        if gazetteer is None:
            gazetteer = [(a, e) for a, e in lexicon_spans(text) if not any(covered[a:e])]
        regions += [(a, e, config.gazetteer_o_weight) for a, e in gazetteer]
    if config.quote_o_weight != 1.0:
        regions += [(m.start() + 1, m.end() - 1, config.quote_o_weight) for m in QUOTED.finditer(text)]
    for a, e, weight in regions:
        for i in range(a, e):
            if not covered[i]:
                w[i] = min(w[i], weight)
    return w


def encode_windows(dd_train, tokenizer, config: TrainConfig, reliability: dict[str, float] | None = None,
                   certain: frozenset[str] = frozenset()):
    """input_ids (+ token_type_ids with features), labels and per-character loss weights.
    ``certain``: documents whose labels are hand labels: full weight everywhere (their O is a
    reader's decision, not the rules' silence)."""
    from .chars import CharVocab
    from .features import GAZETTEER_B, char_features, drop_features
    from .normalize import normalize
    from .weak import default_labeller, resolve

    vocab = CharVocab(tokenizer)
    rng = random.Random(config.seed)
    labeller = default_labeller()
    doubtful = config.gazetteer_o_weight != 1.0 or config.quote_o_weight != 1.0
    weighted = config.o_weight != 1.0 or bool(reliability) or doubtful

    def encode(batch):
        out: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": []}
        if config.features:
            out["token_type_ids"] = []
        if weighted:
            out["loss_weights"] = []
        for doc_id, text, tags in zip(batch["doc_id"], batch["text"], batch["tags"]):
            ids = vocab.encode(text)
            out["input_ids"].append(ids)
            out["attention_mask"].append([1] * len(ids))
            out["labels"].append([-100, *tags, -100])
            # the votes once per window: the weak spans, the features and the uncertain-O mask share them
            votes = labeller.votes(normalize(text)) if (config.features or weighted) else []
            weak = resolve(votes, labeller.rank, labeller.tiers) if votes else []
            feats = char_features(text, weak) if config.features else None
            if feats is not None:
                types = drop_features(feats, rng, config.feature_dropout_window, config.feature_dropout_span)
                out["token_type_ids"].append([0, *types, 0])
            if weighted and doc_id in certain:
                out["loss_weights"].append([0.0, *([1.0] * len(text)), 0.0])
            elif weighted:
                w = [1.0] * len(text)
                if config.o_weight != 1.0:
                    for i, unsure in enumerate(uncertain_mask(text, votes)):
                        if unsure and tags[i] == 0:
                            w[i] = config.o_weight
                if doubtful:
                    gaz = [(a, e) for a, e, b in feats.spans if b == GAZETTEER_B] if feats is not None else None
                    for i, d in enumerate(doubtful_o_weights(text, weak, config, gaz)):
                        if tags[i] == 0:
                            w[i] = min(w[i], d)
                if reliability:
                    for s in weak:
                        r = reliability.get(s.source)
                        if r is not None and tags[s.start] == TAG2ID[f"B-{s.label}"]:
                            w[s.start:s.end] = [r] * (s.end - s.start)
                out["loss_weights"].append([0.0, *w, 0.0])
        return out

    return encode


def tokenize_dataset(train, tokenizer, config: TrainConfig, reliability: dict[str, float] | None = None,
                     certain: frozenset[str] = frozenset()):
    """``train``: the rows (id, text, tags, ...) of one training stage, as a ``datasets.Dataset``;
    ``certain``: the documents whose labels are hand labels (``encode_windows``)."""
    train = train.shuffle(seed=config.seed)
    if config.max_train_windows:
        train = train.select(range(min(config.max_train_windows, len(train))))
    return train.map(encode_windows(train, tokenizer, config, reliability, certain), batched=True,
                     remove_columns=train.column_names, desc="char ids", load_from_cache_file=False)


@dataclass
class CharCollator:
    """Pads every per-token column of a batch to a multiple of 8."""

    pad_id: int

    def __call__(self, rows: list[dict]):
        import torch

        longest = max(len(r["input_ids"]) for r in rows)
        longest = int(math.ceil(longest / 8) * 8)
        pads = {"input_ids": self.pad_id, "attention_mask": 0, "token_type_ids": 0, "labels": -100,
                "loss_weights": 0.0}
        batch = {}
        for key, pad in pads.items():
            if key in rows[0]:
                dtype = torch.float32 if key == "loss_weights" else torch.long
                batch[key] = torch.tensor([list(r[key]) + [pad] * (longest - len(r[key])) for r in rows],
                                          dtype=dtype)
        return batch


def build_model(config: TrainConfig, base: str):
    import torch
    from transformers import AutoConfig, AutoModelForTokenClassification

    from .features import FEATURE_SET, NUM_FEATURES

    kwargs = {}
    if config.num_layers:
        kwargs["num_hidden_layers"] = int(config.num_layers)
    model_config = AutoConfig.from_pretrained(base, num_labels=len(TAGS), id2label=ID2TAG, label2id=TAG2ID, **kwargs)
    model = AutoModelForTokenClassification.from_pretrained(base, config=model_config, dtype=torch.float32)
    if config.freeze_embeddings:
        model.base_model.embeddings.word_embeddings.requires_grad_(False)
    if config.features:
        # One token-type row per feature id, each starting from the pretrained row 0 plus a small
        # random offset: with no feature the model is the pretrained encoder.
        old = getattr(model.base_model.embeddings, "token_type_embeddings", None)
        if old is None:
            raise ValueError(f"features: true needs an encoder with token-type embeddings (BERT, RoBERTa, "
                             f"XLM-R); {base} has none: set features: false in the config")
        new = torch.nn.Embedding(NUM_FEATURES, old.embedding_dim)
        with torch.no_grad():
            gen = torch.Generator().manual_seed(config.seed)
            new.weight.copy_(old.weight[0].expand(NUM_FEATURES, -1)
                             + 0.02 * torch.randn(NUM_FEATURES, old.embedding_dim, generator=gen))
            new.weight[0] = old.weight[0]
        model.base_model.embeddings.token_type_embeddings = new
        model.config.type_vocab_size = NUM_FEATURES
        model.config.features = FEATURE_SET
    return model


def _trainer_class():
    import torch
    from transformers import Trainer

    class WeightedTrainer(Trainer):
        """The stock Trainer, plus a per-character loss weight when the batch carries one."""

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            weights = inputs.pop("loss_weights", None)
            if weights is None:
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            logits = outputs.logits
            loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(),
                                                     ignore_index=-100, reduction="none")
            valid = (labels.flatten() != -100).float()
            loss = (loss * weights.flatten() * valid).sum() / valid.sum().clamp(min=1)
            return (loss, outputs) if return_outputs else loss

    return WeightedTrainer


def cpu_bf16(config: TrainConfig) -> bool:
    """Whether this run trains in bf16 on the CPU: asked for, no GPU, and a CPU that multiplies bf16
    in hardware (AMX-BF16 or AVX512-BF16, ``fast_cpu.hardware_bf16``). There autocast runs a full
    32 x 128 batch of the six-layer model 1.4-1.7 times as fast as fp32 (a 2-core Xeon with AMX, a
    2-core AMD EPYC Zen 4), a step of the default recipe 1.4 times on the Xeon; the weights and the
    optimiser stay in fp32. Where bf16 would be emulated it is slower than fp32, so the run says so
    and uses fp32."""
    import torch

    from .fast_cpu import hardware_bf16

    if not config.bf16 or torch.cuda.is_available():
        return False
    if not hardware_bf16():
        log.warning("bf16: this CPU multiplies bf16 in software only (no AMX-BF16 or AVX512-BF16), where bf16 "
                    "is slower than fp32; training in fp32")
        return False
    return True


def _precision(args) -> str:
    """What the Trainer computed in, for the model's training_meta.json."""
    return "bf16" if args.bf16 else "fp16" if args.fp16 else "fp32"


def training_arguments(config: TrainConfig, work: Path):
    import os

    import torch
    from transformers import TrainingArguments

    # Several processes and no GPU (``accelerate launch --multi_gpu`` or torchrun on a CPU machine):
    # use_cpu makes them one job over gloo; without it each process would train, and save, alone.
    several_on_cpu = int(os.environ.get("WORLD_SIZE", "1")) > 1 and not torch.cuda.is_available()
    bf16_on_cpu = cpu_bf16(config)
    return TrainingArguments(
        use_cpu=several_on_cpu or bf16_on_cpu,  # the Trainer autocasts on the CPU only with use_cpu
        output_dir=str(work), num_train_epochs=config.epochs, learning_rate=config.learning_rate,
        per_device_train_batch_size=config.batch_size,
        warmup_steps=config.warmup_ratio,  # transformers 5: a float below 1 is a ratio
        weight_decay=config.weight_decay, lr_scheduler_type="linear", seed=config.seed,
        logging_steps=10, save_strategy="steps", save_steps=config.save_steps, save_total_limit=1,
        report_to=[], train_sampling_strategy="group_by_length", remove_unused_columns=False,
        fp16=config.fp16 and torch.cuda.is_available(),
        bf16=config.bf16 and (torch.cuda.is_available() or bf16_on_cpu),
        dataloader_num_workers=0, dataloader_pin_memory=torch.cuda.is_available(), disable_tqdm=False,
    )


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` by the finished ``tmp`` with renames only."""
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _across_processes(trainer, loss: float, seconds: float) -> tuple[float, float]:
    """The training loss and time of the whole job, from those of each process.

    The Trainer's final loss holds what was gathered at each log plus this process's own steps
    since the last log: the mean over processes is the job's. Processes that start training
    early wait for the last one in the first step: the shortest time is the job's.
    """
    if trainer.args.world_size == 1:
        return loss, seconds
    import torch

    both = trainer.accelerator.gather(torch.tensor([[loss, seconds]], dtype=torch.float64,
                                                   device=trainer.args.device))
    return both[:, 0].mean().item(), both[:, 1].min().item()


@dataclass
class Fit:
    """What one Trainer run hands back to the stage that started it."""

    trainer: object
    loss: float  # the job's mean training loss (over processes)
    seconds: float  # after a --resume: those before the checkpoint too (``clock.TrainClock``)
    checkpoint: str | None  # the checkpoint resumed from, if any

    def facts(self, resumed_before: str | None = None) -> dict:
        """The meta keys every stage records (for the last stage run they describe the model);
        ``resumed_before``: an earlier stage's ``resumed_from``, kept when this one started afresh."""
        args = self.trainer.args
        return {"resumed_from": Path(self.checkpoint).name if self.checkpoint else resumed_before,
                "train_loss": self.loss, "device": str(args.device), "precision": _precision(args),
                "processes": args.world_size}


def _fit(config: TrainConfig, model, train_set, tokenizer, work: Path, resume: bool, args=None,
         callbacks=()) -> Fit:
    """One Trainer run (``Fit``).
    ``args``: the stage's ``TrainingArguments`` when the caller has built them already;
    ``callbacks``: more ``TrainerCallback``s (``average_from`` adds a ``TailAverage``)."""
    from .averaging import TailAverage
    from .clock import TrainClock

    args = args or training_arguments(config, work)
    if not resume:
        shutil.rmtree(work, ignore_errors=True)
    clock = TrainClock()
    callbacks = list(callbacks) + ([TailAverage((), apply=config.average_from)] if config.average_from else [])
    callbacks.append(clock)
    trainer = _trainer_class()(model=model, args=args, train_dataset=train_set,
                               data_collator=CharCollator(tokenizer.pad_token_id or 0), callbacks=callbacks)
    # only complete checkpoints: a run killed while saving leaves one without trainer_state.json
    checkpoints = sorted((p for p in work.glob("checkpoint-*") if (p / "trainer_state.json").is_file()),
                         key=lambda p: int(p.name.split("-")[-1])) if resume else []
    checkpoint = str(checkpoints[-1]) if checkpoints else None
    for callback in callbacks:
        if hasattr(callback, "resume_from"):
            callback.resume_from(checkpoint)
    if resume:
        log.info("--resume: %s", f"continuing from {checkpoint}" if checkpoint else
                 f"no checkpoint in {work}, starting from the beginning")
    started = time.time()
    result = trainer.train(resume_from_checkpoint=checkpoint)
    loss, seconds = _across_processes(trainer, result.training_loss, time.time() - started)
    return Fit(trainer, loss, clock.earlier + seconds, checkpoint)


def _save(trainer, model, tokenizer, config: TrainConfig, target: Path, meta: dict) -> None:
    """The model, its tokenizer, inference settings, training log, meta and config into ``target``."""
    import yaml

    model.config.inference = {"max_length": config.max_length, "stride": config.stride,
                              "quantize_cpu": config.quantize_cpu, "merge": config.merge,
                              "merge_threshold": config.merge_threshold, "snap_quotes": config.snap_quotes,
                              "whole_numbers": config.whole_numbers, "min_score": config.min_score,
                              "features": getattr(model.config, "features", None)}
    shutil.rmtree(target, ignore_errors=True)
    trainer.save_model(str(target))
    tokenizer.save_pretrained(str(target))
    (target / "train_log.json").write_text(json.dumps(trainer.state.log_history, indent=1), encoding="utf-8")
    (target / "training_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    (target / "train_config.yaml").write_text(yaml.safe_dump(config.to_dict(), allow_unicode=True, sort_keys=False),
                                              encoding="utf-8")


def _load_trained(path: Path, config: TrainConfig):
    """A trained model directory as the start of the second stage (the teacher's weights)."""
    import torch
    from transformers import AutoModelForTokenClassification

    if not (path / "config.json").is_file():
        raise FileNotFoundError(f"self_train_teacher: no trained model in {path}")
    model = AutoModelForTokenClassification.from_pretrained(path, dtype=torch.float32)
    if config.freeze_embeddings:
        model.base_model.embeddings.word_embeddings.requires_grad_(False)
    return model


def train(config: TrainConfig, resume: bool = False, overwrite_cache: bool = False,
          after_save=None, callbacks=()) -> Path:
    """Train, save to a temporary directory, run ``after_save(tmp_dir, config)`` (the model card),
    then swap the directory in. Returns the model directory. ``callbacks``: more
    ``TrainerCallback``s for the first stage (``benchmarks.weight_average``).

    Up to three stages, each starting from the model of the one before:
    1. the weak labels (``model.dataset``; with ``hand_repeat`` the hand labels replace them on the
       hand-labelled passages);
    2. with ``self_train_epochs`` > 0, self-training (``model.self_train``): the first model (kept in
       ``<output_dir>.teacher``) labels the training and extra passages for a student;
    3. with ``hand_epochs`` > 0, the hand-labelled passages alone (``hand_labels``): the weak stages
       teach what the rules know, this one what the guideline says where the rules are wrong.
    ``self_train_teacher`` / ``hand_start`` stand in for the stages before 2 / 3 (experiments)."""
    from datasets import Dataset
    from transformers import AutoTokenizer, set_seed

    from .dataset import ensure_dataset, hand_labelled, row_features
    from .reliability import load_reliability

    set_seed(config.seed)
    base = locate_base(config)
    out = config.resolve(config.output_dir)
    work = out.with_name(out.name + ".work")  # checkpoints, for --resume
    args = training_arguments(config, work)
    two_stages = bool(config.self_train_epochs) and not config.hand_start
    if two_stages and args.world_size > 1:
        raise ValueError("self-training (self_train_epochs > 0) runs in one process; set self_train_epochs: 0 "
                         "for multi-process training, or train the stages apart (self_train_teacher)")
    if config.hand_epochs and not config.hand_labels:
        raise ValueError("hand_epochs > 0 needs hand_labels (data/train_gold/gold.jsonl)")
    if config.hand_epochs and args.world_size > 1:
        raise ValueError("the last hand stage (hand_epochs > 0) runs in one process; set hand_epochs: 0 for "
                         "multi-process training, or run the stage apart (hand_start)")
    # With several processes, the first of each machine builds (or checks) the dataset cache and
    # the others then read it, instead of all writing the same directory at once.
    with args.main_process_first(desc="dataset"):
        dd, manifest = ensure_dataset(config, overwrite_cache=overwrite_cache and args.local_process_index == 0)
    tokenizer = AutoTokenizer.from_pretrained(base)
    reliability = load_reliability(config) if config.lf_reliability else None
    meta = {
        "config": config.to_dict(),
        "base_model": config.base_model,  # as configured (a project-relative path or a hub name)
        "data": manifest,
        "lf_reliability": reliability,
        "git_commit": git_commit(),
        "versions": versions(),
    }
    start = config.resolve(config.hand_start) if config.hand_start else None
    teacher = config.resolve(config.self_train_teacher) if two_stages and config.self_train_teacher else None
    kept = out.with_name(out.name + ".teacher")
    if two_stages and teacher is None and resume and (kept / "training_meta.json").is_file():
        log.info("--resume: the first stage is done (%s): continuing with the second", kept)
        teacher = kept
    given = start or teacher
    if given is not None and (given / "training_meta.json").is_file():
        # the earlier stages' figures (a given model's too: its time is part of the recipe's)
        first_meta = json.loads((given / "training_meta.json").read_text(encoding="utf-8"))
        meta.update({k: first_meta.get(k) for k in ("train_windows_used", "train_seconds", "train_loss")})
    trainer = model = None
    if given is None:
        certain = frozenset(manifest.get("hand_passages", ()))
        train_set = tokenize_dataset(dd["train"], tokenizer, config, reliability, certain)
        model = build_model(config, base)
        fit = _fit(config, model, train_set, tokenizer, work, resume, args, callbacks)
        trainer = fit.trainer
        if not trainer.is_world_process_zero():
            return out
        meta.update({"train_windows_used": len(train_set), "train_seconds": round(fit.seconds, 1),
                     "train_seconds_scope": SECONDS_SCOPE, **fit.facts()})
        if two_stages:
            teacher = kept
            _save(trainer, model, tokenizer, config, teacher, meta)
            shutil.rmtree(work, ignore_errors=True)
            resume = False  # second-stage checkpoints of an earlier run had another teacher
    if two_stages:
        from .corpus import training_documents
        from .self_train import self_train_rows

        hand = hand_labelled(config) if config.self_train_hand else []
        rows, st_manifest = self_train_rows(config, teacher, training_documents(config.corpus_dir),
                                            skip=frozenset(manifest.get("hand_passages", ())), hand=hand)
        stage2 = config.with_overrides(epochs=config.self_train_epochs,
                                       learning_rate=config.self_train_learning_rate)
        train_set = tokenize_dataset(Dataset.from_list(rows, features=row_features()), tokenizer, stage2, reliability,
                                     frozenset(doc_id for doc_id, _, _ in hand))
        model = _load_trained(teacher, config)
        fit = _fit(stage2, model, train_set, tokenizer, out.with_name(out.name + ".work2"), resume)
        trainer = fit.trainer
        first = meta.get("train_seconds") or 0.0
        meta.update({
            "first_stage": {k: meta.get(k) for k in ("train_windows_used", "train_seconds", "train_loss")},
            "self_training": {**st_manifest, "train_windows_used": len(train_set),
                              "train_seconds": round(fit.seconds, 1), "train_loss": fit.loss},
            "train_windows_used": (meta.get("train_windows_used") or 0) + len(train_set),
            # both stages and the teacher's labelling
            "train_seconds": round(first + st_manifest["label_seconds"] + fit.seconds, 1),
            **fit.facts(resumed_before=meta.get("resumed_from")),
        })
    if config.hand_epochs:
        trainer, model = _hand_stage(config, model, start, tokenizer, meta, out, resume, dd["train"], reliability)
    tmp = out.with_name(out.name + ".tmp")
    _save(trainer, model, tokenizer, config, tmp, meta)
    if after_save is not None:
        after_save(tmp, config)
    _swap_in(tmp, out)
    for suffix in (".work", ".work2", ".work3"):
        shutil.rmtree(out.with_name(out.name + suffix), ignore_errors=True)
    log.info("trained in %.0f s; model saved to %s", meta["train_seconds"], out)
    return out


def _hand_stage(config: TrainConfig, model, start: Path | None, tokenizer, meta: dict, out: Path,
                resume: bool, first_rows=None, reliability: dict[str, float] | None = None):
    """The last stage: the hand-labelled windows (full loss weight on every character), plus
    ``hand_replay`` times as many windows of the first stage's rows (``first_rows``, weighted as
    there), from ``model`` (the earlier stages') or from the model directory ``start``."""
    from datasets import Dataset

    from .dataset import hand_rows, row_features

    rows = hand_rows(config)
    if not rows:
        raise ValueError(f"hand_epochs > 0 but {config.hand_labels} gives no training window")
    hand_ids = frozenset(r["doc_id"] for r in rows)
    replay = []
    if config.hand_replay > 0 and first_rows is not None:
        pool = [i for i, doc_id in enumerate(first_rows["doc_id"]) if doc_id not in hand_ids]
        k = min(len(pool), round(config.hand_replay * len(rows)))
        replay = first_rows.select(sorted(random.Random(config.seed).sample(pool, k))).to_list()
    stage = config.with_overrides(epochs=config.hand_epochs, learning_rate=config.hand_learning_rate)
    train_set = tokenize_dataset(Dataset.from_list(rows + replay, features=row_features()), tokenizer, stage,
                                 reliability, certain=hand_ids)
    if start is not None:
        model = _load_trained(start, config)
    fit = _fit(stage, model, train_set, tokenizer, out.with_name(out.name + ".work3"), resume)
    earlier = {k: meta.get(k) for k in ("train_windows_used", "train_seconds", "train_loss")}
    meta.update({
        "before_hand_stage": {**earlier, "model": str(start) if start else "this run"},
        "hand_stage": {"passages": len(hand_ids), "hand_windows": len(rows), "replay_windows": len(replay),
                       "train_windows_used": len(train_set),
                       "train_seconds": round(fit.seconds, 1), "train_loss": fit.loss},
        "train_windows_used": (earlier["train_windows_used"] or 0) + len(train_set),
        "train_seconds": round((earlier["train_seconds"] or 0.0) + fit.seconds, 1),
        **fit.facts(resumed_before=meta.get("resumed_from")),
    })
    return fit.trainer, model


def _warn_if_one_cpu_process() -> None:
    """``accelerate launch --cpu --num_processes N`` starts ONE process whatever N is (more CPU
    processes need mpirun); it sets MASTER_ADDR but no WORLD_SIZE. Say so instead of training alone."""
    import os

    if (os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true", "yes") and "MASTER_ADDR" in os.environ
            and "WORLD_SIZE" not in os.environ):
        log.warning("accelerate launch --cpu runs a single process whatever --num_processes says; for several "
                    "CPU processes run `accelerate launch --multi_gpu --num_processes N -m model.train ...` on "
                    "a machine without a GPU (torchrun underneath; the processes then train together over gloo)")


def _leave_process_group() -> None:
    """End a multi-process job (``accelerate launch``, torchrun) cleanly once the model is saved.
    Left open, the gloo group's threads can still be running when the interpreter exits, and a
    worker then aborts ("terminate called without an active exception"): the launcher reports the
    whole job failed although the model was written. A no-op in a single process."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fine-tune the NER model (make train).",
                                     epilog="config keys: " + "; ".join(f"{k}: {v}" for k, v in field_help().items()))
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--no-eval", action="store_true", help="skip the gold evaluation for the model card")
    parser.add_argument("--resume", action="store_true", help="continue a killed run from its last checkpoint")
    parser.add_argument("--overwrite-cache", action="store_true", help="rebuild the dataset even when current")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                        help="override config keys (YAML values), e.g. --set seed=7 epochs=2")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _warn_if_one_cpu_process()
    import yaml

    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set takes KEY=VALUE, got {item!r}")
        overrides[key] = yaml.safe_load(value)
    try:
        config = load_config(args.config, **overrides)
        after = None
        if not args.no_eval:
            from .model_card import write_model_card

            after = write_model_card
        train(config, resume=args.resume, overwrite_cache=args.overwrite_cache, after_save=after)
        _leave_process_group()
    except (BaseModelMissing, FileNotFoundError, ValueError) as err:
        parser.exit(2, f"error: {err}\n")


if __name__ == "__main__":
    main()
