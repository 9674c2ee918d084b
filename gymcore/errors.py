"""Exceptions whose message is a sentence meant for the person using the tool.

The CLI prints the message and exits with status 2; the dashboard shows it in the page. Every
message says what is wrong and what to do about it.
"""


class GymError(Exception):
    """Base of every error gymcore raises on purpose."""


class InputError(GymError):
    """The user's input (a clip, a folder, an option) cannot be used as given."""


class ClipError(InputError):
    """A video file cannot be opened, decoded, or is outside the limits."""


class ClipEndedEarly(ClipError):
    """Fewer frames decode than the file's packets announce."""

    def __init__(self, message: str, decoded: int) -> None:
        super().__init__(message)
        self.decoded = decoded


class NoPersonError(InputError):
    """MediaPipe found nobody in the clip."""
