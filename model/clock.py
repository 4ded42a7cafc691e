"""Training time that survives ``--resume``.

Why: a run killed and continued with ``--resume`` used to report only the seconds since the resume
(``training_meta.json``'s ``train_seconds``), so the experiments table could not say how long a
recipe takes. ``TrainClock`` writes the seconds trained so far beside every checkpoint and reads
them back when a run continues from it; ``_fit`` adds them to the seconds of the job.

The time between the checkpoint and the kill is lost work, not training: it is not counted.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from transformers import TrainerCallback

log = logging.getLogger(__name__)
CLOCK_FILE = "train_clock.json"


def saved_checkpoint(args, state) -> Path | None:
    """The checkpoint directory the Trainer has just written (in ``on_save``), on the main process
    only; None elsewhere or when there is none. Callbacks keep their state beside it for --resume."""
    if not state.is_world_process_zero:
        return None
    checkpoint = Path(args.output_dir) / f"checkpoint-{state.global_step}"
    return checkpoint if checkpoint.is_dir() else None


class TrainClock(TrainerCallback):
    """Seconds of training before this job (``earlier``), saved with each checkpoint."""

    def __init__(self) -> None:
        self.earlier = 0.0
        self.started: float | None = None

    def resume_from(self, checkpoint: str | Path | None) -> None:
        """Read the seconds saved beside ``checkpoint``; a checkpoint without them counts 0."""
        self.earlier = 0.0
        if not checkpoint:
            return
        path = Path(checkpoint) / CLOCK_FILE
        if not path.is_file():
            log.warning("train clock: %s has no %s; its earlier training time is unknown and not counted",
                        checkpoint, CLOCK_FILE)
            return
        self.earlier = float(json.loads(path.read_text(encoding="utf-8"))["seconds"])

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = time.time()

    def elapsed(self) -> float:
        """Seconds trained in all, this job's included."""
        return self.earlier + (time.time() - self.started if self.started is not None else 0.0)

    def on_save(self, args, state, control, **kwargs):
        checkpoint = saved_checkpoint(args, state)
        if checkpoint is not None:
            (checkpoint / CLOCK_FILE).write_text(json.dumps({"seconds": round(self.elapsed(), 1),
                                                             "step": state.global_step}), encoding="utf-8")
