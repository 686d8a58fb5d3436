from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.permissions import Role
from app.extensions import db
from app.modules.columns import value_enum
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.workshops.models import Workshop


class Person(db.Model):
    """Someone invited to at least one workshop, or an organiser of this instance.
    There are no passwords: a person enters through the personal link of one of their
    memberships, and that link opens that membership only (see Login); an organiser's
    link opens what Organiser says."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="person")


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("workshop_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(value_enum(Role))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    category: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime | None]

    workshop: Mapped[Workshop] = relationship(back_populates="memberships")
    person: Mapped[Person] = relationship(back_populates="memberships")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Organiser(db.Model):
    """A person who may create workshops on this instance: the first one is made by
    `tavolo init` on the computer that runs Tavolo. Their personal link enters a login
    that may create workshops and that reopens the workshops created through such a
    login (Workshop.organiser); it opens no membership the organiser was invited to,
    since an e-mail address is no credential. The link does not expire: it is what
    `make run` prints at every start, until a new one replaces it."""

    __tablename__ = "organiser"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    # What a workshop they create shows beside their name.
    organisation: Mapped[str] = mapped_column(String(300), default="")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()


login_membership = Table(
    "login_membership",
    db.metadata,
    Column("login_id", ForeignKey("login.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "membership_id", ForeignKey("membership.id", ondelete="CASCADE"), primary_key=True,
        index=True,
    ),
)


class Login(UserMixin, db.Model):
    """One browser's entry, kept on the server: who is logged in is this row, not the
    person. It reaches exactly the memberships whose links were opened in it, so a link
    to workshop B never opens workshop A, even when both memberships belong to one
    person (an e-mail address is no credential: anyone can invite it). Ending the row
    ends the session at once, wherever its cookie or its sockets are."""

    __tablename__ = "login"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The cookie carries the key; the database only its hash, like invitation tokens.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    # Set when the organiser's link was opened in this login: it may create workshops.
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL")
    )

    person: Mapped[Person] = relationship()
    memberships: Mapped[list[Membership]] = relationship(secondary=login_membership)
    organiser: Mapped[Organiser | None] = relationship()

    # The key of the cookie that loaded this row; never stored (see people.services).
    key = ""

    def get_id(self) -> str:
        return self.key

    @property
    def name(self) -> str:
        return self.person.name
