"""outbox items go with their transcript row and conversation (ON DELETE CASCADE)

Retention (``purge``) deletes old transcript rows; the outbox item of a delivered or
given-up message is history of that row and must not block the delete.

Revision ID: 0008_outbox_cascade
Revises: 0007_outbox
Create Date: 2026-12-03 09:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0008_outbox_cascade"
down_revision = "0007_outbox"
branch_labels = None
depends_on = None

FOREIGN_KEYS = (
    ("fk_outbox_message_id_messages", "messages", "message_id"),
    ("fk_outbox_conversation_id_conversations", "conversations", "conversation_id"),
)


def _recreate(ondelete: str | None) -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for name, table, column in FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(
                name, table, [column], ["id"], ondelete=ondelete
            )


def upgrade() -> None:
    _recreate("CASCADE")


def downgrade() -> None:
    _recreate(None)
