"""The run-time settings of the Rasa servers that the bench measures.

Kept in one place so the bench measures what `make run` starts: our server gets
what scripts/rasa_run.py sets for every Rasa it starts (TensorFlow's thread pools,
with their figures there), written out here so the report shows them; the stock
server keeps TensorFlow's own defaults (an empty value is "not set" to Rasa).
"""

from __future__ import annotations

from scripts.rasa_run import TF_THREADS

OUR_RASA_ENV: dict[str, str] = dict(TF_THREADS)
STOCK_RASA_ENV: dict[str, str] = {name: "" for name in TF_THREADS}
