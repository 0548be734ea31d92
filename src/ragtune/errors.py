"""Errors ragtune raises on purpose: each carries a one-line message for the user."""


class RagtuneError(Exception):
    """A user-facing error: printed as one line, no traceback."""


class IngestError(RagtuneError):
    """A file that could not be read; the message names the reason."""


class ModelError(RagtuneError):
    """A model that could not be found, loaded or reached."""
