"""One entry point for every question file: the format from the name or the content, the
size limits, and hostile input (binary, NUL bytes, 10 MB, unclosed blocks) refused clearly."""

import pytest

from quizzes.question_files import QuestionFileError, detect_format, read_question_file

GIFT = b"::Sky:: The sky is blue. {T}\n"
AIKEN = b"Which?\nA. One\nB. Two\nANSWER: A\n"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("questions.gift", GIFT, "gift"),
        ("questions.aiken", AIKEN, "aiken"),
        ("something.gift.txt", GIFT, "gift"),
        ("something.aiken.txt", AIKEN, "aiken"),
        ("questions.txt", GIFT, "gift"),
        ("questions.txt", AIKEN, "aiken"),
        ("questions", b"// a comment\nQ {=a}\n", "gift"),
        ("bank.xml", b'<?xml version="1.0"?>\n<quiz></quiz>', "moodle-xml"),
        ("export.txt", b"\xef\xbb\xbf<?xml version='1.0'?><quiz/>", "moodle-xml"),
        ("quiz.xml", b"<questestinterop><assessment/></questestinterop>", "qti"),
        ("export.zip", b"PK\x03\x04rest", "qti"),
        ("renamed.gift", b"PK\x03\x04rest", "qti"),
    ],
)
def test_it_takes_the_format_from_the_name_else_from_the_content(name, data, expected):
    assert detect_format(data, name) == expected


def test_a_gift_file_named_gift_txt_is_read_as_gift_not_aiken():
    parsed = read_question_file(GIFT, "something.gift.txt")
    assert parsed.file_format == "gift" and parsed.questions[0].kind == "true-false"


def test_a_file_whose_format_cannot_be_told_asks_for_one():
    with pytest.raises(QuestionFileError, match="cannot tell the format of 'notes.txt'"):
        read_question_file(b"Just some words.\n", "notes.txt")


def test_the_format_asked_for_wins_over_the_name():
    parsed = read_question_file(AIKEN, "questions.gift", file_format="aiken")
    assert parsed.file_format == "aiken" and parsed.questions[0].kind == "single"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text"),
        (b"Q {T}\n\nQ2 \x00{F}", "line 3: the file holds a NUL byte"),
        (b"Q {T}\x07", "a control character"),
        ("Q {T}".encode("utf-16"), "UTF-16"),
        (b"Q {=a ~b\n\nNext {T}\n", "line 1: the answer block opened with '{' is never closed"),
        (b"\n\n\n", "holds no questions"),
    ],
)
def test_binary_and_broken_text_is_refused_clearly(data, message):
    with pytest.raises(QuestionFileError, match=message):
        read_question_file(data, "upload.gift")


def test_a_ten_megabyte_file_is_refused_before_it_is_parsed():
    data = GIFT * (10 * 1024 * 1024 // len(GIFT) + 1)
    with pytest.raises(QuestionFileError, match=r"the file is 10\.0 MB; the limit is 2 MB"):
        read_question_file(data, "big.gift")
    with pytest.raises(QuestionFileError, match=r"the limit is 5 MB"):
        read_question_file(b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024), "big.zip")


def test_more_questions_than_the_limit_are_refused():
    data = b"\n\n".join(b"Q%d {T}" % i for i in range(1001))
    with pytest.raises(QuestionFileError, match="1001 questions; at most 1000"):
        read_question_file(data, "many.gift")


def test_an_unknown_format_name_is_refused():
    with pytest.raises(QuestionFileError, match="'docx' is not a format here"):
        read_question_file(GIFT, "a.gift", file_format="docx")
