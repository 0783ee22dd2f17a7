"""identity tokens belong to the conversation that produced them

A ``niktok…`` token used to resolve for any conversation. Each token now records
the Rasa sender id it was issued to (``owner``) and resolves only there. Tokens of
before have no owner and resolve for nobody: they live two days, and the
participant is asked to type the number again (``identity_token_expired``).

Revision ID: 0009_token_owner
Revises: 0008_outbox_cascade
Create Date: 2026-12-03 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_token_owner"
down_revision = "0008_outbox_cascade"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identity_tokens") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=96), nullable=True))
        batch.create_index(op.f("ix_identity_tokens_owner"), ["owner"])


def downgrade() -> None:
    with op.batch_alter_table("identity_tokens") as batch:
        batch.drop_index(op.f("ix_identity_tokens_owner"))
        batch.drop_column("owner")
