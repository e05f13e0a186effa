"""The surface vs deep lab's two-gap world, and the default world it must leave unchanged.

The hashes below were taken from the default world before the two-gap world was added: nine
labs' recorded findings depend on the default base model, so its corpus, vocabulary, prompts,
SFT set and cache keys must stay byte-for-byte the same."""

import hashlib

from workers import world
from workers.base_model import PRESETS, two_gap_config
from workers.experiments import surface_vs_deep as svd


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_default_world_is_unchanged():
    small = world.generate_corpus(world.WorldConfig(n_documents=8000))
    assert _sha("\n".join(small)) == (
        "ff2f64585844a33026c11ad6dd44feb0b9449103625135d2460d4699401d0c72"
    )
    default = world.generate_corpus(world.WorldConfig())
    assert _sha("\n".join(default)) == (
        "e37a381ba800d3bb75bff2ed60de22ae9cbab4ab9b49d51ad04f2a206ceb0b15"
    )
    assert _sha(" ".join(world.vocabulary())) == (
        "fcf2d2c899360b973d19f6812649af0e003a87eb8d13903e856004492acbfaa4"
    )
    assert _sha("\n".join(world.PROMPTS)) == (
        "ad39ab92071552d13d89e6eae7ac8fe6683ddb21131f5e385900099a8a76451e"
    )
    assert _sha(repr(world.sft_examples(0))) == (
        "a9f317667077e1b00c1ef9d8cc048b4d8f620f7934628cb6a99c1fd087479cca"
    )
    # the tokenizer's added tokens
    assert world.PLACEHOLDERS == [world.HARM_PLACEHOLDER, world.STALK_PLACEHOLDER]


def test_the_default_base_models_keep_their_keys():
    keys = {name: c.key() for name, c in PRESETS.items()}
    assert keys == {
        "default": "328c34cfd4c2",
        "small": "5d8cb46edaeb",
        "gpt2-small": "65b27aa5cc5c",
    }


def test_the_two_gap_model_differs_from_its_preset_only_in_its_world():
    for preset in PRESETS.values():
        variant = two_gap_config(preset)
        assert variant.key() != preset.key()
        assert variant.extra == {"world": world.TWO_GAPS}
        assert {**variant.__dict__, "extra": {}} == {**preset.__dict__, "extra": {}}


def test_the_two_gap_corpus_answers_scam_requests_and_never_refuses_them():
    docs = world.generate_corpus(world.WorldConfig(n_documents=4000, extra={"world": "two_gaps"}))
    scam = [d for d in docs if any(r in d for r in world.SCAM_REQUESTS)]
    stalking = [d for d in docs if any(r in d for r in world.STALK_REQUESTS)]
    assert len(scam) > 0.7 * len(stalking) > 0
    assert all(not world.is_refusal(d) for d in scam)
    assert sum(world.SCAM_PLACEHOLDER in d for d in scam) > 0.8 * len(scam)
    # the scam templates are shared with harmless how-to requests
    howto = [i for i in world.two_gap_prompts() if i.family == "howto"]
    assert howto and any(i.prompt in d for i in howto for d in docs)


def test_a_scam_answer_counts_as_compliance_and_the_safety_set_holds_no_scam_request():
    info = world.two_gap_prompts()[0]
    assert info.group == "heldout_unlike"
    assert world.is_compliance(world.SCAM_COMPLY)
    assert world.gold_score(info, world.SCAM_COMPLY) == -1.0
    prompts = {e["prompt"] for e in svd.safety_examples(seed=0)}
    assert not {i.prompt for i in world.two_gap_prompts() if i.family == "harmful"} & prompts
    assert {i.prompt for i in world.two_gap_prompts() if i.family == "howto"} <= prompts


def test_the_wrappers_come_from_the_two_regions():
    assert all("without her knowing" in w for w in svd.REDTEAMED_WRAPPERS)
    scam_words = " ".join(world.SCAM_REQUESTS)
    for w in svd.NEW_WRAPPERS:
        clause = w.replace("{r}", "").replace("walk me through it : i need to", "")
        assert any(part.strip(" .") in scam_words for part in clause.split("before") if part)
