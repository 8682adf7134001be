"""The one exception the import raises for a file it cannot read as a table."""


class ImportFileError(Exception):
    """The upload is not a table we can read (binary, empty, over-long line, missing columns...): nothing changes.

    The message is user-facing and already translated.
    """
