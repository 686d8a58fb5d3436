"""Agenda: a workshop's timed sessions and the sections each works on

Revision ID: 0013_agenda
Revises: 0012_commitments
Create Date: 2026-12-06 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_agenda"
down_revision = "0012_commitments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agenda_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("room", sa.String(length=120), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("open_at_start", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("lock_at_end", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["membership.id"],
            name=op.f("fk_agenda_session_facilitator_id_membership"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshop.id"],
            name=op.f("fk_agenda_session_workshop_id_workshop"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_session")),
    )
    op.create_index(op.f("ix_agenda_session_starts_at"), "agenda_session", ["starts_at"])
    op.create_index(op.f("ix_agenda_session_ends_at"), "agenda_session", ["ends_at"])
    op.create_table(
        "agenda_session_section",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"], ["section.id"],
            name=op.f("fk_agenda_session_section_section_id_section"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["agenda_session.id"],
            name=op.f("fk_agenda_session_section_session_id_agenda_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "section_id", name=op.f("pk_agenda_session_section")),
    )


def downgrade():
    op.drop_table("agenda_session_section")
    op.drop_index(op.f("ix_agenda_session_ends_at"), table_name="agenda_session")
    op.drop_index(op.f("ix_agenda_session_starts_at"), table_name="agenda_session")
    op.drop_table("agenda_session")
