"""NER for Chinese poverty-alleviation text: REGION, PROGRAM, AMOUNT, POPULATION.

``weak_label`` is the rule-based teacher; ``predict`` the fine-tuned model. Heavy imports
(torch, transformers) happen only when ``predict`` or ``Recognizer`` is first used.
"""
from __future__ import annotations

from .spans import LABELS

__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "weak_label":
        from .weak import weak_label

        return weak_label
    if name in ("predict", "Recognizer"):
        from . import predict as _predict

        return getattr(_predict, name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")


__all__ = ["LABELS", "Recognizer", "predict", "weak_label", "__version__"]
