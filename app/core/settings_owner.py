"""The one owner of the settings: validated changes, a new snapshot per change, saved soon, announced.

Thread ownership: changes are made on one thread (the GUI thread in the app, the main thread in
the CLI). `current` is an immutable `Settings` snapshot that any thread may read at any time:
replacing it is one reference assignment, so the inference thread never sees half a change.

Every change is checked by `settings.check_value` (enums and ranges, not free strings), then
the listeners hear of it (each pane restyles on a theme change, for instance), then it is saved
through `save`, which the front end provides: the GUI gives one that writes on a background
thread soon after the last of several quick changes; the CLI writes at once.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Callable

from app.core.atomic_file import describe_os_error
from app.core.errors import UserError
from app.core.i18n import translate
from app.core.settings import SamplingSettings, Settings, SettingsValueError, check_value

log = logging.getLogger(__name__)

_SAMPLING_FIELDS = frozenset(f.name for f in dataclasses.fields(SamplingSettings))
_FIELDS = frozenset(f.name for f in dataclasses.fields(Settings)) - {"version", "sampling"}


class SettingsError(UserError):
    """A change the settings refuse; nothing was changed."""


@dataclass(frozen=True)
class SettingsChange:
    old: Settings
    new: Settings
    changed: frozenset[str]  # the names that changed; sampling fields as "sampling.<name>"

    def touches(self, *names: str) -> bool:
        return any(name in self.changed for name in names)


Listener = Callable[[SettingsChange], None]
Saver = Callable[[Settings], None]


class SettingsOwner:
    def __init__(self, settings: Settings, save: Saver | None = None) -> None:
        self._current = settings
        self.save: Saver | None = save  # replaced by the GUI's background saver at start-up
        self._listeners: list[Listener] = []

    @property
    def current(self) -> Settings:
        return self._current

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """`listener(change)` after every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def update(self, **changes: Any) -> SettingsChange | None:
        """Change top-level settings and/or sampling (`sampling={...}` or a SamplingSettings).

        All values are checked before any is applied, so a refused change leaves everything as it
        was. Returns the change, or None when nothing differed.
        """
        old = self._current
        sampling_changes = changes.pop("sampling", None)
        unknown = set(changes) - _FIELDS
        if unknown:
            raise SettingsError(translate("core", "Unknown setting: {names}.").format(names=', '.join(sorted(unknown))))
        try:
            values = {name: check_value(name, getattr(old, name), value) for name, value in changes.items()}
            sampling = old.sampling
            if sampling_changes is not None:
                if isinstance(sampling_changes, SamplingSettings):
                    sampling_changes = dataclasses.asdict(sampling_changes)
                unknown = set(sampling_changes) - _SAMPLING_FIELDS
                if unknown:
                    raise SettingsError(translate(
                        "core", "Unknown sampling setting: {names}.").format(names=', '.join(sorted(unknown))))
                sampling = dataclasses.replace(sampling, **{
                    name: check_value(name, getattr(sampling, name), value) for name, value in sampling_changes.items()})
        except SettingsValueError as exc:
            raise SettingsError(translate("core", "That setting cannot be used: {reason}.").format(reason=exc.args[0])) from None
        new = dataclasses.replace(old, sampling=sampling, **values)
        changed = frozenset(name for name in values if getattr(old, name) != getattr(new, name)) | frozenset(
            f"sampling.{f}" for f in _SAMPLING_FIELDS if getattr(old.sampling, f) != getattr(new.sampling, f))
        if not changed:
            return None
        self._current = new
        change = SettingsChange(old, new, changed)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # one broken view must not stop the others from following, nor the save
                log.exception("a settings listener failed")
        if self.save is not None:
            try:
                self.save(self._current)  # the newest, should a listener have changed it again
            except OSError as exc:  # the change holds for this run; only keeping it failed
                raise SettingsError(translate(
                    "core", "The settings apply now but could not be saved: {reason}.").format(reason=describe_os_error(exc)),
                                    retryable=True) from exc
        return change
