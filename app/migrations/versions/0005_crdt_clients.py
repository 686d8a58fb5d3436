"""crdt_client: which person first wrote in a section under each Yjs client id

Revision ID: 0005_crdt_clients
Revises: 0004_logins
Create Date: 2026-12-06 01:10:00

"""

from alembic import op
import sqlalchemy as sa

from app.core.yjs_clients import MalformedUpdate, authors


# revision identifiers, used by Alembic.
revision = "0005_crdt_clients"
down_revision = "0004_logins"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "crdt_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_crdt_client_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_crdt_client_section_id_section"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crdt_client")),
        sa.UniqueConstraint("section_id", "client_id", name=op.f("uq_crdt_client_section_id")),
    )
    op.bulk_insert(table, list(_bindings_of_the_log()))


def _bindings_of_the_log():
    """The ids already in the logs belong to whoever first wrote with them (the text
    from before live editing to nobody): otherwise the first person to send an update
    after the upgrade could claim anyone's id."""
    seen = set()
    rows = op.get_bind().execute(
        sa.text(
            "SELECT section_id, person_id, created_at, \"update\" FROM section_update "
            "ORDER BY section_id, seq"
        )
    )
    for section_id, person_id, created_at, update in rows:
        try:
            clients = authors(bytes(update))
        except MalformedUpdate:
            continue
        for client_id in sorted(clients):
            if (section_id, client_id) not in seen:
                seen.add((section_id, client_id))
                yield {
                    "section_id": section_id,
                    "client_id": client_id,
                    "person_id": person_id,
                    "first_seen": created_at,
                }


def downgrade():
    op.drop_table("crdt_client")
