"""The transcript follows a streaming answer to its end, and a message cut mid-code-block still shows code.

Layout tests of the real widgets, offscreen: the text arrives as the pane's coalesced repaints would
bring it (the streaming through the real model is tested in test_chat_branches.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QAbstractSlider

from app.core.chat import Turn
from app.core.store import MessageState
from app.ui.chat.message_view import MessageView
from app.ui.chat.transcript import Transcript

CODE = "Here is the function:\n```python\n" + "".join(f"value_{n} = compute({n})\n" for n in range(80))


def streaming_transcript(qtbot) -> tuple[Transcript, Turn]:
    transcript = Transcript()
    qtbot.addWidget(transcript)
    transcript.resize(600, 400)
    with qtbot.waitExposed(transcript):
        transcript.show()
    answer = Turn("assistant", "", MessageState.STREAMING)
    transcript.show_turns([Turn("user", "Write it"), answer], "friendly")
    transcript.scroll_to_end()
    return transcript, answer


def at_end(transcript: Transcript) -> bool:
    bar = transcript.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def test_follows_an_answer_that_grows_by_a_tall_code_block_in_one_repaint(qtbot) -> None:
    transcript, answer = streaming_transcript(qtbot)
    transcript.follow("Here is")
    transcript.follow(CODE)  # one repaint adds 80 lines of code: far more than a screen
    qtbot.waitUntil(lambda: at_end(transcript), timeout=3000)
    grown = transcript.verticalScrollBar().maximum()
    more = CODE + "```\n" + "".join(f"Step {n} explains line {n}.\n\n" for n in range(30))
    transcript.follow(more)  # the block closes (highlighted, laid out again) and prose follows
    qtbot.waitUntil(lambda: at_end(transcript) and transcript.verticalScrollBar().maximum() > grown, timeout=3000)
    answer.text, answer.state = more + "Done.", MessageState.COMPLETE
    transcript.update_turn(1, answer)  # the end: highlighted, laid out again
    qtbot.waitUntil(lambda: at_end(transcript), timeout=3000)
    # The last message ends at the bottom of the view: no blank area below it.
    last = transcript.views[-1]
    bottom = last.mapTo(transcript.viewport(), last.rect().bottomLeft()).y()
    viewport = transcript.viewport().height()
    assert viewport - 30 <= bottom <= viewport, (bottom, viewport)


def test_scrolling_up_stops_following_and_scrolling_back_down_resumes(qtbot) -> None:
    transcript, _answer = streaming_transcript(qtbot)
    transcript.follow(CODE)
    qtbot.waitUntil(lambda: at_end(transcript), timeout=3000)
    bar = transcript.verticalScrollBar()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMinimum)  # the user goes back up to read
    assert not transcript.following
    transcript.follow(CODE + "".join(f"later_{n} = {n}\n" for n in range(40)))
    qtbot.waitUntil(lambda: bar.maximum() > 0 and "later_39" in transcript.views[-1].text, timeout=3000)
    qtbot.wait(50)  # let a layout pass run: the reader must still be where they went
    assert bar.value() == 0
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)  # back down: following again
    assert transcript.following
    transcript.follow(CODE + "".join(f"later_{n} = {n}\n" for n in range(80)))
    qtbot.waitUntil(lambda: at_end(transcript) and "later_79" in transcript.views[-1].text, timeout=3000)


def test_an_answer_cut_inside_a_code_block_shows_highlighted_code_of_its_language(qtbot) -> None:
    view = MessageView("assistant", "Here:\n```python\ndef f(x):\n    return x", style="friendly",
                       state=MessageState.CUT, actions=True)
    qtbot.addWidget(view)
    block = view.code_blocks()[0]
    assert block.highlighted and "<span" in block.view.toHtml()
    assert block.label.text().lower() == "python"
    assert "cut off" in view.who.text() and not view.continue_button.isHidden()

    streaming = MessageView("assistant", "", style="friendly", state=MessageState.STREAMING, actions=True)
    qtbot.addWidget(streaming)
    streaming.set_text("```rust\nfn main() {")
    assert not streaming.code_blocks()[0].highlighted  # still arriving: plain until it ends
    streaming.set_state(MessageState.STOPPED)  # stopped mid-block: highlighted as it is
    assert streaming.code_blocks()[0].highlighted and streaming.continue_button.isHidden()
    repository = MessageView("assistant", "An answer", style="friendly", state=MessageState.CUT)
    qtbot.addWidget(repository)  # the repository pane's messages: nothing to edit, regenerate or continue
    assert repository.action_button.isHidden() and repository.continue_button.isHidden()


@pytest.mark.parametrize("earlier", ["", "The start of a cut answer"])
def test_prompt_progress_gives_way_to_the_answer(qtbot, earlier: str) -> None:
    # A new answer, and a continued one (which already has text): the percentage shows while the
    # prompt is read and goes once the answer's new text comes.
    view = MessageView("assistant", earlier, style="friendly", state=MessageState.STREAMING)
    qtbot.addWidget(view)
    view.set_progress(512, 1024)
    assert view.figures.text() == "Reading the prompt… 50%" and not view.figures.isHidden()
    view.set_progress(1024, 1024)
    view.set_text(earlier + " and more")
    assert view.figures.isHidden() and view.figures.text() == ""
