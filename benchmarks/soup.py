"""Average the weights of finished variants (a uniform "model soup") into a new variant.

``python -m benchmarks.soup A B --name SOUP`` writes artifacts/experiments/SOUP: A's directory with
every floating-point weight replaced by the mean over A, B, ... (integer buffers are A's). Why: two
seeds of one recipe differ on dev by up to a point; when fine-tuned from the same pretrained
weights their mean often lands in a basin as good as either, sometimes better. Compare with
``python -m benchmarks.experiments --compare SOUP A``. The soup is not a row of
configs/experiments.yaml: it costs the training of every ingredient, so no recipe trains it.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from model.paths import ARTIFACTS_DIR

log = logging.getLogger("soup")


def soup_weights(states: list[dict]) -> dict:
    """The uniform mean of ``states`` (name -> tensor); the same names and shapes or a ValueError."""
    first = states[0]
    for other in states[1:]:
        if set(other) != set(first):
            raise ValueError(f"the models have different weights: {sorted(set(other) ^ set(first))[:3]}")
        shapes = [k for k in first if other[k].shape != first[k].shape]
        if shapes:
            raise ValueError(f"the models' weights differ in shape: {shapes[:3]}")
    out = {}
    for key, tensor in first.items():
        if tensor.is_floating_point():
            mean = sum(s[key].double() for s in states) / len(states)
            out[key] = mean.to(tensor.dtype).contiguous()
        else:
            out[key] = tensor
    return out


def write_soup(sources: list[Path], dst: Path) -> None:
    from safetensors.torch import load_file

    from benchmarks.weight_average import copy_with_weights

    if len(sources) < 2:
        raise ValueError("a soup needs at least two models")
    for src in sources:
        if not (src / "model.safetensors").is_file():
            raise FileNotFoundError(f"no trained model in {src}")
    copy_with_weights(sources[0], dst, soup_weights([load_file(str(src / "model.safetensors")) for src in sources]))
    (dst / "experiment.json").unlink(missing_ok=True)  # the first ingredient's scores are not the soup's
    meta_path = dst / "training_meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    meta["soup"] = [src.name for src in sources]
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="+", help="finished variants (artifacts/experiments/NAME), two or more")
    parser.add_argument("--name", required=True, help="the soup's variant name")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        write_soup([ARTIFACTS_DIR / "experiments" / n for n in args.names], ARTIFACTS_DIR / "experiments" / args.name)
    except (FileNotFoundError, ValueError) as err:
        parser.error(str(err))
    log.info("soup of %s written to %s", ", ".join(args.names), ARTIFACTS_DIR / "experiments" / args.name)


if __name__ == "__main__":
    main()
