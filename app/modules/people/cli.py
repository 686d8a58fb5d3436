"""`tavolo init`, `tavolo revoke-organiser`, `tavolo invite`, `tavolo revoke` and
`tavolo list-members`."""

from __future__ import annotations

import os
import sys

import click

from app.core.invitations import field_problems, parse_role, validate_invitee
from app.core.permissions import Role
from app.extensions import db
from app.modules.people import organisers
from app.modules.people import services as people
from app.modules.people.models import Membership, Organiser, Person
from app.modules.workshops.cli import find_workshop
from app.modules.workshops.models import Workshop

# What the first run asks, and the variables that answer it without a terminal.
VARIABLES = {
    "name": "TAVOLO_ORGANISER_NAME",
    "email": "TAVOLO_ORGANISER_EMAIL",
    "organisation": "TAVOLO_ORGANISER_ORG",
}
QUESTIONS = {
    "name": "  Nome e cognome",
    "email": "  E-mail",
    "organisation": "  Organizzazione (facoltativa)",
}
RENEW = ".venv/bin/tavolo init --nuovo-link"


@click.command("init")
@click.option(
    "--nuovo-link",
    "renew",
    is_flag=True,
    help="Crea un nuovo link per l'organizzatore: quello precedente smette di funzionare.",
)
def init(renew: bool) -> None:
    """Crea l'organizzatore di questa installazione e stampa il suo link personale.

    La prima volta chiede nome, e-mail e organizzazione, oppure li legge da
    TAVOLO_ORGANISER_NAME, TAVOLO_ORGANISER_EMAIL e TAVOLO_ORGANISER_ORG; le volte
    successive stampa lo stesso link, finché non ne viene creato uno nuovo. Senza
    terminale e senza quelle variabili dice come crearlo ed esce senza errore, così il
    server parte comunque."""
    saved = organisers.saved_link()
    organiser = organisers.organiser_by_email(saved.email) if saved else None
    if saved is None or organiser is None:
        _without_a_saved_link(renew)
    elif renew:
        _renew(organiser)
    else:
        _print_saved(organiser, saved.token)


def _without_a_saved_link(renew: bool) -> None:
    existing = organisers.all_organisers()
    if not existing:
        _first_organiser()
    elif renew:
        _renew(_chosen(existing))
    else:
        _say(
            f"  Questa installazione ha già un organizzatore, {_who(existing[0])}, ma il suo "
            "link non è salvato su questo computer. Per crearne uno nuovo (quello "
            f"precedente smetterà di funzionare):\n    {RENEW}"
        )


def _print_saved(organiser: Organiser, token: str) -> None:
    if not organisers.opens(organiser, token):
        _say(
            f"  Il link di organizzatore salvato su questo computer ({_who(organiser)}) non "
            "vale più: ne è stato creato uno nuovo. Usa quello, oppure creane un altro "
            f"(quello attuale smetterà di funzionare) con:\n    {RENEW}"
        )
        return
    _note_ignored_variables(organiser)
    _show(organiser, token)


def _renew(organiser: Organiser) -> None:
    _publish(
        organiser,
        organisers.renew(organiser),
        "  Il link precedente non funziona più, e chi era entrato con quello è uscito.",
    )


def _first_organiser() -> None:
    details = _details()
    if details is None:
        _say(
            "  Tavolo non ha ancora un organizzatore: per crearlo esegui «.venv/bin/tavolo init» "
            "in un terminale, oppure imposta TAVOLO_ORGANISER_NAME e TAVOLO_ORGANISER_EMAIL "
            "(e, se vuoi, TAVOLO_ORGANISER_ORG)."
        )
        return
    _publish(*organisers.make_organiser(**details))


def _details() -> dict[str, str] | None:
    """Name, e-mail and organisation from the variables, asking at the terminal for
    what they leave out; None when there is neither."""
    given = {field: os.environ.get(variable, "").strip() for field, variable in VARIABLES.items()}
    interactive = sys.stdin.isatty()
    if not any(given.values()) and not interactive:
        return None
    problems = [
        f"{VARIABLES[field]}: {problem}"
        for field, value in given.items()
        if value
        for problem in field_problems(field, value)
    ]
    missing = [VARIABLES[field] for field in ("name", "email") if not given[field]]
    if missing and not interactive:
        problems.append(f"Manca {' e '.join(missing)}.")
    if problems:
        raise click.ClickException(" ".join(problems))
    if missing:
        _say(
            "  Benvenuto in Tavolo. Creiamo il tuo accesso di organizzatore: con il tuo link "
            "personale creerai i tavoli e inviterai le persone."
        )
        for field in VARIABLES:
            if not given[field]:
                given[field] = _ask(field)
    return given


def _ask(field: str) -> str:
    """Asks again, saying why, until the answer follows the rules of an invitation."""
    while True:
        answer: str = click.prompt(
            QUESTIONS[field],
            default="" if field == "organisation" else None,
            err=True,
            show_default=False,
        )
        problems = field_problems(field, answer)
        if not problems:
            return answer.strip()
        _say("  " + " ".join(str(problem) for problem in problems))


def _chosen(existing: list[Organiser]) -> Organiser:
    """Whose link `--nuovo-link` renews when none is saved here."""
    email = os.environ.get(VARIABLES["email"], "").strip()
    if email:
        organiser = organisers.organiser_by_email(email)
        if organiser is None:
            raise click.ClickException(f"{email} non è un organizzatore di questa installazione.")
        return organiser
    if len(existing) > 1:
        raise click.ClickException(
            "Questa installazione ha più organizzatori: indica di chi è il nuovo link con "
            "TAVOLO_ORGANISER_EMAIL."
        )
    return existing[0]


def _publish(organiser: Organiser, token: str, news: str = "") -> None:
    """Kept in the instance folder first: if that fails, nothing has changed."""
    organisers.save_link(organiser, token)
    db.session.commit()
    _show(organiser, token, news)


def _show(organiser: Organiser, token: str, news: str = "") -> None:
    """The link alone on stdout, for scripts; the words around it on stderr."""
    _say(f"  Organizzatore: {_who(organiser)}")
    if news:
        _say(news)
    if db.session.scalar(db.select(db.func.count(Workshop.id))) == 0:
        _say("  (per provare Tavolo con un tavolo dimostrativo già pronto: .venv/bin/tavolo demo)")
    _say("  Il tuo link personale (aprilo nel browser e non passarlo ad altri):")
    click.echo(organisers.link_url(token))


def _note_ignored_variables(organiser: Organiser) -> None:
    email = os.environ.get(VARIABLES["email"], "").strip()
    if email and people.normalise_email(email) != organiser.person.email:
        _say(
            f"  Nota: {VARIABLES['email']} è ignorata, perché questa installazione ha già il suo "
            f"organizzatore ({_who(organiser)})."
        )


def _who(organiser: Organiser) -> str:
    return f"{organiser.person.name} <{organiser.person.email}>"


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.command("revoke-organiser")
@click.argument("email")
def revoke_organiser(email: str) -> None:
    """Toglie a una persona il ruolo di organizzatore: il suo link smette di funzionare e
    chi era entrato con quello esce. Resta membro dei tavoli a cui partecipa."""
    organiser = organisers.organiser_by_email(email)
    if organiser is None:
        raise click.ClickException(f"{email} non è un organizzatore di questa installazione.")
    who = _who(organiser)
    organisers.revoke(organiser)
    db.session.commit()
    _say(
        f"  {who} non è più organizzatore: il suo link non funziona più e chi era entrato "
        "con quello è uscito. Resta membro dei tavoli a cui partecipa; per rientrarci gli "
        "serve un nuovo link personale, da un facilitatore del tavolo."
    )
    if not organisers.all_organisers():
        _say(
            "  Questa installazione non ha più organizzatori: per crearne uno esegui "
            "«.venv/bin/tavolo init»."
        )


@click.command("invite")
@click.argument("workshop_id", type=int)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--org", "organisation", default="")
@click.option("--category", default="")
@click.option(
    "--role",
    default="partecipante",
    help="facilitatore, partecipante o osservatore (anche in inglese).",
)
def invite(
    workshop_id: int, name: str, email: str, organisation: str, category: str, role: str
) -> None:
    """Invita una persona e stampa il suo link personale."""
    workshop = find_workshop(workshop_id)
    problems = validate_invitee(name, email, role)
    if problems:
        raise click.ClickException(" ".join(problems))
    invitee = people.Invitee(
        name=name,
        email=email,
        organisation=organisation,
        category=category,
        role=parse_role(role) or Role.PARTICIPANT,
    )
    _, token = people.invite(None, workshop, invitee)
    db.session.commit()
    click.echo(people.invitation_url(token))


@click.command("revoke")
@click.argument("workshop_id", type=int)
@click.argument("email")
def revoke(workshop_id: int, email: str) -> None:
    """Revoca l'accesso di una persona: vale dalla sua prossima richiesta."""
    membership = db.session.execute(
        db.select(Membership)
        .join(Person)
        .where(
            Membership.workshop_id == find_workshop(workshop_id).id,
            Person.email == people.normalise_email(email),
        )
    ).scalar_one_or_none()
    if membership is None:
        raise click.ClickException(f"{email} non è membro del tavolo {workshop_id}.")
    try:
        people.revoke(None, membership)
    except people.MembershipError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()


@click.command("list-members")
@click.argument("workshop_id", type=int)
def list_members(workshop_id: int) -> None:
    """Un membro per riga: e-mail, ruolo, organizzazione, stato (separati da tabulazioni)."""
    for m in people.members_of(find_workshop(workshop_id)):
        status = "revoked" if m.revoked_at else "active"
        click.echo(f"{m.person.email}\t{m.role.value}\t{m.organisation}\t{status}")
