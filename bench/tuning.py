"""The run-time settings of the Rasa servers that the bench measures.

Kept in one place so the bench measures what `make run` starts: our server gets
what scripts/rasa_run.py sets for every Rasa it starts (TensorFlow's thread pools,
the response schema checked once; their figures are there), written out here so
the report shows them; the stock server keeps TensorFlow's defaults and Rasa's own
code (an empty value is "not set").
"""

from __future__ import annotations

from scripts.rasa_run import TUNING

OUR_RASA_ENV: dict[str, str] = dict(TUNING)
STOCK_RASA_ENV: dict[str, str] = {name: "" for name in TUNING}
