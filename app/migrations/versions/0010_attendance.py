"""Attendance: who is in the room on each day, the generation of the room's code, and
votes counted on the people present

Revision ID: 0010_attendance
Revises: 0009_workshop_zone_archive
Create Date: 2026-12-06 08:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_attendance"
down_revision = "0009_workshop_zone_archive"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("arrived_at", sa.DateTime(), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership.id"],
            name=op.f("fk_presence_membership_id_membership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_id"],
            ["membership.id"],
            name=op.f("fk_presence_marked_by_id_membership"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence")),
        sa.UniqueConstraint("membership_id", "day", name=op.f("uq_presence_membership_id")),
    )
    op.create_table(
        "room_code",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("renewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_room_code_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_room_code")),
    )
    with op.batch_alter_table("vote_round") as batch:
        batch.add_column(
            sa.Column("on_present", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("vote_round") as batch:
        batch.drop_column("on_present")
    op.drop_table("room_code")
    op.drop_table("presence")
