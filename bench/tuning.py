"""The run-time settings of our Rasa server that the bench measures.

Kept in one place so the bench measures what `make run` starts.
"""

from __future__ import annotations

# Nothing tuned yet: Rasa's defaults.
OUR_RASA_ENV: dict[str, str] = {}
