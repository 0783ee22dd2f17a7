"""stopping participation: demo registry, consents, verification locks, tokens

Revision ID: 0002_resign
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_resign"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nik_hash", sa.String(length=64), nullable=False),
        sa.Column("nik_ciphertext", sa.Text(), nullable=False),
        sa.Column("kpj_hash", sa.String(length=64), nullable=True),
        sa.Column("kpj_ciphertext", sa.Text(), nullable=True),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("segment", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("programs", sa.String(length=64), nullable=False),
        sa.Column("jht_balance", sa.BigInteger(), nullable=False),
        sa.Column("arrears_months", sa.Integer(), nullable=False),
        sa.Column("last_paid_month", sa.String(length=7), nullable=True),
        sa.Column("payment_channel", sa.String(length=32), nullable=False),
        sa.Column("autodebit", sa.Boolean(), nullable=False),
        sa.Column("pending_claim", sa.String(length=32), nullable=True),
        sa.Column("registered_office", sa.String(length=64), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_participants")),
        sa.UniqueConstraint("nik_hash", name=op.f("uq_registry_participants_nik_hash")),
    )
    op.create_index(
        op.f("ix_registry_participants_kpj_hash"),
        "registry_participants",
        ["kpj_hash"],
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=96), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("text_version", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_sender_id"), "consents", ["sender_id"])
    op.create_table(
        "verification_locks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=96), nullable=False),
        sa.Column("participant_hash", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_locks")),
        sa.UniqueConstraint("sender_id", name=op.f("uq_verification_locks_sender_id")),
    )
    op.create_table(
        "identity_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=24), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_tokens")),
        sa.UniqueConstraint("token", name=op.f("uq_identity_tokens_token")),
    )
    op.create_index(
        op.f("ix_identity_tokens_expires_at"), "identity_tokens", ["expires_at"]
    )
    # Resignation requests are tickets of kind "resignation" (contracts.md).
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("rules_fired", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("ruleset_version", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("request_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("participant_hash", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("participant_ciphertext", sa.Text(), nullable=True)
        )
        batch_op.create_index(op.f("ix_tickets_participant_hash"), ["participant_hash"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index(op.f("ix_tickets_participant_hash"))
        batch_op.drop_column("participant_ciphertext")
        batch_op.drop_column("participant_hash")
        batch_op.drop_column("request_reason")
        batch_op.drop_column("ruleset_version")
        batch_op.drop_column("rules_fired")
    op.drop_index(op.f("ix_identity_tokens_expires_at"), table_name="identity_tokens")
    op.drop_table("identity_tokens")
    op.drop_table("verification_locks")
    op.drop_index(op.f("ix_consents_sender_id"), table_name="consents")
    op.drop_table("consents")
    op.drop_index(
        op.f("ix_registry_participants_kpj_hash"), table_name="registry_participants"
    )
    op.drop_table("registry_participants")
