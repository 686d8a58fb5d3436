"""Organisers: people who may create workshops, with a personal link of their own

Revision ID: 0008_organisers
Revises: 0007_hard_word_limits
Create Date: 2026-12-06 05:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0008_organisers"
down_revision = "0007_hard_word_limits"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organiser",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_organiser_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organiser")),
        sa.UniqueConstraint("person_id", name=op.f("uq_organiser_person_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_organiser_token_hash")),
    )
    for table in ("login", "workshop"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("organiser_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                op.f(f"fk_{table}_organiser_id_organiser"), "organiser", ["organiser_id"],
                ["id"], ondelete="SET NULL",
            )


def downgrade():
    for table in ("workshop", "login"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_organiser_id_organiser"), type_="foreignkey")
            batch.drop_column("organiser_id")
    op.drop_table("organiser")
