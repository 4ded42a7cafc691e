"""Memory of ``predict()`` on one very long document (``python -m benchmarks.long_document``).

Runs in a fresh process per measurement so that peak RSS belongs to that call alone: the model
loaded and warmed on a short text first (the baseline), then one document of N characters cut
from the training text. Writes reports/long_document.md and .json.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from model.paths import MODEL_DIR, REPORTS_DIR

_CHILD = r"""
import json, resource, sys, time
from benchmarks.bench import make_docs
from model.recognizer import Recognizer
length, model_dir = int(sys.argv[1]), sys.argv[2]
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rec = Recognizer(model_dir, device="cpu")
rec.predict("湖南省零陵区投入785万元")
base = rss()
doc = make_docs(length, 1)[0]
t0 = time.perf_counter()
spans = rec.predict(doc)
print(json.dumps({"characters": len(doc), "entities": len(spans), "seconds": round(time.perf_counter() - t0, 1),
                  "baseline_mb": round(base), "peak_mb": round(rss())}))
"""


def measure(length: int, model_dir: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(length), model_dir], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODEL_DIR))
    parser.add_argument("--lengths", type=int, nargs="*", default=[100_000, 1_000_000])
    args = parser.parse_args(argv)
    rows = [measure(n, args.model) for n in args.lengths]
    lines = ["# predict() on one long document", "",
             f"Command: `python -m benchmarks.long_document`; model `{args.model}`, CPU, fp32, default merge; "
             f"measured {time.strftime('%Y-%m-%d')}. Peak RSS of a fresh process; baseline = after loading "
             "the model and one short call.", "",
             "| characters | entities | seconds | baseline RSS (MB) | peak RSS (MB) | MB per 1,000 characters |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        extra = (r["peak_mb"] - r["baseline_mb"]) / (r["characters"] / 1000)
        lines.append(f"| {r['characters']:,} | {r['entities']:,} | {r['seconds']} | {r['baseline_mb']} | "
                     f"{r['peak_mb']} | {extra:.2f} |")
    REPORTS_DIR.mkdir(exist_ok=True)
    (REPORTS_DIR / "long_document.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (REPORTS_DIR / "long_document.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
