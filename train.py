#!/usr/bin/env python
"""Train the recogniser: `python train.py --config configs/default.yaml` (what `make train` runs)."""
from model.train import main

if __name__ == "__main__":
    main()
