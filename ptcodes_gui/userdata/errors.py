"""Errors raised by the user-data store, and the messages it hands to the window at start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal


class UserDataError(Exception):
    """A user-data operation failed; ``str()`` is a sentence fit to show the user."""


class UserDataReadOnly(UserDataError):  # noqa: N818 (name used across the app)
    """The store is read-only (see ``UserStore.read_only_reason``); nothing was written."""


class UserDataBusy(UserDataError):  # noqa: N818 (like UserDataReadOnly)
    """Another copy of PT Codes holds the write lock; nothing was written (yet)."""


class ValidationError(UserDataError, ValueError):
    """A value given to the store does not pass validation."""


class DuplicateNameError(ValidationError):
    """A template or profile with that name already exists."""


class NotFoundError(UserDataError, LookupError):
    """No template or profile with that name."""


class BundleError(UserDataError):
    """An export bundle could not be read or did not validate; nothing was changed."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class StartupMessage:
    level: Literal["info", "warning", "error"]
    text: str
