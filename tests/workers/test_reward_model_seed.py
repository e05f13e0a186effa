"""A reward model's new score head starts from the run's seed, not from whatever used
torch's random state before it in the process: the same seed gives the same model."""

import pytest

pytestmark = pytest.mark.slow


def test_the_same_seed_gives_the_same_score_head_whatever_ran_before(labs_env):
    import torch

    from workers.reward_model import load_reward_backbone

    first, _ = load_reward_backbone(str(labs_env["base"]), seed=5)
    torch.rand(1000)  # another experiment's draws in the same worker process
    second, _ = load_reward_backbone(str(labs_env["base"]), seed=5)
    other, _ = load_reward_backbone(str(labs_env["base"]), seed=6)
    assert torch.equal(first.score.weight, second.score.weight)
    assert not torch.equal(first.score.weight, other.score.weight)
