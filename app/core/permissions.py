"""Who may do what in a workshop. One table, read by every view and socket handler,
so that the rules cannot drift apart between the page and the live channel."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    OBSERVER = "observer"


class Capability(StrEnum):
    READ = "read"
    EDIT_TEXT = "edit_text"
    COMMENT = "comment"
    MANAGE = "manage"  # workshop settings, members, sections, document states
    # Running a document's discussion: opening and locking its sections, deciding its
    # amendments, running its votes, moderating its comments. A workshop's facilitators
    # moderate every document; a lab's lead moderates that lab's document only.
    MODERATE = "moderate"
    PROPOSE = "propose"  # amendments, and supporting or opposing those of others
    VOTE = "vote"
    SPEAK = "speak"  # asking for the floor in the room's speaking queue


CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.OBSERVER: frozenset({Capability.READ}),
    Role.PARTICIPANT: frozenset(
        {
            Capability.READ,
            Capability.EDIT_TEXT,
            Capability.COMMENT,
            Capability.PROPOSE,
            Capability.VOTE,
            Capability.SPEAK,
        }
    ),
    Role.FACILITATOR: frozenset(Capability),
}

# The order in which roles are listed to people: the most powerful first.
ROLE_ORDER: tuple[Role, ...] = (Role.FACILITATOR, Role.PARTICIPANT, Role.OBSERVER)


def can(role: Role | None, capability: Capability) -> bool:
    return role is not None and capability in CAPABILITIES[role]


# Who may lead a lab: someone who writes in it. An observer reads, and leads nothing.
LEAD_ROLES = frozenset({Role.PARTICIPANT, Role.FACILITATOR})


def can_in_document(role: Role | None, leads: bool, capability: Capability) -> bool:
    """What a member may do in one document: their role's capabilities, and moderating
    it if they lead it. Leading adds nothing else: the workshop, its members and the
    document's structure and status stay the facilitators'."""
    if can(role, capability):
        return True
    return leads and role in LEAD_ROLES and capability is Capability.MODERATE


class SectionState(StrEnum):
    OPEN = "open"
    LOCKED = "locked"
    APPROVED = "approved"


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    FROZEN = "frozen"
    PUBLISHED = "published"


def can_edit_section(
    role: Role | None,
    section_state: SectionState,
    document_status: DocumentStatus,
    *,
    archived: bool,
) -> bool:
    """Text is typed only into open sections of a draft of a workshop still running
    (not `archived`); facilitators are bound by the same rule so that a locked section
    really is the agreed text."""
    return (
        not archived
        and can(role, Capability.EDIT_TEXT)
        and section_state is SectionState.OPEN
        and document_status is DocumentStatus.DRAFT
    )


def can_comment(role: Role | None, document_status: DocumentStatus) -> bool:
    """Comments are the discussion about the text, not the text: they stay open on
    locked and approved sections (to argue for reopening one) and while a frozen
    document gets its last check, and close once it is published. Observers read them."""
    return can(role, Capability.COMMENT) and document_status is not DocumentStatus.PUBLISHED
