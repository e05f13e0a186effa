"""What the RL experiments share: what the annotators label, and the SFT policy's start."""

from workers import world
from workers.experiments import rlhf_setup as rs


def test_the_labelled_pool_adds_the_policys_own_answers_to_the_worlds_styles(base_model):
    model, tokenizer = base_model
    mixed = rs.labelled_pool(model, tokenizer, per_prompt=0, seed=0, max_new_tokens=12)
    pool = rs.labelled_pool(model, tokenizer, per_prompt=3, seed=0, max_new_tokens=12)
    assert len(pool) == len(mixed) == len(world.PROMPTS)
    for own, base in zip(pool, mixed, strict=True):
        texts = [j.response for j in own]
        assert texts[: len(base)] == [j.response for j in base]
        assert len(set(texts)) == len(texts)  # a sampled answer equal to one there is not added
        assert len(base) <= len(own) <= len(base) + 3
        for j in own:
            assert j.gold == world.gold_score(j.info, j.response)
            assert j.words == len(j.response.split())
    assert sum(len(o) for o in pool) > sum(len(m) for m in mixed)


def test_the_start_weights_every_group_equally_and_counts_agreeing_pairs(base_model):
    model, tokenizer = base_model

    def gold_as_proxy(infos, responses):
        return [world.gold_score(i, r) for i, r in zip(infos, responses, strict=True)]

    def reversed_proxy(infos, responses):
        return [-g for g in gold_as_proxy(infos, responses)]

    kw = {"seed": 0, "max_new_tokens": 12, "per_group": 3, "samples": 3}
    same = rs.start_scores(model, tokenizer, gold_as_proxy, **kw)
    assert same["n"] == 3 * 3 * len(world.GROUPS)
    assert same["agreement"] == 1.0 and same["pairs"] > 0
    assert abs(same["proxy"] - same["gold"]) < 1e-9
    flipped = rs.start_scores(model, tokenizer, reversed_proxy, **kw)
    assert flipped["agreement"] == 0.0
    assert flipped["pairs"] == same["pairs"]
    assert abs(flipped["proxy"] + same["gold"]) < 1e-9
    # borderline has 6 prompts, the other groups 8 here: still a tenth of the weight
    only_borderline = rs.start_scores(
        model,
        tokenizer,
        lambda infos, rs_: [float(i.group == "borderline") for i in infos],
        seed=0,
        max_new_tokens=4,
        per_group=8,
        samples=1,
    )
    assert only_borderline["n"] == 9 * 8 + 6
    assert abs(only_borderline["proxy"] - 1 / len(world.GROUPS)) < 1e-9


def test_the_start_has_no_agreement_when_no_pair_differs_in_gold(base_model):
    model, tokenizer = base_model
    res = rs.start_scores(
        model,
        tokenizer,
        lambda infos, rs_: [0.0] * len(rs_),
        seed=0,
        max_new_tokens=4,
        per_group=1,
        samples=1,
    )
    assert res["agreement"] is None and res["pairs"] == 0
