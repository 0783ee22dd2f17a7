"""Settings, the copy file, encryption, masking and working days: no store, no I/O."""
