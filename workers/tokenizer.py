"""The world's word-level tokenizer, trained with the ``tokenizers`` library.

The pad token is separate from end-of-sequence, so a model trained on padded batches still
learns to emit ``<eos>`` and stop. The compliance placeholders are single tokens."""

from __future__ import annotations

from collections.abc import Iterable

from workers import world


def train_tokenizer(corpus: Iterable[str]):
    """Train a word-level tokenizer on the corpus (plus the world's full vocabulary, so
    every word the gold score knows has an id) and wrap it for ``transformers``."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.trainers import WordLevelTrainer
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(unk_token=world.UNK))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    trainer = WordLevelTrainer(special_tokens=world.SPECIAL_TOKENS, min_frequency=1)

    def texts() -> Iterable[str]:
        yield " ".join(world.vocabulary())
        yield from corpus

    tok.train_from_iterator(texts(), trainer=trainer)
    tok.add_tokens([AddedToken(p, single_word=False, normalized=False) for p in world.PLACEHOLDERS])
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token=world.PAD,
        eos_token=world.EOS,
        unk_token=world.UNK,
        bos_token=world.EOS,
        additional_special_tokens=[world.USER, world.BOT],
    )
    fast.padding_side = "right"
    fast.model_max_length = 128
    return fast
