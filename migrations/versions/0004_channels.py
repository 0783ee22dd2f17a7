"""channels: delivery status, reachability, rate limits, turn leases, callback keys

De-duplication by the provider's message id uses the unique constraint that
0001 already put on messages (channel, direction, provider_message_id).

Revision ID: 0004_channels
Revises: 0001
Create Date: 2026-11-24 09:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_channels"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("error", sa.String(length=300), nullable=True))
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_holder", sa.String(length=40), nullable=True)
        )
        batch_op.add_column(
            sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "rate_windows",
        sa.Column("sender_id", sa.String(length=96), nullable=False),
        sa.Column("window_start", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "sender_id", "window_start", name=op.f("pk_rate_windows")
        ),
    )
    op.create_table(
        "callback_payloads",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_callback_payloads")),
    )


def downgrade() -> None:
    op.drop_table("callback_payloads")
    op.drop_table("rate_windows")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_holder")
        batch_op.drop_column("unreachable_at")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("status_at")
