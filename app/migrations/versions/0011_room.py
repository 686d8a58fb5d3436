"""The room: the speaking queue, the facilitator's line to every screen, and what the
room's projector shows

Revision ID: 0011_room
Revises: 0010_attendance
Create Date: 2026-12-06 08:10:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_room"
down_revision = "0010_attendance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "room_state",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("queue_open", sa.Boolean(), nullable=False),
        sa.Column("broadcast", sa.String(length=200), nullable=False),
        sa.Column("broadcast_until", sa.DateTime(), nullable=True),
        sa.Column(
            "projected",
            sa.Enum(
                "coda", "sezione", "votazione", name="projected", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("projected_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_room_state_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workshop_id", name=op.f("pk_room_state")),
    )
    op.create_table(
        "floor_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "speaking",
                "done",
                "skipped",
                "withdrawn",
                name="status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_floor_request_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["membership.id"],
            name=op.f("fk_floor_request_membership_id_membership"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor_request")),
    )
    op.create_index(
        op.f("ix_floor_request_workshop_id"), "floor_request", ["workshop_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_floor_request_workshop_id"), table_name="floor_request")
    op.drop_table("floor_request")
    op.drop_table("room_state")
