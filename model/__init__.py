"""NER for Chinese poverty-alleviation text: REGION, PROGRAM, AMOUNT, POPULATION.

``weak_label`` is the rule-based teacher; ``predict`` the fine-tuned model (torch and
transformers are imported only when a model is first loaded).
"""
from __future__ import annotations

from .recognizer import Recognizer, predict
from .spans import LABELS
from .weak import weak_label

__version__ = "0.1.0"

__all__ = ["LABELS", "Recognizer", "predict", "weak_label", "__version__"]
