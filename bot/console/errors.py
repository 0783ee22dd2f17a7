"""Why the console refuses a request, raised from any layer and drawn as one page."""

from __future__ import annotations


class Refused(Exception):
    """The staff member cannot do or see this; ``message`` is shown to them.

    Raised inside a unit of work it also rolls the transaction back. The console
    app turns it into the error page with ``status_code``.
    """

    def __init__(self, message: str, status_code: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
