"""A conversation's title: short, made from its first exchange, without a model call.

Chosen over asking the model: a title is wanted the moment the first answer ends, and a model call
then would hold the inference thread (seconds with a 7B model on a CPU) for a few words; the small
embedded model also writes poor titles. The first question already names the topic; what makes
questions read alike is their framing ("Can you please write me a function that..."), so that is
cut, and the answer adds what the question often leaves out: the language of its code.
"""

from __future__ import annotations

import re

from app.core.markdown_blocks import plain_snippet, split_blocks

NEW_CHAT_TITLE = "New chat"
TITLE_WORDS = 8  # enough to tell conversations apart in a narrow list
TITLE_LENGTH = 60  # a rename is cut to this too

# Politeness and framing that open a question and say nothing about its topic (lower case).
_FRAMING = re.compile(
    r"^(?:(?:hi|hello|hey|thanks|thank you|ok|okay|so|please)\b[\s,!.]*)*"
    r"(?:(?:can|could|would|will) you(?: please)?|please|i (?:want|need|would like) (?:you )?to|"
    r"i'd like (?:you )?to|help me(?: to)?|i need|show me how to|tell me)?\s*", re.I)
_LEADING_VERB = re.compile(r"^(?:(?:write|create|make|give|generate|implement|build|show)(?: me)?\s+)?(?:(?:an?|the)\s+)?",
                           re.I)
_SENTENCE_END = re.compile(r"(?<=[.?!:;])\s|\n")
_LANGUAGES = {"py": "Python", "python": "Python", "python3": "Python", "js": "JavaScript", "javascript": "JavaScript",
              "ts": "TypeScript", "typescript": "TypeScript", "rust": "Rust", "rs": "Rust", "go": "Go",
              "golang": "Go", "c": "C", "cpp": "C++", "c++": "C++", "java": "Java", "cs": "C#", "csharp": "C#",
              "sh": "Shell", "bash": "Shell", "shell": "Shell", "sql": "SQL", "ruby": "Ruby", "rb": "Ruby",
              "php": "PHP", "kotlin": "Kotlin", "swift": "Swift", "haskell": "Haskell", "lua": "Lua"}


def provisional_title(question: str) -> str:
    """The title before any answer: the question's first line, shortened."""
    return make_title(question, "")


def make_title(question: str, answer: str) -> str:
    """A few words naming the topic of `question`, with the language of `answer`'s code if not named."""
    text = plain_snippet(question.split("```")[0])  # a pasted code block is not the topic
    text = _FRAMING.sub("", text.strip(), count=1)  # first: a greeting is a sentence of its own
    text = _SENTENCE_END.split(text, maxsplit=1)[0] if text else ""
    text = _FRAMING.sub("", text, count=1)
    shortened = _LEADING_VERB.sub("", text, count=1)
    text = (shortened or text).strip(" ?.!:;,")
    head = text.split(", ", 1)[0]
    if len(head.split()) >= 3:  # what follows a comma is mostly a detail ("..., in a code block")
        text = head
    words = text.split()
    if not words:
        return NEW_CHAT_TITLE
    title = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
    title = title[0].upper() + title[1:]
    language = _answer_language(answer)
    if language and language.lower() not in title.lower():
        title += f" ({language})"
    return title[:TITLE_LENGTH]


def _answer_language(answer: str) -> str:
    for block in split_blocks(answer):
        if block.kind == "code" and block.language:
            return _LANGUAGES.get(block.language, "")
    return ""


def clean_title(text: str) -> str | None:
    """A title the user typed, on one line and cut to length (None: nothing left to use)."""
    title = " ".join(text.split())[:TITLE_LENGTH]
    return title or None
