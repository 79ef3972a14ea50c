"""Why the loaded context differs from the limit, in words; and which settings need a reload."""

from __future__ import annotations

import dataclasses

import pytest

from app.context import build_context
from app.core.engine import EngineInfo
from app.core.settings import RELOAD_SETTINGS, Settings, explain_context
from app.core.settings_owner import SettingsError

INFO = EngineInfo(model_name="m", model_path="/m.gguf", backend="CPU", gpu_layers=0, n_ctx=8192, n_ctx_train=8192,
                  threads=1, threads_batch=2, chat_format="template", load_seconds=0.1)


def info(**changes) -> EngineInfo:
    return dataclasses.replace(INFO, **changes)


@pytest.mark.parametrize("loaded,limit,max_context,expected", [
    (info(), 16384, 0, "ctx 8,192: the model was trained on 8,192"),
    (info(n_ctx=4096, context_reduced_for_memory=True), 16384, 0,
     "ctx 4,096: reduced to fit memory (the limit asks for 16,384)"),
    (info(n_ctx=2048), 2048, 0, "ctx 2,048: your limit"),
    (info(n_ctx=16384, n_ctx_train=4096), 16384, 100000, "ctx 16,384: your limit, past the 4,096 the model was trained on"),
    (info(n_ctx=100000, n_ctx_train=16384), 131072, 100000,
     "ctx 100,000: as far past its trained 16,384 as this model holds up"),
    (info(n_ctx=2048), 4096, 0, "ctx 2,048: the limit of 4,096 applies when the model is loaded again"),
    (info(n_ctx=8192), 4096, 0, "ctx 8,192: the limit of 4,096 applies when the model is loaded again"),
])
def test_the_reason_for_the_context(loaded, limit, max_context, expected) -> None:
    assert explain_context(loaded, limit, max_context) == expected


def test_threads_is_a_setting_that_reaches_the_load_options(app_home) -> None:
    ctx = build_context()
    ctx.settings_owner.save = None
    assert ctx.load_options().threads is None  # 0: the hardware plan
    ctx.update_settings(threads=3, gpu_layers=0, memory_limit_mb=2048, context_limit=4096)
    options = ctx.load_options()
    assert (options.threads, options.gpu_layers, options.memory_limit_mb, options.context_limit) == (3, 0, 2048, 4096)
    with pytest.raises(SettingsError):
        ctx.update_settings(threads=-2)
    assert {"context_limit", "gpu_layers", "threads", "memory_limit_mb"} <= RELOAD_SETTINGS
    assert "hf_token" not in Settings().to_dict()
