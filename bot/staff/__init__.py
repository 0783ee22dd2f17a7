"""Support staff accounts: passwords, roles, sessions (used by console and handoff)."""
