"""Reading what participants type: dates and times, references, office names.

Both environments import this package: the gateway and the actions (``.venv``) and
the Rasa server's NLU components in ``addons/`` (``.venv-rasa``, Python 3.10 with
Rasa's old pins). So it imports nothing else of ``bot`` and needs only the standard
library, PyYAML and dateparser (an import-linter contract in ``pyproject.toml``).
"""
