"""The core's translatable messages: plain English strings that remember how to be translated."""

import pickle

import pytest

from app.core.errors import ModelFileError
from app.core.i18n import Text, translate


def test_a_formatted_message_is_its_english_and_remembers_its_source():
    text = translate("core", "Could not read {path}: {why}").format(path="a.gguf", why="truncated")
    assert text == "Could not read a.gguf: truncated"
    assert isinstance(text, Text)
    assert (text.context, text.source) == ("core", "Could not read {path}: {why}")
    assert text.args == {"path": "a.gguf", "why": "truncated"}


def test_plural_english_follows_the_count():
    assert translate("core", "%n file(s) skipped", n=1).format() == "1 file skipped"
    assert translate("core", "%n file(s) skipped", n=3).format() == "3 files skipped"
    assert translate("core", "%n file(s) skipped", n=0) == "0 files skipped"


def test_positional_placeholders_are_refused():
    with pytest.raises(TypeError):
        translate("core", "{} and {}").format("a", "b")


def test_an_error_keeps_the_translatable_message():
    text = translate("core", "{name} is not a model").format(name="x")
    error = ModelFileError(text)
    assert isinstance(error.message, Text) and error.message.source == "{name} is not a model"
    assert str(error) == "x is not a model"


def test_a_message_survives_pickling():
    text = translate("core", "{n} chunks").format(n=3)
    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.source == text.source and again.args == {"n": 3}
