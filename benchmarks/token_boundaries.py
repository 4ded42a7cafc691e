"""How many gold entity boundaries does the encoder's natural (sentencepiece) tokenisation break?

A boundary is broken when a piece straddles it, so no token-level label can express the span.
This is why the recogniser feeds one piece per character. Writes reports/token_boundaries.md.
``python -m benchmarks.token_boundaries [--base artifacts/base] [--gold FILE]``.
"""
from __future__ import annotations

import argparse

from model.gold import load_gold
from model.normalize import normalize
from model.paths import BASE_MODEL_DIR, GOLD_FILE, REPORTS_DIR


def main(argv: list[str] | None = None) -> None:
    from transformers import AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=str(BASE_MODEL_DIR))
    parser.add_argument("--gold", default=str(GOLD_FILE))
    args = parser.parse_args(argv)
    tok = AutoTokenizer.from_pretrained(args.base)
    spans = broken = chars = inside_multi = tokens = 0
    examples = []
    for doc in load_gold(args.gold):
        norm = normalize(doc.text)
        enc = tok(norm.text, return_offsets_mapping=True, add_special_tokens=False)
        cuts = set()
        tokens += len(enc["input_ids"])
        for a, b in enc["offset_mapping"]:
            cuts.update((a, b))
            if b - a > 1:
                inside_multi += b - a
        chars += len(norm.text)
        for s in doc.spans:
            m = norm.to_normalized(s.start, s.end)
            if not m:
                continue
            spans += 1
            if m[0] not in cuts or m[1] not in cuts:
                broken += 1
                if len(examples) < 12:
                    examples.append(norm.text[max(0, m[0] - 3):m[1] + 3])
    lines = ["# Entity boundaries under the natural tokenisation", "",
             f"Command: `python -m benchmarks.token_boundaries`. Gold: `{args.gold}`; tokenizer: `{args.base}`.",
             "",
             f"- gold spans: {spans}; spans with a boundary inside a multi-character piece: "
             f"**{broken} ({100 * broken / spans:.1f}%)**",
             f"- characters inside multi-character pieces: {inside_multi} of {chars} "
             f"({100 * inside_multi / chars:.0f}%)",
             f"- natural tokens: {tokens} for {chars} characters ({tokens / chars:.2f} per character); "
             f"one piece per character makes sequences {chars / tokens:.2f}x as long",
             "- examples (span with 3 characters of context): " + "; ".join(f"`{e}`" for e in examples), ""]
    out = REPORTS_DIR / "token_boundaries.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
