"""The settings owner: validated changes, immutable snapshots, change notices and saving."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import pytest

from app.core.settings import Settings, Theme, load_settings, save_settings
from app.core.settings_owner import SettingsError, SettingsOwner


def test_a_valid_change_is_announced_then_saved_as_a_new_snapshot() -> None:
    saved: list[Settings] = []
    heard = []
    owner = SettingsOwner(Settings(), saved.append)
    before = owner.current
    owner.subscribe(heard.append)
    change = owner.update(theme="dark", sampling={"temperature": 0.5})
    assert change is not None and change.changed == {"theme", "sampling.temperature"}
    assert change.touches("theme") and not change.touches("code_style_dark")
    assert owner.current.theme is Theme.DARK and owner.current.sampling.temperature == 0.5
    assert before.theme is Theme.AUTO and before.sampling.temperature == 0.2  # the old snapshot is untouched
    assert heard == [change] and saved == [owner.current]


def test_nothing_changes_and_nothing_is_saved_for_the_same_values() -> None:
    saved: list[Settings] = []
    owner = SettingsOwner(Settings(), saved.append)
    assert owner.update(theme="auto", context_limit=Settings().context_limit) is None
    assert saved == []


@pytest.mark.parametrize("changes", [
    {"theme": "purple"}, {"context_limit": 10}, {"context_limit": "big"}, {"repo_honour_gitignore": 1},
    {"sampling": {"temperature": 9.0}}, {"sampling": {"max_tokens": 0}}, {"no_such_setting": 1},
    {"sampling": {"warmth": 1}}, {"recent_repos": [1, 2]}, {"version": 7},
])
def test_a_bad_change_is_refused_whole(changes) -> None:
    saved: list[Settings] = []
    owner = SettingsOwner(Settings(), saved.append)
    before = owner.current
    with pytest.raises(SettingsError):
        owner.update(system_prompt="changed too", **changes)
    assert owner.current is before and saved == []


def test_snapshots_cannot_be_changed_in_place() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.theme = Theme.DARK  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.sampling.max_tokens = 5  # type: ignore[misc]
    assert isinstance(SettingsOwner(settings).update(recent_repos=["/a"]).new.recent_repos, tuple)


def test_a_reader_on_another_thread_never_sees_half_a_change() -> None:
    # Two values always changed together: with settings changed in place a reader would catch them apart.
    owner = SettingsOwner(Settings())
    stop, torn = threading.Event(), []

    def read() -> None:
        while not stop.is_set():
            s = owner.current
            if s.infill_context != s.context_limit or s.sampling.top_k != s.context_limit % 1000:
                torn.append(s)

    owner.update(infill_context=owner.current.context_limit, sampling={"top_k": owner.current.context_limit % 1000})
    reader = threading.Thread(target=read)
    reader.start()
    for n in range(2000):
        value = 1024 + n
        owner.update(context_limit=value, infill_context=value, sampling={"top_k": value % 1000})
    stop.set()
    reader.join()
    assert torn == []


def test_out_of_range_values_in_the_file_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"theme": "sepia", "context_limit": -5, "infill_context": 2048,
                                "sampling": {"temperature": 40}, "recent_repos": ["/a", 3]}))
    loaded = load_settings(path)
    defaults = Settings()
    assert loaded.theme is defaults.theme and loaded.context_limit == defaults.context_limit
    assert loaded.sampling.temperature == defaults.sampling.temperature and loaded.recent_repos == ()
    assert loaded.infill_context == 2048


def test_enums_and_tuples_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    owner = SettingsOwner(Settings(), lambda s: save_settings(s, path))
    owner.update(theme="light", recent_repos=["/x", "/y"], repo_excludes=["build/"])
    raw = json.loads(path.read_text())
    assert raw["theme"] == "light" and raw["recent_repos"] == ["/x", "/y"]
    assert load_settings(path) == owner.current


def test_a_change_that_cannot_be_saved_holds_and_says_so() -> None:
    def full_disk(_settings) -> None:
        raise OSError(28, "No space left on device")

    owner = SettingsOwner(Settings(), full_disk)
    with pytest.raises(SettingsError, match="could not be saved") as raised:
        owner.update(theme="dark")
    assert raised.value.retryable and owner.current.theme is Theme.DARK
