"""Forward speed of the base encoder on this CPU, fp32 and with dynamic int8 Linear layers.

``python -m benchmarks.encoder_speed [--base artifacts/base]`` prints a markdown table and writes it
to reports/encoder_speed.md. Tokens/second of one forward pass at batch 32 x 256 tokens, the median
of a few timed repeats after a warm-up; "cosine" is how close the int8 model's mean-pooled sentence
embeddings stay to fp32 on a few Chinese sentences.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import torch

from benchmarks.machine import cpu_name
from model.paths import BASE_MODEL_DIR, REPORTS_DIR

SENTENCES = ["习近平总书记在2019年全国两会上有关脱贫攻坚的重要讲话。",
             "截至2020年底，全县贫困人口全部脱贫，人均纯收入达到8000元。",
             "贵州省毕节市赫章县的易地扶贫搬迁安置点共安置1.2万人。"]


def tokens_per_second(model, batch: dict, repeats: int) -> float:
    with torch.inference_mode():
        model(**batch)  # warm-up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            model(**batch)
            times.append(time.perf_counter() - t0)
    return batch["input_ids"].numel() / statistics.median(times)


def sentence_embeddings(model, tokenizer) -> torch.Tensor:
    batch = tokenizer(SENTENCES, padding=True, return_tensors="pt")
    with torch.inference_mode():
        states = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    return torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=BASE_MODEL_DIR)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--length", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "encoder_speed.md")
    args = parser.parse_args()

    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(args.base)
    fp32 = AutoModel.from_pretrained(args.base, add_pooling_layer=False).eval()
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated in favour of torchao
        warnings.simplefilter("ignore")
        int8 = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(4, len(tokenizer), (args.batch, args.length), generator=generator)
    ids[:, 0], ids[:, -1] = tokenizer.cls_token_id, tokenizer.sep_token_id
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    reference = sentence_embeddings(fp32, tokenizer)

    rows = []
    for name, model in (("fp32", fp32), ("dynamic int8 Linear", int8)):
        speed = tokens_per_second(model, batch, args.repeats)
        cosine = (sentence_embeddings(model, tokenizer) * reference).sum(-1).min().item()
        rows.append(f"| {name} | {speed:,.0f} | {args.batch * args.length / speed:.2f} | {cosine:.4f} |")
        print(f"{name}: {speed:,.0f} tokens/s", file=sys.stderr)

    table = "\n".join([
        "# Base encoder forward speed\n",
        f"`{args.base.name}` ({sum(p.numel() for p in fp32.parameters()) / 1e6:.1f}M parameters), batch "
        f"{args.batch} x {args.length} tokens, median of {args.repeats} repeats after a warm-up, "
        f"`torch.inference_mode()`.\n",
        f"Machine: {cpu_name()}, {os.cpu_count()} cores ({torch.get_num_threads()} torch threads), "
        f"torch {torch.__version__}, Python {platform.python_version()}.\n",
        "| weights | tokens/s | s per batch | min cosine to fp32 |",
        "|---|---|---|---|",
        *rows,
    ]) + "\n"
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
