"""verification by possession: registered phone, one-time codes, shared contacts

Revision ID: 0006_possession
Revises: 0005_one_history
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_possession"
down_revision = "0005_one_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registry_participants") as batch:
        batch.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("phone_ciphertext", sa.Text(), nullable=True))
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=96), nullable=False),
        sa.Column("participant_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_codes")),
    )
    op.create_index(
        op.f("ix_verification_codes_sender_id"), "verification_codes", ["sender_id"]
    )
    op.create_index(
        op.f("ix_verification_codes_participant_hash"),
        "verification_codes",
        ["participant_hash"],
    )
    op.create_table(
        "shared_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=96), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("own", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_contacts")),
    )
    op.create_index(
        op.f("ix_shared_contacts_sender_id"), "shared_contacts", ["sender_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_shared_contacts_sender_id"), table_name="shared_contacts")
    op.drop_table("shared_contacts")
    op.drop_index(
        op.f("ix_verification_codes_participant_hash"), table_name="verification_codes"
    )
    op.drop_index(
        op.f("ix_verification_codes_sender_id"), table_name="verification_codes"
    )
    op.drop_table("verification_codes")
    with op.batch_alter_table("registry_participants") as batch:
        batch.drop_column("phone_ciphertext")
        batch.drop_column("phone_hash")
