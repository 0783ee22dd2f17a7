"""`make bench`: our pipeline and whole path against Rasa's stock configuration."""
