"""The RL core's maths on hand-computed numbers: GAE advantages and returns, PPO's clipped
surrogate and value loss, the KL penalty (per token for PPO, summed for RLOO), RLOO's
leave-one-out baseline and the fitted Gao et al. curve."""

import math

import pytest
import torch

from workers import rl


def t(rows):
    return torch.tensor(rows, dtype=torch.float32)


def test_gae_on_a_three_token_response():
    # lam 0.5, gamma 1: deltas [0, 0, 0.5] -> advantages [0.125, 0.25, 0.5]
    adv, ret = rl.gae(t([[0, 0, 1]]), t([[0.5, 0.5, 0.5]]), t([[1, 1, 1]]), gamma=1.0, lam=0.5)
    assert adv.flatten().tolist() == pytest.approx([0.125, 0.25, 0.5])
    assert ret.flatten().tolist() == pytest.approx([0.625, 0.75, 1.0])


def test_gae_discounts_with_gamma():
    adv, ret = rl.gae(t([[0, 1]]), t([[0, 0]]), t([[1, 1]]), gamma=0.9, lam=1.0)
    assert adv.flatten().tolist() == pytest.approx([0.9, 1.0])
    assert ret.flatten().tolist() == pytest.approx([0.9, 1.0])


def test_gae_ignores_prompt_and_padding_tokens():
    # the 9s sit on masked positions and must not leak into the response's advantages
    adv, ret = rl.gae(t([[9, 0, 1, 9]]), t([[9, 0.5, 0.5, 9]]), t([[0, 1, 1, 0]]), lam=1.0)
    assert adv.flatten().tolist() == pytest.approx([0, 0.5, 0.5, 0])
    assert ret.flatten().tolist() == pytest.approx([0, 1.0, 1.0, 0])


def test_the_per_token_kl_penalty_and_the_score_on_the_last_response_token():
    logp = t([[-1, -2, -1], [-1, -1, -1]])
    ref = t([[-1.5, -2.5, -2], [-2, -1.5, -3]])
    mask = t([[0, 1, 1], [1, 1, 0]])
    rewards, log_ratio = rl.kl_penalised_rewards(logp, ref, mask, t([2, -1]), kl_coef=0.1)
    assert log_ratio.flatten().tolist() == pytest.approx([0, 0.5, 1.0, 1.0, 0.5, 0])
    assert rewards.flatten().tolist() == pytest.approx([0, -0.05, 1.9, -0.1, -1.05, 0])


def test_the_summed_kl_penalty_of_rloo():
    logp, ref = t([[-1, -2, -1]]), t([[-1.5, -2.5, -2]])
    rewards, log_ratio = rl.sequence_kl_rewards(t([2]), logp, ref, t([[0, 1, 1]]), 0.5)
    assert log_ratio.tolist() == pytest.approx([1.5])
    assert rewards.tolist() == pytest.approx([1.25])


def test_the_clipped_surrogate_is_pessimistic_on_both_sides():
    # ratios 1.5, 0.5, 1.5, 0.5 with advantages +1, +1, -1, -1 and clip 0.2:
    # max(-1.5, -1.2) = -1.2 (clipped), max(-0.5, -0.8) = -0.5, max(1.5, 1.2) = 1.5,
    # max(0.5, 0.8) = 0.8 (clipped): mean 0.15, half the tokens clipped
    logp = t([[math.log(1.5), math.log(0.5), math.log(1.5), math.log(0.5)]])
    loss, frac = rl.clipped_policy_loss(
        logp, t([[0, 0, 0, 0]]), t([[1, 1, -1, -1]]), t([[1, 1, 1, 1]]), clip=0.2
    )
    assert loss.item() == pytest.approx(0.15)
    assert frac.item() == pytest.approx(0.5)


def test_the_surrogate_has_no_gradient_once_clipped():
    logp = torch.tensor([[math.log(1.5)]], requires_grad=True)
    loss, _ = rl.clipped_policy_loss(logp, t([[0]]), t([[1]]), t([[1]]), clip=0.2)
    loss.backward()
    assert logp.grad.item() == 0.0


def test_the_approximate_kl_of_an_update_by_both_estimators():
    old = torch.log(torch.tensor([[0.5, 0.5, 0.2]]))
    new = torch.log(torch.tensor([[0.25, 1.0, 0.9]]))
    mask = torch.tensor([[1.0, 1.0, 0.0]])  # the third token is not a response token
    k1, k3 = rl.approx_kl(new, old, mask)
    assert k1 == pytest.approx((math.log(2) - math.log(2)) / 2)
    assert k3 == pytest.approx(((0.5 - 1 + math.log(2)) + (2 - 1 - math.log(2))) / 2)
    assert rl.approx_kl(old, old, mask) == (0.0, 0.0)


def test_the_clipped_value_loss():
    # V 1.5 (old 1.0, clip 0.2 -> 1.2), return 2: 0.5 * max(0.25, 0.64) = 0.32
    loss = rl.clipped_value_loss(t([[1.5, 7]]), t([[1.0, 7]]), t([[2.0, 0]]), t([[1, 0]]))
    assert loss.item() == pytest.approx(0.32)


def test_the_leave_one_out_baseline():
    assert rl.rloo_advantages(t([1, 3, 0, 0]), 2).tolist() == pytest.approx([-2, 2, 0, 0])
    assert rl.rloo_advantages(t([1, 2, 6]), 3).tolist() == pytest.approx([-3, -1.5, 4.5])


def test_whitening_over_masked_tokens():
    x = rl.whiten(t([[1, 3, 100]]), t([[1, 1, 0]]))
    assert x.flatten().tolist() == pytest.approx([-1, 1, 0], abs=1e-4)


def test_the_gao_curve_fit_recovers_its_coefficients():
    ds = [0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
    ys = [d * (1.0 - 0.5 * math.log(d)) for d in ds]
    a, b = rl.fit_gao_curve(ds, ys)
    assert (a, b) == pytest.approx((1.0, 0.5), abs=1e-6)
    assert rl.gao_curve(a, b, math.e) == pytest.approx(math.e * 0.5)
