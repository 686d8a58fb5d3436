"""Commitments register: commitments of institutions and the history of their statuses

Revision ID: 0012_commitments
Revises: 0011_room
Create Date: 2026-12-06 07:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_commitments"
down_revision = "0011_room"
branch_labels = None
depends_on = None

STATUSES = ("proposed", "agreed", "in_progress", "done", "dropped")


def _status(name: str, nullable: bool) -> sa.Column:
    return sa.Column(
        name, sa.Enum(*STATUSES, name="status", native_enum=False, length=20), nullable=nullable
    )


def upgrade():
    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=300), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("indicator", sa.Text(), nullable=False),
        _status("status", nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=True),
        sa.Column("anchor_quote", sa.Text(), nullable=True),
        sa.Column("anchor_prefix", sa.String(length=200), nullable=True),
        sa.Column("anchor_suffix", sa.String(length=200), nullable=True),
        sa.Column("anchor_start", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_issued_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"], name=op.f("fk_commitment_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"], name=op.f("fk_commitment_section_id_section"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_commitment_created_by_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_commitment_token_hash")),
    )
    op.create_index(op.f("ix_commitment_workshop_id"), "commitment", ["workshop_id"])
    op.create_index(op.f("ix_commitment_section_id"), "commitment", ["section_id"])
    op.create_table(
        "commitment_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("via_link", sa.Boolean(), nullable=False),
        _status("from_status", nullable=True),
        _status("to_status", nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"], ["commitment.id"],
            name=op.f("fk_commitment_change_commitment_id_commitment"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["person.id"], name=op.f("fk_commitment_change_actor_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_change")),
    )
    op.create_index(
        op.f("ix_commitment_change_commitment_id"), "commitment_change", ["commitment_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_commitment_change_commitment_id"), table_name="commitment_change")
    op.drop_table("commitment_change")
    op.drop_index(op.f("ix_commitment_section_id"), table_name="commitment")
    op.drop_index(op.f("ix_commitment_workshop_id"), table_name="commitment")
    op.drop_table("commitment")
