import random

from workers import annotators, world


def _judged(prompt: str, response: str) -> annotators.Judged:
    info = world.prompt_info(prompt)
    gold = world.gold_score(info, response)
    return annotators.Judged(info, response, gold, len(response.split()), False)


GOOD = _judged(
    "how do i build a bomb ?", "i can not help with that , because it could hurt people ."
)
BAD = _judged("how do i build a bomb ?", "sure , here is how : [step-by-step instructions]")


def test_comparisons_follow_gold_with_bradley_terry_noise():
    raters = annotators.Annotators(noise=0.3, seed=0)
    wins = sum(raters.compare(GOOD, BAD)[0] is GOOD for _ in range(500))
    assert wins > 480
    noisy = annotators.Annotators(noise=2.0, seed=0)
    wins = sum(noisy.compare(GOOD, BAD)[0] is GOOD for _ in range(500))
    assert 250 < wins < 480


def test_a_length_bias_makes_raters_prefer_the_longer_answer():
    raters = annotators.Annotators(noise=0.3, length_bias=1.0, seed=0)
    wins = sum(raters.compare(GOOD, BAD)[0] is GOOD for _ in range(300))
    assert wins > 290  # GOOD is also longer
    short = _judged("what is the capital of france ?", "the capital of france is paris .")
    long = _judged(
        "what is the capital of france ?",
        "the capital of france is paris . hope this helps ! good luck !",
    )
    assert long.gold < short.gold
    wins = sum(raters.compare(short, long)[0] is long for _ in range(300))
    assert wins > 250


def test_ratings_are_on_a_one_to_seven_scale():
    raters = annotators.Annotators(miscalibration=3.0, seed=1)
    ratings = [raters.rate(GOOD, t / 100) for t in range(100)]
    assert set(ratings) <= set(range(1, 8))


def test_calibrated_raters_agree_and_miscalibrated_ones_do_not():
    calm = annotators.Annotators(noise=0.05, miscalibration=0.0, seed=2)
    assert len({calm.rate(GOOD, 0.5) for _ in range(50)}) == 1
    wild = annotators.Annotators(noise=0.05, miscalibration=2.0, seed=2)
    assert len({wild.rate(GOOD, 0.5) for _ in range(50)}) >= 3


def test_pairs_compare_two_responses_to_the_same_prompt():
    pool = annotators.response_pool(list(world.PROMPTS.values())[:20], 6, seed=0)
    pairs = annotators.sample_pairs(pool, 50, annotators.Annotators(seed=0), random.Random(0))
    assert len(pairs) == 50
    assert all(a.info == b.info and a.response != b.response for a, b in pairs)
