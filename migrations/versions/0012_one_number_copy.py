"""one encrypted copy of each typed number, serving the actions and the console

Each NIK or KPJ typed in a message was encrypted twice: in ``identity_tokens`` (for
the action server, behind a ``niktok…``/``kpjtok…`` token bound to the conversation)
and in ``message_secrets`` (for the console's audited reveal). The token now lives
on the message's own secret row (``token``, ``owner``, ``token_expires_at``); a
number the action server tokenises itself has no message (``message_id`` empty).
Existing tokens are moved into ``message_secrets`` as rows without a message, so a
conversation under way keeps its tokens; ``identity_tokens`` is dropped. The
downgrade moves the tokens back (a message's secret keeps its reveal copy).

Revision ID: 0012_one_number_copy
Revises: 0011_whatsapp_sender_hash
Create Date: 2026-12-03 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_one_number_copy"
down_revision = "0011_whatsapp_sender_hash"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_secrets") as batch:
        batch.alter_column("message_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("token", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(length=96), nullable=True))
        batch.add_column(
            sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_unique_constraint(op.f("uq_message_secrets_token"), ["token"])
        batch.create_index(op.f("ix_message_secrets_owner"), ["owner"])
        batch.create_index(
            op.f("ix_message_secrets_token_expires_at"), ["token_expires_at"]
        )
    op.execute(
        "INSERT INTO message_secrets"
        " (message_id, kind, masked, ciphertext, token, owner, token_expires_at)"
        " SELECT NULL, CASE WHEN substr(token, 1, 3) = 'kpj' THEN 'kpj' ELSE 'nik' END,"
        " '', ciphertext, token, owner, expires_at FROM identity_tokens"
    )
    op.drop_index(op.f("ix_identity_tokens_owner"), table_name="identity_tokens")
    op.drop_index(op.f("ix_identity_tokens_expires_at"), table_name="identity_tokens")
    op.drop_table("identity_tokens")


def downgrade() -> None:
    op.create_table(
        "identity_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=24), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner", sa.String(length=96), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_tokens")),
        sa.UniqueConstraint("token", name=op.f("uq_identity_tokens_token")),
    )
    op.create_index(
        op.f("ix_identity_tokens_expires_at"), "identity_tokens", ["expires_at"]
    )
    op.create_index(op.f("ix_identity_tokens_owner"), "identity_tokens", ["owner"])
    op.execute(
        "INSERT INTO identity_tokens (token, ciphertext, created_at, expires_at, owner)"
        " SELECT token, ciphertext, token_expires_at, token_expires_at, owner"
        " FROM message_secrets WHERE token IS NOT NULL"
    )
    op.execute("DELETE FROM message_secrets WHERE message_id IS NULL")
    with op.batch_alter_table("message_secrets") as batch:
        batch.drop_index(op.f("ix_message_secrets_token_expires_at"))
        batch.drop_index(op.f("ix_message_secrets_owner"))
        batch.drop_constraint(op.f("uq_message_secrets_token"), type_="unique")
        batch.drop_column("token_expires_at")
        batch.drop_column("owner")
        batch.drop_column("token")
        batch.alter_column("message_id", existing_type=sa.Integer(), nullable=False)
