from app.core.markdown_blocks import Block, split_blocks


def test_prose_and_code() -> None:
    text = "Here:\n```python\ndef f():\n    return 1\n```\nDone."
    assert split_blocks(text) == [
        Block("prose", "Here:"), Block("code", "def f():\n    return 1", "python"), Block("prose", "Done.")]


def test_unclosed_fence_while_streaming() -> None:
    assert split_blocks("Look\n```js\nlet a") == [Block("prose", "Look"), Block("code", "let a", "js", closed=False)]


def test_tilde_and_longer_fences_and_no_language() -> None:
    text = "~~~~\n```\ninner\n```\n~~~~\n```\nplain\n```"
    assert split_blocks(text) == [Block("code", "```\ninner\n```", ""), Block("code", "plain", "")]


def test_empty_and_plain() -> None:
    assert split_blocks("") == []
    assert split_blocks("just *text*") == [Block("prose", "just *text*")]
