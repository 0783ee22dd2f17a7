"""WhatsApp senders are keyed by a keyed hash of their number, not the number

A WhatsApp conversation was keyed by the sender's number in clear (``external_id``
and ``whatsapp:<number>`` as sender id, also in codes, consents, locks, tokens).
It is now keyed by the number's phone hash (``DataCipher.phone_hash``, the
registry's own, so possession compares hashes); the number is kept encrypted on the
conversation for delivery, with its last four digits for staff.

Existing rows are rewritten with the install's ``DATA_ENCRYPTION_KEY`` (read as the
processes read it). Rasa's tracker store is not rewritten: a WhatsApp conversation
under way when this runs starts again with a fresh tracker. The downgrade decrypts
the numbers back into the ids.

Revision ID: 0011_whatsapp_sender_hash
Revises: 0010_digit_tail
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.core.crypto import DataCipher, normalise_phone

revision = "0011_whatsapp_sender_hash"
down_revision = "0010_digit_tail"
branch_labels = None
depends_on = None

# Columns holding a Rasa sender id (``whatsapp:<id>``) besides the conversation's.
SENDER_COLUMNS = (
    ("consents", "sender_id"),
    ("verification_locks", "sender_id"),
    ("verification_codes", "sender_id"),
    ("shared_contacts", "sender_id"),
    ("identity_tokens", "owner"),
)


def _cipher() -> DataCipher:
    from bot.core.settings import load_settings  # only when there is data to move

    return DataCipher(load_settings().data_key())


def _rename(connection: sa.Connection, old: str, new: str) -> None:
    for name, column in SENDER_COLUMNS:
        table = sa.table(name, sa.column(column))
        connection.execute(
            sa.update(table).where(table.c[column] == old).values({column: new})
        )
    # Per-minute counters: nothing worth carrying over.
    connection.execute(
        sa.text("DELETE FROM rate_windows WHERE sender_id = :old"), {"old": old}
    )


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("address_ciphertext", sa.Text(), nullable=True))
        batch.add_column(sa.Column("address_hint", sa.String(length=16), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, external_id, sender_id FROM conversations "
            "WHERE channel = 'whatsapp'"
        )
    ).all()
    clear = [row for row in rows if row.external_id.isdigit()]
    if not clear:
        return
    cipher = _cipher()
    for row in clear:
        number = normalise_phone(row.external_id)
        external_id = cipher.phone_hash(number)
        sender_id = f"whatsapp:{external_id}"
        connection.execute(
            sa.text(
                "UPDATE conversations SET external_id = :external_id, "
                "sender_id = :sender_id, address_ciphertext = :ciphertext, "
                "address_hint = :hint WHERE id = :id"
            ),
            {
                "id": row.id,
                "external_id": external_id,
                "sender_id": sender_id,
                "ciphertext": cipher.encrypt(number),
                "hint": "…" + number[-4:],
            },
        )
        _rename(connection, row.sender_id, sender_id)


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, sender_id, address_ciphertext FROM conversations "
            "WHERE channel = 'whatsapp' AND address_ciphertext IS NOT NULL"
        )
    ).all()
    if rows:
        cipher = _cipher()
        for row in rows:
            number = cipher.decrypt(row.address_ciphertext)
            connection.execute(
                sa.text(
                    "UPDATE conversations SET external_id = :number, "
                    "sender_id = :sender_id WHERE id = :id"
                ),
                {"id": row.id, "number": number, "sender_id": f"whatsapp:{number}"},
            )
            _rename(connection, row.sender_id, f"whatsapp:{number}")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("address_hint")
        batch.drop_column("address_ciphertext")
