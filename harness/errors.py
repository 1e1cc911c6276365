"""Errors caused by the user's input: shown as one plain message, never a trace."""

from __future__ import annotations


class UserError(Exception):
    """Something the user gave is wrong; `hint` says what to do about it."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"
