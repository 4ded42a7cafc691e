"""Weight averaging over the tail of training (uniform, SWA-style).

Why: two seeds of one recipe differ on dev by up to a point, and more hand labels stopped helping
(reports/experiments.md). The mean of the weights visited late in training sits in a flatter
region than the last weights and usually generalises a little better, at no cost in training
time: the average is sampled every ``every`` steps from ``fraction`` of the steps on and kept
beside the model, never fed back into training, so the trajectory is the one without it.

``TailAverage`` is a ``TrainerCallback``: ``apply`` names the fraction whose mean replaces the
weights when training ends (``average_from`` in the config); the others are only kept in
``means``, so that one run can yield several averages (``benchmarks.weight_average``).
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

from transformers import TrainerCallback

log = logging.getLogger(__name__)
STATE_FILE = "weight_average.pt"  # beside each checkpoint, so that --resume keeps the sums


class TailAverage(TrainerCallback):
    """Uniform means of the trainable weights from ``fraction`` × total steps on, one per fraction."""

    def __init__(self, fractions, apply: float | None = None, every: int = 10):
        fractions = sorted({float(f) for f in fractions} | ({float(apply)} if apply else set()))
        for f in fractions:
            if not 0.0 < f < 1.0:
                raise ValueError(f"average_from must lie between 0 and 1 (a share of the steps), got {f}")
        if every < 1:
            raise ValueError(f"every must be at least 1, got {every}")
        self.fractions = fractions
        self.apply = float(apply) if apply else None
        self.every = every
        self.start: dict[float, int] = {}
        self.means: dict[float, dict] = {f: {} for f in fractions}
        self.counts: dict[float, int] = {f: 0 for f in fractions}

    def resume_from(self, checkpoint: str | Path | None) -> None:
        """Load the sums saved beside ``checkpoint`` (a run continued with --resume)."""
        import torch

        path = Path(checkpoint) / STATE_FILE if checkpoint else None
        if path is None or not path.is_file():
            if checkpoint:
                log.warning("weight average: %s has no %s; averaging restarts here", checkpoint, STATE_FILE)
            return
        saved = torch.load(path, map_location="cpu", weights_only=True)
        for f in self.fractions:
            key = str(f)
            if key in saved["counts"]:
                self.counts[f] = saved["counts"][key]
                self.means[f] = saved["means"][key]

    @staticmethod
    def _params(model) -> dict:
        return {n: p for n, p in model.named_parameters() if p.requires_grad}

    def on_train_begin(self, args, state, control, **kwargs):
        self.start = {f: max(1, math.ceil(f * state.max_steps)) for f in self.fractions}

    def on_step_end(self, args, state, control, model=None, **kwargs):
        import torch

        step = state.global_step
        if model is None or step % self.every and step != state.max_steps:
            return
        params = None
        with torch.no_grad():
            for f in self.fractions:
                if step < self.start[f]:
                    continue
                params = params or self._params(model)
                self.counts[f] += 1
                mean, n = self.means[f], self.counts[f]
                for name, p in params.items():
                    m = mean.get(name)
                    if m is None:
                        mean[name] = p.detach().float().clone()
                        continue
                    if m.device != p.device:  # sums loaded by resume_from live on the CPU
                        m = mean[name] = m.to(p.device)
                    m.lerp_(p.detach().float(), 1.0 / n)

    def on_save(self, args, state, control, **kwargs):
        import torch

        from .clock import saved_checkpoint

        checkpoint = saved_checkpoint(args, state)
        if checkpoint is not None:
            torch.save({"counts": {str(f): n for f, n in self.counts.items()},
                        "means": {str(f): {k: v.cpu() for k, v in m.items()} for f, m in self.means.items()}},
                       checkpoint / STATE_FILE)

    def averaged_state(self, fraction: float) -> dict:
        """The mean weights from ``fraction`` on (trainable parameters only), as CPU tensors."""
        if not self.counts.get(fraction):
            raise ValueError(f"weight average from {fraction}: no step was averaged")
        return {k: v.cpu() for k, v in self.means[fraction].items()}

    def on_train_end(self, args, state, control, model=None, **kwargs):
        import torch

        if self.apply is None or model is None:
            return
        if not self.counts[self.apply]:
            log.warning("weight average from %s: no step was averaged; the last weights are kept", self.apply)
            return
        params = self._params(model)
        with torch.no_grad():
            for name, mean in self.means[self.apply].items():
                params[name].copy_(mean.to(params[name].dtype))
        log.info("weight average: the mean of %d samples from step %d on replaces the last weights",
                 self.counts[self.apply], self.start[self.apply])
