"""The local server's use cases: what a request asks the model for, written once, Qt-free.

`params` turns a request's JSON (OpenAI's or llama-server's names) into typed values and refuses
bad input with a `BadRequest`; `work` is what runs on the model's thread (prompt built by the app's
own formats, the context checked, the Generation started); `stops` ends text at a client's stop
strings; `repos` opens the repositories the user allowed, on a thread of their own.
"""
