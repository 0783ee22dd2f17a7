"""Keeping the retention promise (PRODUCT.md §8): purge and a participant's erasure.

The consent text promises "percakapan 90 hari; data permohonan 2 tahun". ``purge``
keeps it from cron; ``bot.retention.erasure`` answers "hapus data saya" in chat.
"""

from bot.retention.erasure import ErasureReport, erase_conversation
from bot.retention.purge import PurgeReport, purge
from bot.retention.tracker import forget_sender

__all__ = [
    "ErasureReport",
    "PurgeReport",
    "erase_conversation",
    "forget_sender",
    "purge",
]
