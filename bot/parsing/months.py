"""Indonesian month names as participants type them: full, short and old spellings.

One table for every reader of dates (the complaint's event time, the date of birth
checked against a NIK, the Rasa date extractor), so "12 peb" or "3 agust" means the
same month everywhere.
"""

from __future__ import annotations

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2,
    "maret": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6,
    "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "agust": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "oct": 10, "november": 11, "nov": 11, "nop": 11, "desember": 12, "des": 12,
    "dec": 12,
}  # fmt: skip
