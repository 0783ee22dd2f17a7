"""join the three feature branches into one line of history

0002_resign, 0003_console and 0004_channels were written side by side, each off
0001. This revision changes no table: it only makes their three heads one, so
``alembic upgrade head`` works and the next migration has a single parent. A
database already at the three heads moves here without any schema change.

Revision ID: 0005_one_history
Revises: 0002_resign, 0003_console, 0004_channels
Create Date: 2026-12-03 03:00:00
"""

from __future__ import annotations

revision = "0005_one_history"
down_revision = ("0002_resign", "0003_console", "0004_channels")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the schema is the union of the three branches."""


def downgrade() -> None:
    """Nothing to undo."""
