"""DPO vs PPO hands progress from the reward model's training to PPO's: the reward model's
loss points that the throttle held back are reported, not dropped."""

from workers.experiments.dpo_vs_ppo import MeasuringProgress
from workers.runtime import Progress


def test_points_held_back_by_the_throttle_reach_the_chart_after_the_hand_over():
    reported: list[tuple[int, dict]] = []
    progress = Progress(lambda step, total, metrics, samples: reported.append((step, metrics)), 20)
    progress.interval = 3600  # every tick after the first is throttled
    for step in range(1, 4):
        progress.tick(step, {"pairwise_loss": 1.0 / step})
    measuring = MeasuringProgress(progress, 3, 5, 5, lambda k: {})
    measuring.tick(4, {"proxy_reward": 0.5}, force=True)
    losses = [step for step, metrics in reported if "pairwise_loss" in metrics]
    assert losses == [1, 2, 3]
    assert (4, {"proxy_reward": 0.5}) in reported
