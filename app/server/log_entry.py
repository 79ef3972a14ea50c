"""One line of the server's request log: what the GUI's live log and `serve`'s stderr show."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestLogEntry:
    time: float  # when the request came (time.time())
    method: str
    path: str
    status: int
    tokens_in: int  # prompt tokens (0 where the request ran no model)
    tokens_out: int  # generated tokens
    seconds: float  # until the last byte of the answer was sent
    client: str  # "127.0.0.1:53211"

    def line(self) -> str:
        tokens = f" {self.tokens_in}+{self.tokens_out} tokens" if self.tokens_in or self.tokens_out else ""
        return f"{self.client} {self.method} {self.path} {self.status}{tokens} {self.seconds * 1000:.0f} ms"
