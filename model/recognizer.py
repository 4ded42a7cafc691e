"""Inference (`predict`, `Recognizer`): spans on the caller's original string, for one text or
many, any length, CPU or GPU.

    from model import predict
    predict("湖南省投入785万元")  # [{"label": "REGION", "text": "湖南省", "start": 0, "end": 3, "score": ...}, ...]

The text is normalised (offset map kept), cut into overlapping windows of one token per
character, run in length-sorted batches, merged back so that every character takes the tags of
the window where it sits furthest from an edge, decoded, and mapped to original offsets.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .chars import CharVocab
from .features import FEATURE_SET
from .labels import TAGS
from .merge import RULE_SCORE, check_settings, merge, served_settings
from .normalize import Normalized, normalize
from .paths import MODEL_DIR
from .quotes import snap_to_quotes
from .spans import as_batch
from .whole_numbers import drop_split_numbers

log = logging.getLogger(__name__)

WINDOWINGS = ("overlap", "sentences")
SCORE_DIGITS = 4  # a span's score as returned
TRAIN_HINT = "run `make train` to train one, or pass model_dir= / set NER_MODEL_DIR"


class ModelNotFoundError(FileNotFoundError):
    """The model directory is missing or unusable."""


def resolve_model_dir(model_dir: str | os.PathLike | None = None) -> Path:
    """Argument, then the NER_MODEL_DIR environment variable, then artifacts/model."""
    return Path(model_dir or os.environ.get("NER_MODEL_DIR") or MODEL_DIR)


def resolve_device(device: str = "auto"):
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}") from err
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available")
    return dev


@dataclass(frozen=True)
class _Window:
    doc: int
    start: int  # in normalised characters
    end: int
    own_start: int  # the characters whose tags this window decides
    own_end: int


def plan_windows(length: int, width: int, stride: int) -> list[tuple[int, int, int, int]]:
    """(start, end, own_start, own_end) covering ``length`` characters with windows of ``width``
    overlapping by ``stride``; ownership switches in the middle of each overlap."""
    if length <= width:
        return [(0, length, 0, length)]
    step = width - stride
    starts = list(range(0, length - width, step)) + [length - width]
    out = []
    for k, a in enumerate(starts):
        b = a + width
        own_a = 0 if k == 0 else (a + (out[-1][1])) // 2  # midpoint of the overlap with the previous
        out.append([a, b, own_a, length])
        if k:
            out[-2][3] = own_a
    return [tuple(w) for w in out]


def plan_sentence_windows(text: str, width: int, spans=()) -> list[tuple[int, int, int, int]]:
    """Windows as training cut them (``model.windows``): whole sentences packed up to ``width``
    characters, an over-long sentence cut outside ``spans`` (the rules' spans), each window
    owning all its characters. The model then never reads a window that starts mid-sentence,
    which it did not see in training."""
    from .windows import windows

    return [(a, b, a, b) for a, b in windows(text, width, spans)]


class Recognizer:
    """A loaded model, ready for repeated ``predict`` calls.

    Thread safety: one instance may be shared between threads. ``predict`` keeps no state between
    calls (every buffer is local to the call; the model runs in eval mode under
    ``torch.inference_mode``; the only shared mutable object is the character-id cache, a dict
    whose single-key writes are atomic under the GIL, and a race only recomputes an id).
    Concurrent calls share torch's intra-op thread pool, so they do not run faster than one
    batched call: prefer ``predict(list_of_texts)`` or ``--workers`` for throughput.
    Memory: the network's activations are bounded by ``batch_size`` × ``max_length`` whatever the
    length; the per-document buffers (rule features, windows, tag scores) grow linearly, about
    0.12 MB per 1,000 characters. Measured (``python -m benchmarks.long_document``, 2026-12-02):
    about 680 MB after loading, 924 MB peak for one 100,000-character document (the rules' gazetteer
    and place index are built on first use), 950 MB for one of 1,000,000 characters."""

    def __init__(self, model_dir: str | os.PathLike | None = None, device: str = "auto",
                 batch_size: int = 32, max_length: int | None = None, stride: int | None = None,
                 quantize: bool | None = None, model=None, tokenizer=None, merge: str | None = None,
                 merge_threshold: float | None = None, snap_quotes: bool | None = None,
                 whole_numbers: bool | None = None, windows: str | None = None,
                 min_score: float | None = None):
        import torch

        self.device = resolve_device(device)
        if model is None:
            self.model_dir = resolve_model_dir(model_dir)
            model, tokenizer = self._load(self.model_dir)
        else:
            self.model_dir = None
        infer = getattr(model.config, "inference", None) or {}
        self.max_length = int(max_length or infer.get("max_length") or 128)
        self.stride = int(stride if stride is not None else infer.get("stride", 32))
        # How long documents are cut: "overlap" (fixed windows overlapping by ``stride``) or
        # "sentences" (whole sentences packed as in training, model.windows; no overlap).
        self.windows = windows or infer.get("windows") or "overlap"
        if self.windows not in WINDOWINGS:
            raise ValueError(f"windows must be one of {WINDOWINGS}, got {self.windows!r}")
        positions = getattr(model.config, "max_position_embeddings", None) or self.max_length
        if not 8 <= self.max_length <= positions or not 0 <= self.stride < self.max_length - 2:
            raise ValueError(f"need 8 <= max_length <= {positions} (the encoder's positions) and "
                             "0 <= stride < max_length - 2")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if quantize is None:
            quantize = bool(infer.get("quantize_cpu", False))
        model.eval()
        if quantize and self.device.type == "cpu":
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.quantized = bool(quantize and self.device.type == "cpu")
        self.model = model.to(self.device)
        self.vocab = CharVocab(tokenizer)
        self.id2label = {int(k): v for k, v in model.config.id2label.items()}
        if [self.id2label.get(i) for i in range(len(TAGS))] != TAGS or len(self.id2label) != len(TAGS):
            raise ModelNotFoundError(f"the model's labels {sorted(self.id2label.values())} are not this "
                                     f"package's tags {TAGS}: {TRAIN_HINT}")
        self.batch_size = batch_size
        # The rules as input (model.features): the model was trained with them, so it gets them too.
        self.features = infer.get("features") or getattr(model.config, "features", None)
        if self.features and self.features != FEATURE_SET:
            raise ModelNotFoundError(f"the model expects input features {self.features!r}; this package "
                                     f"computes {FEATURE_SET!r}: {TRAIN_HINT}")
        # Rules and model together (model.merge), the policy chosen on the dev gold at training time,
        # and quoted PROGRAM names taken whole after decoding (model.quotes): as the block says.
        served = served_settings(infer)
        self.merge = merge if merge is not None else served.merge
        self.merge_threshold = float(merge_threshold if merge_threshold is not None else served.threshold)
        check_settings(self.merge)  # any threshold: one above 1 keeps no model span (the rules alone)
        self.snap_quotes = served.snap_quotes if snap_quotes is None else bool(snap_quotes)
        self.whole_numbers = served.whole_numbers if whole_numbers is None else bool(whole_numbers)
        # The model's own spans below this score are dropped (0: none), before any merge.
        self.min_score = float(served.min_score if min_score is None else min_score)
        check_settings(min_score=self.min_score)

    @staticmethod
    def _load(path: Path):
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        if not (path / "config.json").is_file():
            raise ModelNotFoundError(f"no trained model in {path}: {TRAIN_HINT}")
        try:
            model = AutoModelForTokenClassification.from_pretrained(path, dtype=torch.float32)
            tokenizer = AutoTokenizer.from_pretrained(path)
        except Exception as err:  # a half-written or foreign directory
            raise ModelNotFoundError(f"could not load the model in {path} ({err}): {TRAIN_HINT}") from err
        return model, tokenizer

    def predict(self, texts: str | list[str], progress: bool = False,
                values: bool = True) -> list[dict] | list[list[dict]]:
        """``values``: add each entity's normalised value keys (``model.enrich``); False for spans only."""
        batch, single = as_batch(texts)
        norms = [normalize(t) for t in batch]
        results = self._predict_normalized(norms, progress)
        if values:
            from .enrich import enrich

            results = [enrich(t, spans) for t, spans in zip(batch, results)]
        return results[0] if single else results

    __call__ = predict

    def stream(self, docs, **kwargs):
        """Results one document at a time, reading ``docs`` lazily (see ``model.stream.stream``)."""
        from .stream import stream

        return stream(docs, self, **kwargs)

    def _predict_normalized(self, norms: list[Normalized], progress: bool) -> list[list[dict]]:
        need_rules = bool(self.features) or self.merge != "none"
        rules = [self._rules(n) if need_rules and n.text else [] for n in norms]
        log_probs = self.log_probs(norms, rules, progress)
        out = []
        for n, lp, rule_spans in zip(norms, log_probs, rules):
            # compared as returned (rounded), so that a threshold set from a shown score keeps that span
            spans = [s for s in _decode(lp) if round(s[3], SCORE_DIGITS) >= self.min_score]
            if self.snap_quotes:  # the model's spans, before any merge (as make eval's merges see them)
                spans = snap_to_quotes(n.text, spans)
            if self.whole_numbers:
                spans = drop_split_numbers(n.text, spans)
            if self.merge != "none":
                spans = merge([(s.start, s.end, s.label, RULE_SCORE) for s in rule_spans], spans,
                              self.merge, self.merge_threshold)
            out.append([_to_original(n, span) for span in spans])
        return out

    def log_probs(self, norms: list[Normalized], rules: list[list], progress: bool = False) -> list[np.ndarray]:
        """Per document, the model's tag log-probabilities of each normalised character
        (``len(text) × len(TAGS)``); ``rules``: each document's weak spans (the input features)."""
        import torch

        width = self.max_length - 2
        if self.windows == "sentences":
            windows = [_Window(i, *w) for i, n in enumerate(norms) if n.text
                       for w in plan_sentence_windows(n.text, width, rules[i])]
        else:
            windows = [_Window(i, *w) for i, n in enumerate(norms) if n.text
                       for w in plan_windows(len(n.text), width, self.stride)]
        n_tags = len(self.id2label)
        log_probs = [np.zeros((len(n.text), n_tags), dtype=np.float32) for n in norms]
        types = None
        if self.features:
            from .features import char_features

            types = [char_features(n.text, r).ids for n, r in zip(norms, rules)]
        order = sorted(windows, key=lambda w: w.end - w.start, reverse=True)
        batches = [order[i:i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="predict", unit="batch", file=sys.stderr)
        with torch.inference_mode():
            for chunk in batches:
                ids = [self.vocab.encode(norms[w.doc].text[w.start:w.end]) for w in chunk]
                longest = max(map(len, ids))
                input_ids = torch.full((len(ids), longest), self.vocab.pad_id, dtype=torch.long)
                mask = torch.zeros((len(ids), longest), dtype=torch.long)
                for r, row in enumerate(ids):
                    input_ids[r, :len(row)] = torch.tensor(row)
                    mask[r, :len(row)] = 1
                inputs = {"input_ids": input_ids.to(self.device), "attention_mask": mask.to(self.device)}
                if types is not None:
                    type_ids = torch.zeros((len(ids), longest), dtype=torch.long)
                    for r, w in enumerate(chunk):
                        type_ids[r, 1:1 + w.end - w.start] = torch.tensor(types[w.doc][w.start:w.end])
                    inputs["token_type_ids"] = type_ids.to(self.device)
                logits = self.model(**inputs).logits.float()
                lp = logits.log_softmax(-1).cpu().numpy()
                for r, w in enumerate(chunk):
                    # +1: the [CLS] token; each window writes only the characters it owns
                    a, b = w.own_start - w.start + 1, w.own_end - w.start + 1
                    log_probs[w.doc][w.own_start:w.own_end] = lp[r, a:b]
        return log_probs

    @staticmethod
    def _rules(norm: Normalized):
        from .weak import default_labeller

        return default_labeller().label_normalized(norm)


def _decode(log_probs: np.ndarray) -> list[tuple[int, int, str, float]]:
    """Constrained (valid IOB2) decoding into normalised spans; a span's score is the mean
    probability of its tags."""
    from .labels import ID2TAG, tag_ids_to_spans, viterbi_tags

    path = viterbi_tags(log_probs)
    probs = np.exp(log_probs[np.arange(len(path)), path]).tolist() if path else []
    return tag_ids_to_spans([ID2TAG[i] for i in path], probs)


def _to_original(norm: Normalized, span: tuple[int, int, str, float]) -> dict:
    a, b = norm.to_original(span[0], span[1])
    return {"label": span[2], "text": norm.original[a:b], "start": a, "end": b,
            "score": round(span[3], SCORE_DIGITS)}


@lru_cache(maxsize=4)
def _default_recognizer(model_dir: str, device: str) -> Recognizer:
    return Recognizer(model_dir, device=device)


def predict(texts: str | list[str], model_dir: str | os.PathLike | None = None,
            device: str = "auto", values: bool = True) -> list[dict] | list[list[dict]]:
    """Entities in one text (a list of dicts) or many (one list per text); see ``Recognizer``.
    ``values``: add the normalised value keys (``model.enrich``); False for spans only."""
    batch, single = as_batch(texts)  # type errors before any model is loaded
    if not any(batch):
        return [] if single else [[] for _ in batch]
    recognizer = _default_recognizer(str(resolve_model_dir(model_dir)), device)
    return recognizer.predict(batch[0] if single else batch, values=values)


def _format_table(text: str, spans: list[dict]) -> str:
    if not spans:
        return "(no entities)"
    rows = [f"{s['label']:<11} {s['start']:>6} {s['end']:>6} {s['score']:.3f}  {s['text']}" for s in spans]
    return "\n".join([f"{'label':<11} {'start':>6} {'end':>6} score  text", *rows])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model.predict",
                                     description="Find REGION, PROGRAM, AMOUNT and POPULATION spans.")
    parser.add_argument("text", nargs="?", help="text to read; omit to use --file or standard input")
    parser.add_argument("--file", help="a UTF-8 file, one document per line ('-' for stdin)")
    parser.add_argument("--model-dir", default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.text is not None:
        docs = [args.text]
    else:
        stream = sys.stdin if args.file in (None, "-") else open(args.file, encoding="utf-8")
        docs = [line.rstrip("\n") for line in stream]
    try:
        recognizer = Recognizer(args.model_dir, device=args.device)
    except (ModelNotFoundError, ValueError) as err:
        sys.exit(f"error: {err}")
    results = recognizer.predict(docs, progress=len(docs) > 50)
    for text, spans in zip(docs, results):
        if args.format == "table":
            print(_format_table(text, spans) + "\n")
        else:
            print(json.dumps({"text": text, "entities": spans}, ensure_ascii=False))


if __name__ == "__main__":
    main()
