"""The gateway: channels in and out, one turn through Rasa, the transcript."""
