"""Tail weight averaging (model.averaging, ``average_from``): the mean is the mean of the sampled
weights, only trainable ones, from the right step; it survives --resume; it never changes the
training trajectory, so one run's average is the model that training with ``average_from`` gives
(what benchmarks.weight_average relies on)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from model.averaging import STATE_FILE, TailAverage


def _module():
    net = torch.nn.Linear(2, 1)
    net.bias.requires_grad_(False)
    return net


def _steps(callback, net, values, max_steps, output_dir="unused"):
    """Run the callback over ``max_steps`` steps where the weight takes ``values[step - 1]``."""
    args = SimpleNamespace(output_dir=str(output_dir))
    state = SimpleNamespace(global_step=0, max_steps=max_steps, is_world_process_zero=True)
    callback.on_train_begin(args, state, None, model=net)
    for step in range(1, max_steps + 1):
        state.global_step = step
        with torch.no_grad():
            net.weight.fill_(values[step - 1])
            net.bias.fill_(100.0 + step)
        callback.on_step_end(args, state, None, model=net)
    return args, state


def test_mean_of_the_sampled_tail_only():
    net = _module()
    values = [float(v) for v in range(1, 21)]  # 20 steps
    avg = TailAverage([0.5, 0.9], every=2)
    _steps(avg, net, values, 20)
    # from step 10 on, every 2nd step: 10, 12, ..., 20; from step 18 on: 18, 20
    assert avg.counts == {0.5: 6, 0.9: 2}
    assert torch.allclose(avg.averaged_state(0.5)["weight"], torch.full((1, 2), sum(range(10, 21, 2)) / 6))
    assert torch.allclose(avg.averaged_state(0.9)["weight"], torch.full((1, 2), 19.0))
    assert "bias" not in avg.averaged_state(0.5)  # frozen: not averaged, never replaced
    assert net.weight[0, 0].item() == 20.0  # kept beside the model, not applied


def test_apply_replaces_the_last_weights_at_the_end():
    net = _module()
    avg = TailAverage((), apply=0.5, every=1)
    args, state = _steps(avg, net, [1.0, 2.0, 3.0, 4.0], 4)
    avg.on_train_end(args, state, None, model=net)
    assert torch.allclose(net.weight, torch.full((1, 2), 3.0))  # mean of steps 2, 3, 4
    assert net.bias.item() == 104.0


def test_the_last_step_is_always_sampled():
    avg = TailAverage([0.5], every=10)
    _steps(avg, _module(), [float(v) for v in range(1, 16)], 15)
    assert avg.counts[0.5] == 2  # steps 10 and 15 (the last)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 1.5])
def test_a_fraction_outside_0_1_is_refused(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        TailAverage([bad])


def test_no_sample_is_a_clear_error():
    with pytest.raises(ValueError, match="no step was averaged"):
        TailAverage([0.5]).averaged_state(0.5)


def test_the_sums_survive_a_resume(tmp_path):
    net = _module()
    avg = TailAverage([0.5], every=1)
    args, state = _steps(avg, net, [1.0, 2.0, 3.0, 4.0], 4, output_dir=tmp_path)
    (tmp_path / "checkpoint-4").mkdir()
    avg.on_save(args, state, None)
    assert (tmp_path / "checkpoint-4" / STATE_FILE).is_file()
    again = TailAverage([0.5], every=1)
    again.resume_from(tmp_path / "checkpoint-4")
    assert again.counts == avg.counts
    assert torch.equal(again.averaged_state(0.5)["weight"], avg.averaged_state(0.5)["weight"])


def test_one_runs_average_is_the_model_average_from_trains(tmp_path, tiny_model_dir, monkeypatch):
    from safetensors.torch import load_file

    from benchmarks.weight_average import write_average
    from model.config import load_config
    from model.train import train
    from tests.test_train_smoke import write_config

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    seen = TailAverage([0.5])  # every 10 steps, as average_from samples
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
    plain = train(load_config(write_config(tmp_path / "a", tiny_model_dir, epochs=10)), callbacks=[seen])
    write_average(plain, tmp_path / "a-avg50", seen.averaged_state(0.5), 0.5)
    averaged = train(load_config(write_config(tmp_path / "b", tiny_model_dir, epochs=10,
                                                   average_from=0.5)))
    assert seen.counts[0.5] == 2  # 30 steps: from step 15 on, steps 20 and 30
    mine, theirs, last = (load_file(str(p / "model.safetensors")) for p in (tmp_path / "a-avg50", averaged, plain))
    assert mine.keys() == theirs.keys()
    for key in mine:
        assert torch.allclose(mine[key], theirs[key], atol=1e-6), key
    assert not torch.allclose(mine["classifier.weight"], last["classifier.weight"])  # an average, not the last
