"""Custom Rasa components. Imported by the Rasa server (``.venv-rasa``) only."""
