"""Labs: who is assigned to which document of a workshop, and who leads it

Revision ID: 0017_labs
Revises: 0016_floor_once
Create Date: 2026-12-06 11:30:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_labs"
down_revision = "0016_floor_once"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lab_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("leads", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_lab_assignment_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership.id"],
            name=op.f("fk_lab_assignment_membership_id_membership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_assignment")),
        sa.UniqueConstraint("membership_id", name=op.f("uq_lab_assignment_membership_id")),
    )
    with op.batch_alter_table("lab_assignment") as batch:
        batch.create_index(
            batch.f("ix_lab_assignment_document_id"), ["document_id"], unique=False
        )


def downgrade():
    op.drop_table("lab_assignment")
