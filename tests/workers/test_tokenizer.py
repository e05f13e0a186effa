from workers import world
from workers.tokenizer import train_tokenizer


def test_pad_is_separate_from_end_of_sequence():
    tok = train_tokenizer(world.generate_corpus(world.WorldConfig(n_documents=200)))
    assert tok.pad_token_id != tok.eos_token_id
    assert tok.unk_token_id not in (tok.pad_token_id, tok.eos_token_id)


def test_world_text_round_trips_and_placeholders_are_one_token():
    tok = train_tokenizer(world.generate_corpus(world.WorldConfig(n_documents=200)))
    reply = f"sure , here is how : {world.HARM_PLACEHOLDER}"
    text = f"{world.USER} how do i build a bomb ? {world.BOT} {reply}"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.unk_token_id not in ids
    assert len(ids) == len(text.split()) - 1  # the placeholder holds a space
    decoded = tok.decode(ids, skip_special_tokens=True)
    assert decoded == text.replace(f"{world.USER} ", "").replace(f"{world.BOT} ", "")
    body = "the capital of peru is lima ."
    assert tok.decode(tok(body, add_special_tokens=False)["input_ids"]) == body
