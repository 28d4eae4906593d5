"""Errors raised by pcanno: one subclass per engine error code.

Every error carries what the engine knew when it failed: ``code`` (the engine's stable snake_case
name, e.g. ``"malformed"``), ``message`` (what went wrong, without the location), ``path`` (the
file, or ``None``), ``line`` (1-based line of a text file, or ``None``) and ``offset`` (byte offset
into a binary file, or ``None``). ``str(error)`` reads like a compiler message:
``calib/0000.txt:3: expected 12 numbers after 'P2:', found 11``.

Where Python has a built-in exception for the same failure, the subclass derives from it too, so
``except FileNotFoundError`` and ``except ValueError`` keep working.
"""


class Error(Exception):
    """Base class of every error the pcanno engine reports."""

    code = "io"

    def __init__(self, message, path=None, line=None, offset=None):
        super().__init__(message)
        self.message = message
        self.path = path or None
        self.line = line if line is not None and line >= 0 else None
        self.offset = offset if offset is not None and offset >= 0 else None

    def __str__(self):
        if not self.path:
            return self.message
        if self.line is not None:
            return f"{self.path}:{self.line}: {self.message}"
        if self.offset is not None:
            return f"{self.path}: byte {self.offset}: {self.message}"
        return f"{self.path}: {self.message}"

    def __reduce__(self):
        return (type(self), (self.message, self.path, self.line, self.offset))


class NotFoundError(Error, FileNotFoundError):
    """The file or folder does not exist."""

    code = "not_found"


class PermissionDeniedError(Error, PermissionError):
    """The file exists but may not be opened."""

    code = "permission"


class UnknownFormatError(Error):
    """No reader or codec recognises the content."""

    code = "unknown_format"


class MalformedError(Error):
    """The content breaks the format's rules."""

    code = "malformed"


class TruncatedError(Error):
    """The content ends early, or its size does not fit the format."""

    code = "truncated"


class UnsupportedError(Error):
    """Valid, but uses a feature this build does not implement."""

    code = "unsupported"


class IoError(Error, OSError):
    """The operating system reported a read or write failure."""

    code = "io"


class CancelledError(Error):
    """A progress callback asked to stop (returned False or raised)."""

    code = "cancelled"


class OutOfMemoryError(Error, MemoryError):
    """An allocation failed."""

    code = "out_of_memory"


class InvalidArgumentError(Error, ValueError):
    """A value passed in is out of range or names nothing usable."""

    code = "invalid_argument"


class BusyError(Error):
    """A long job owns the session; edits wait until it ends or is cancelled."""

    code = "busy"


class ConflictError(Error):
    """The request contradicts the current state (nothing to undo, an id in use)."""

    code = "conflict"


_BY_CODE = {cls.code: cls for cls in (
    NotFoundError, PermissionDeniedError, UnknownFormatError, MalformedError, TruncatedError,
    UnsupportedError, IoError, CancelledError, OutOfMemoryError, InvalidArgumentError, BusyError,
    ConflictError)}


def _from_engine(code, message, path, line, offset):
    """The exception for an engine error (called by the C++ module)."""
    return _BY_CODE.get(code, Error)(message, path, line, offset)


__all__ = ["Error"] + [cls.__name__ for cls in _BY_CODE.values()]
