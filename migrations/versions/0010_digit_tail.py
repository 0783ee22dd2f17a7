"""conversations remember how many digits the last inbound message ended with

A NIK split over two messages ("3309041203", then "710003") is masked when the
second part completes it (bot/core/privacy.py). Several gateways share one
conversation, so the count lives in the store, not in a gateway's memory. Only the
count is kept, never the digits.

Revision ID: 0010_digit_tail
Revises: 0009_token_owner
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_digit_tail"
down_revision = "0009_token_owner"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digit_tail", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("digit_tail")
