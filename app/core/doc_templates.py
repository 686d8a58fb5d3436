"""Document templates: Markdown files with YAML front matter, kept in one directory.

The front matter lists the sections (title, level, guidance for writers, optional word
limit); the Markdown after it holds the starting text of each section under a `# Title`
heading that repeats the section's title. A template is chosen by its file name
without `.md`; a name asked for by a person is only ever looked up among the files
found, never joined to a path, so it cannot reach outside the directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.core.outline import MAX_LEVEL

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_TOP_KEYS = {"title", "subtitle", "description", "language", "sections"}
_SECTION_KEYS = {"title", "level", "guidance", "word_limit"}


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class TemplateSection:
    title: str
    level: int = 1
    guidance: str = ""
    word_limit: int | None = None
    body: str = ""


@dataclass(frozen=True)
class DocTemplate:
    name: str
    title: str
    subtitle: str
    description: str
    language: str
    sections: tuple[TemplateSection, ...]


@dataclass(frozen=True)
class Catalogue:
    templates: dict[str, DocTemplate]
    problems: dict[str, str]  # template name → why it cannot be used

    def get(self, name: str) -> DocTemplate | None:
        return self.templates.get(name)

    def ordered(self) -> list[DocTemplate]:
        return sorted(self.templates.values(), key=lambda t: t.title.casefold())

    @property
    def names(self) -> list[str]:
        return sorted(self.templates)


def load_catalogue(directory: Path) -> Catalogue:
    """Every usable template of the directory; a broken file is reported, not fatal,
    so one bad template does not take the others away from the facilitators."""
    templates: dict[str, DocTemplate] = {}
    problems: dict[str, str] = {}
    if not directory.is_dir():
        return Catalogue(templates, problems)
    for path in sorted(directory.glob("*.md")):
        if not path.is_file():
            continue
        try:
            templates[path.stem] = parse_template(path.stem, _read(path))
        except TemplateError as error:
            problems[path.stem] = str(error)
    return Catalogue(templates, problems)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise TemplateError(f"{path.name}: il file non è in UTF-8 ({error.reason}).") from error


def parse_template(name: str, text: str) -> DocTemplate:
    file = f"{name}.md"
    if not NAME.match(name):
        raise TemplateError(
            f"{file}: nome di file non valido; usa lettere minuscole, cifre e trattini."
        )
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise TemplateError(
            f"{file}: manca l'intestazione YAML tra due righe «---» all'inizio del file."
        )
    meta = _load_yaml(file, match.group(1) or "")
    sections = _sections(file, meta.get("sections"))
    body_start = match.group(0).count("\n") + 1
    bodies = _bodies(file, text[match.end() :], [s.title for s in sections], body_start)
    return DocTemplate(
        name=name,
        title=_text(file, meta, "title", required=True),
        subtitle=_text(file, meta, "subtitle"),
        description=_text(file, meta, "description"),
        language=_text(file, meta, "language") or "it",
        sections=tuple(
            TemplateSection(s.title, s.level, s.guidance, s.word_limit, bodies.get(s.title, ""))
            for s in sections
        ),
    )


def _load_yaml(file: str, source: str) -> dict[str, Any]:
    try:
        meta = yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (riga {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "sintassi non valida"
        raise TemplateError(f"{file}: intestazione YAML non valida{where}: {problem}.") from error
    if not isinstance(meta, dict):
        raise TemplateError(
            f"{file}: l'intestazione YAML deve essere un elenco di chiavi e valori."
        )
    _no_unknown_keys(file, meta, _TOP_KEYS, "")
    return meta


def _no_unknown_keys(file: str, data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise TemplateError(
            f"{file}{where}: chiave sconosciuta «{unknown[0]}»; "
            f"quelle ammesse sono: {', '.join(sorted(allowed))}."
        )


def _text(
    file: str, data: dict[str, Any], key: str, required: bool = False, where: str = ""
) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise TemplateError(f"{file}{where}: «{key}» deve essere un testo.")
    if required and not value.strip():
        raise TemplateError(f"{file}{where}: «{key}» è obbligatorio.")
    return value.strip()


def _sections(file: str, raw: Any) -> list[TemplateSection]:
    if not isinstance(raw, list) or not raw:
        raise TemplateError(f"{file}: «sections» deve elencare almeno una sezione.")
    sections: list[TemplateSection] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        where = f", sezione {position}"
        if not isinstance(item, dict):
            raise TemplateError(f"{file}{where}: ogni sezione deve avere almeno «title».")
        _no_unknown_keys(file, item, _SECTION_KEYS, where)
        title = _text(file, item, "title", required=True, where=where)
        if title in seen:
            raise TemplateError(f"{file}{where}: il titolo «{title}» compare due volte.")
        seen.add(title)
        sections.append(
            TemplateSection(
                title=title,
                level=_level(file, item.get("level", 1), where),
                guidance=_text(file, item, "guidance", where=where),
                word_limit=_word_limit(file, item.get("word_limit"), where),
            )
        )
    return sections


def _level(file: str, value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LEVEL:
        raise TemplateError(f"{file}{where}: «level» deve essere un numero da 1 a {MAX_LEVEL}.")
    return value


def _word_limit(file: str, value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise TemplateError(f"{file}{where}: «word_limit» deve essere un numero intero positivo.")
    return value


def _bodies(file: str, body: str, titles: list[str], first_line: int) -> dict[str, str]:
    """Starting text per section title. Only `# ` headings outside code blocks start a
    section, so the starting text itself may use `##` and code freely."""
    bodies: dict[str, list[str]] = {}
    current: list[str] | None = None
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        heading = None if fence else _HEADING.match(line)
        fence = _next_fence(fence, line)
        if heading:
            title = heading.group(1).strip()
            if title not in titles:
                raise TemplateError(
                    f"{file}, riga {number}: il titolo «{title}» non corrisponde a nessuna "
                    "sezione dell'intestazione."
                )
            if title in bodies:
                raise TemplateError(
                    f"{file}, riga {number}: il testo di «{title}» compare due volte."
                )
            current = bodies[title] = []
        elif current is not None:
            current.append(line)
        elif line.strip():
            raise TemplateError(
                f"{file}, riga {number}: testo fuori da una sezione; "
                "ogni testo iniziale va sotto un titolo «# Nome della sezione»."
            )
    return {title: "\n".join(lines).strip("\n") for title, lines in bodies.items()}


def _next_fence(fence: str | None, line: str) -> str | None:
    match = _FENCE.match(line)
    if match is None:
        return fence
    marker = match.group(1)
    if fence is None:
        return marker
    return None if marker[0] == fence[0] and len(marker) >= len(fence) else fence
