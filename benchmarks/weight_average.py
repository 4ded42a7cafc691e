"""Train one variant once and keep its tail averages as the variants ``NAME-avgNN``.

``python -m benchmarks.weight_average NAME`` trains the variant NAME of configs/experiments.yaml
with a ``model.averaging.TailAverage`` beside it, saves the last weights as NAME (as
``benchmarks.experiments`` would) and, for each fraction f, the mean of the weights from f of the
steps on as NAME-avgNN (NN = 100 f), then scores them all on dev. The averages never feed back into
training, so NAME-avgNN is the model that training NAME with ``average_from: f`` gives, for the
price of one run; configs/experiments.yaml must list each NAME-avgNN as NAME's overrides plus
``average_from: f``, which is what its row then states. Compare with ``benchmarks.experiments
--compare NAME-avgNN NAME``.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

import yaml

from benchmarks.experiments import main as experiments_main
from benchmarks.experiments import variant_config
from model.config import load_config
from model.paths import ARTIFACTS_DIR, PROJECT_ROOT

log = logging.getLogger("weight_average")


def sibling(name: str, fraction: float) -> str:
    return f"{name}-avg{round(100 * fraction)}"


def check_spec(spec: dict, name: str, fractions) -> dict:
    """NAME's overrides; an error unless every NAME-avgNN is listed as NAME plus its ``average_from``."""
    variants = spec["variants"]
    if name not in variants:
        raise ValueError(f"no variant {name} in the spec")
    overrides = variants[name] or {}
    if overrides.get("average_from"):
        raise ValueError(f"{name} already averages (average_from); give the variant that keeps the last weights")
    for f in fractions:
        want = {**overrides, "average_from": f}
        if (variants.get(sibling(name, f)) or {}) != want:
            raise ValueError(f"the spec must list {sibling(name, f)}: {json.dumps(want)}")
    return overrides


def copy_with_weights(src: Path, dst: Path, state: dict) -> None:
    """``src`` (a saved model directory) copied to ``dst`` with the weights in ``state`` replacing
    its own (each cast to the saved dtype); a name the model does not have is a KeyError."""
    from safetensors.torch import load_file, save_file

    weights = load_file(str(src / "model.safetensors"))
    missing = set(state) - set(weights)
    if missing:
        raise KeyError(f"weights not in the saved model: {sorted(missing)[:3]}")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    weights.update({k: v.to(weights[k].dtype).contiguous() for k, v in state.items()})
    save_file(weights, str(dst / "model.safetensors"), metadata={"format": "pt"})


def write_average(src: Path, dst: Path, state: dict, fraction: float) -> None:
    """``src`` (a saved model) copied to ``dst`` with the averaged weights and configs that say so."""
    copy_with_weights(src, dst, state)
    meta = json.loads((dst / "training_meta.json").read_text(encoding="utf-8"))
    meta["config"]["average_from"] = fraction
    meta["weight_average"] = {"from": fraction, "shared_run": src.name}
    (dst / "training_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    config = yaml.safe_load((dst / "train_config.yaml").read_text(encoding="utf-8"))
    config["average_from"] = fraction
    (dst / "train_config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
                                           encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    from model.averaging import TailAverage
    from model.train import train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a variant of the spec that keeps the last weights")
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.75, 0.9])
    parser.add_argument("--spec", default="configs/experiments.yaml")
    parser.add_argument("--resume", action="store_true",
                        help="continue a killed run from its last checkpoint (the sums of the averages are kept there)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    spec = yaml.safe_load((PROJECT_ROOT / args.spec).read_text(encoding="utf-8"))
    try:
        overrides = check_spec(spec, args.name, args.fractions)
    except ValueError as err:
        parser.error(str(err))
    if (ARTIFACTS_DIR / "experiments" / args.name / "training_meta.json").is_file():
        parser.error(f"{args.name} is trained already: the averages need a run of their own")
    average = TailAverage(args.fractions)

    def save_averages(tmp: Path, config) -> None:
        for f in args.fractions:
            write_average(tmp, ARTIFACTS_DIR / "experiments" / sibling(args.name, f), average.averaged_state(f), f)

    train(variant_config(args.name, load_config(spec["base"]), overrides), resume=args.resume,
          after_save=save_averages, callbacks=[average])
    experiments_main([args.name, *(sibling(args.name, f) for f in args.fractions), "--spec", args.spec])


if __name__ == "__main__":
    main()
