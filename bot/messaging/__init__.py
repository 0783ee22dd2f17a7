"""Conversations, their transcript, and messages to participants outside a turn."""
