"""The prompt for a question about a repository: packed code first, the question last.

The code comes first in the user turn so that follow-up questions over the same packed context
share a long, stable token prefix with the previous prompt (llama.cpp then reuses its KV cache).
"""

from __future__ import annotations

from app.core.prompts.chat import ChatMessage

SYSTEM = ("You answer questions about a code repository using only the code given. Cite the code you rely on "
          "as path:start-end, exactly as in the headers. If the code given does not answer the question, say so.")


def build_repo_messages(context: str, question: str) -> list[ChatMessage]:
    user = (f"Code from the repository:\n\n{context}\n\nQuestion: {question.strip()}" if context
            else f"Question: {question.strip()}")
    return [ChatMessage("system", SYSTEM), ChatMessage("user", user)]
