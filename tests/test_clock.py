"""The training clock: seconds trained before a --resume are kept in the checkpoint and counted."""
from __future__ import annotations

from types import SimpleNamespace


def test_the_training_clock_survives_a_resume(tmp_path, monkeypatch):
    """``TrainClock`` saves the seconds trained with each checkpoint and a resumed run adds them."""
    import model.clock as clock_module
    from model.clock import CLOCK_FILE, TrainClock

    now = [1000.0]
    monkeypatch.setattr(clock_module.time, "time", lambda: now[0])
    args = SimpleNamespace(output_dir=str(tmp_path))
    state = SimpleNamespace(global_step=4, is_world_process_zero=True)
    first = TrainClock()
    first.on_train_begin(args, state, None)
    now[0] += 120.0
    (tmp_path / "checkpoint-4").mkdir()
    first.on_save(args, state, None)
    assert (tmp_path / "checkpoint-4" / CLOCK_FILE).is_file()
    again = TrainClock()
    again.resume_from(tmp_path / "checkpoint-4")
    again.on_train_begin(args, state, None)
    now[0] += 30.0
    assert again.earlier == 120.0 and again.elapsed() == 150.0
    missing = TrainClock()
    (tmp_path / "checkpoint-8").mkdir()
    missing.resume_from(tmp_path / "checkpoint-8")  # an older checkpoint without the file: 0, with a warning
    assert missing.earlier == 0.0
