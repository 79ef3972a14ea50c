"""What the GUI and `serve` show a user to connect a client: Python `openai` and a curl line."""

from __future__ import annotations

import shlex


def client_snippet(base_url: str, api_key: str = "") -> str:
    key = api_key or "none"  # the openai client insists on a key even where none is checked
    auth = f" -H {shlex.quote('Authorization: Bearer ' + api_key)}" if api_key else ""
    body = '{"messages": [{"role": "user", "content": "Write hello world in Python"}]}'
    return (
        "from openai import OpenAI\n"
        f"client = OpenAI(base_url={base_url + '/v1'!r}, api_key={key!r})\n"
        "stream = client.chat.completions.create(model=\"local\", stream=True,\n"
        "    messages=[{\"role\": \"user\", \"content\": \"Write hello world in Python\"}])\n"
        "for chunk in stream:\n"
        "    print(chunk.choices[0].delta.content or \"\", end=\"\")\n"
        "\n"
        f"curl {base_url}/v1/chat/completions -H 'Content-Type: application/json'{auth} -d {shlex.quote(body)}\n"
    )
