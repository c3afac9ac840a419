"""vCards (.vcf): what phones, Google, Apple and card scanners export; and writing them.

Read: versions 2.1 (RFC-less, with QUOTED-PRINTABLE values and soft line breaks),
3.0 (RFC 2426) and 4.0 (RFC 6350): folded lines, backslash escapes, `item1.` groups
with their `X-ABLabel`, and company-only cards. Each card becomes a row of a table
whose columns the importer already knows (Full name, Email...); several emails or
phones go into one cell, separated by " ::: ", as Google's CSV does.

Written: vCard 4.0 with CRLF line endings, lines folded at 75 octets.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pipeline_tui.domain.importing.errors import ImportFileError
from pipeline_tui.domain.importing.table import Table

MULTI = " ::: "

COLUMNS = (
    "Full name",
    "First name",
    "Middle name",
    "Last name",
    "Organisation",
    "Job title",
    "Email",
    "Phone",
    "Notes",
    "Tags",
    "Stage",
    "Owner",
    "Source",
)
# Properties that describe the file or the card record, not the person.
_SKIPPED = frozenset(
    {
        "VERSION",
        "PRODID",
        "REV",
        "UID",
        "PHOTO",
        "LOGO",
        "SOUND",
        "KEY",
        "X-ABLABEL",
        "X-ABSHOWAS",
        "KIND",
        "X-ABUID",
        "CLIENTPIDMAP",
        "SORT-STRING",
        "LABEL",
        "X-PHONETIC-FIRST-NAME",
        "X-PHONETIC-LAST-NAME",
    }
)
_EXTRA_NAMES = {
    "URL": "Website",
    "ADR": "Address",
    "BDAY": "Birthday",
    "ANNIVERSARY": "Anniversary",
    "NICKNAME": "Nickname",
    "ROLE": "Role",
    "IMPP": "Messaging",
    "X-SOCIALPROFILE": "Social profile",
    "GENDER": "Gender",
    "LANG": "Language",
    "TZ": "Time zone",
    "GEO": "Location",
    "RELATED": "Related",
    "X-ABRELATEDNAMES": "Related",
    "X-ABDATE": "Date",
    "MEMBER": "Member",
}


def looks_like_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:11].upper() == "BEGIN:VCARD"


@dataclass
class _Property:
    group: str
    name: str
    params: dict[str, list[str]]
    value: str

    def types(self) -> set[str]:
        return {t.casefold() for t in self.params.get("TYPE", [])}


@dataclass
class _Card:
    line: int
    properties: list[_Property] = field(default_factory=list)


def read_vcards(text: str) -> Table:
    """The cards in `text` as a table; ImportFileError if there are none."""
    cards = list(_cards(_logical_lines(text)))
    if not cards:
        raise ImportFileError("There is no vCard in the file (no BEGIN:VCARD line)")
    records = [(card.line, _record(card)) for card in cards]
    extras: dict[str, None] = {}
    for _, record in records:
        for column in record:
            if column not in COLUMNS:
                extras.setdefault(column, None)
    headers = [*COLUMNS, *extras]
    rows = [(line, [record.get(column, "") for column in headers]) for line, record in records]
    return Table(headers, rows, kind="vCard")


# Lines ------------------------------------------------------------------------------------


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded content lines with the line each starts on.

    Folding (a line starting with a space or tab continues the last) is RFC 2425's;
    a QUOTED-PRINTABLE value ending in "=" continues on the next line (vCard 2.1).
    """
    current: list[str] = []
    start = 0
    quoted_printable = False
    for number, raw in enumerate(_lines(text), 1):
        if current and raw[:1] in (" ", "\t") and not quoted_printable:
            current.append(raw[1:])
            continue
        if current and quoted_printable and current[-1].endswith("="):
            current[-1] = current[-1][:-1]
            current.append(raw)
            continue
        if current:
            yield start, "".join(current)
        current, start = [raw], number
        head = raw.split(":", 1)[0].upper()
        quoted_printable = "QUOTED-PRINTABLE" in head
    if current:
        yield start, "".join(current)


def _lines(text: str) -> list[str]:
    """The file's lines as an editor counts them: split at CR LF, LF or CR only.
    str.splitlines also splits at U+2028, form feeds and the like, which a note copied
    from a web page or a phone may hold: the rest of such a note was read as a line of
    its own, and lost."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NAME = re.compile(r"^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)")


_PARAM = re.compile(r'^([^=;:]+)(?:=((?:"[^"]*"|[^;:])*))?')
_PARAM_VALUES = re.compile(r'"[^"]*"|[^,]+')


_BARE_ENCODINGS = frozenset({"QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B"})


def _parse_line(line: str) -> _Property | None:
    head, colon, value = line.partition(":")
    if not colon:
        return None
    if '"' in head:  # a quoted parameter value may hold ":" or ";"
        return _parse_quoted_line(line)
    name_part, *param_parts = head.split(";")
    group, _, name = name_part.rpartition(".")
    if not _NAME.fullmatch(name_part):
        return None
    params: dict[str, list[str]] = {}
    for part in param_parts:
        pname, equals, pvalue = part.partition("=")
        pname = pname.strip().upper()
        if not equals:  # vCard 2.1: a bare TYPE value ("WORK", "QUOTED-PRINTABLE")
            key = "ENCODING" if pname in _BARE_ENCODINGS else "TYPE"
            params.setdefault(key, []).append(pname)
        else:
            params.setdefault(pname, []).extend(v for v in pvalue.split(",") if v)
    return _decoded(group, name.upper(), params, value)


def _parse_quoted_line(line: str) -> _Property | None:
    match = _NAME.match(line)
    if not match:
        return None
    group, name = match.group(1) or "", match.group(2).upper()
    rest = line[match.end() :]
    params: dict[str, list[str]] = {}
    while rest.startswith(";"):
        rest = rest[1:]
        param = _PARAM.match(rest)
        if not param:
            break
        pname, pvalue = param.group(1).strip().upper(), param.group(2)
        rest = rest[param.end() :]
        if pvalue is None:
            key = "ENCODING" if pname in _BARE_ENCODINGS else "TYPE"
            params.setdefault(key, []).append(pname)
            continue
        values = [v.strip('"') for v in _PARAM_VALUES.findall(pvalue)]
        params.setdefault(pname, []).extend(values)
    if not rest.startswith(":"):
        return None
    return _decoded(group, name, params, rest[1:])


def _decoded(group: str, name: str, params: dict[str, list[str]], value: str) -> _Property:
    """The property with its value decoded (QUOTED-PRINTABLE) or dropped (BASE64)."""
    if "ENCODING" not in params:
        return _Property(group.casefold(), name, params, value)
    encoding = {e.upper() for e in params["ENCODING"]}
    if "QUOTED-PRINTABLE" in encoding:
        raw = quopri.decodestring(value.encode("latin-1", errors="replace"))
        charset = (params.get("CHARSET") or ["utf-8"])[0]
        try:
            value = raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            value = raw.decode("cp1252", errors="replace")
    elif encoding & {"BASE64", "B"}:
        value = ""  # a photo or a key: nothing a card shows
    return _Property(group.casefold(), name, params, value)


def _cards(lines: Iterable[tuple[int, str]]) -> Iterator[_Card]:
    """The file's cards. A card inside another (vCard 2.1's AGENT: its card on the
    lines after "AGENT:", or begun on that line) is skipped. When the file has more
    BEGIN:VCARD than END:VCARD a card's end is missing: a BEGIN:VCARD in an open card,
    not an agent's, ends that card with what it said and begins the next (read as
    nested, every card after the unclosed one was lost). With as many of each, a
    card inside another is read as nested whatever comes before it (a pasted card in a
    note written with raw line breaks)."""
    lines = list(lines)
    uppers = [line.strip().upper() for _, line in lines]
    begins = sum(1 for upper in uppers if upper == "BEGIN:VCARD" or _agent_begins(upper))
    unclosed = begins > uppers.count("END:VCARD")
    card: _Card | None = None
    depth = 0
    agent_next = False
    for (number, line), upper in zip(lines, uppers, strict=True):
        if upper == "BEGIN:VCARD":
            if unclosed and depth >= 1 and not agent_next and card is not None:
                yield card  # its END:VCARD is missing
                depth = 0
            agent_next = False
            depth += 1
            if depth == 1:
                card = _Card(number)
            continue
        agent_next = depth == 1 and _is_empty_agent(upper)
        if depth >= 1 and _agent_begins(upper):
            depth += 1  # the agent's card, begun on the AGENT line
            continue
        if upper == "END:VCARD":
            depth -= 1
            if depth == 0 and card is not None:
                yield card
                card = None
            depth = max(depth, 0)
            continue
        if card is None or depth != 1 or not line.strip():
            continue
        prop = _parse_line(line)
        if prop is not None:
            card.properties.append(prop)
    if card is not None:  # the last card was never closed: keep what it said
        yield card


def _agent_begins(upper: str) -> bool:
    """An AGENT property whose value begins the agent's card on the same line (2.1)."""
    name, _, value = upper.partition(":")
    return name.split(";")[0].split(".")[-1] == "AGENT" and value.strip() == "BEGIN:VCARD"


def _is_empty_agent(upper: str) -> bool:
    """An AGENT property with no value: its card follows on the next lines (2.1)."""
    name, _, value = upper.partition(":")
    return name.split(";")[0].split(".")[-1] == "AGENT" and not value.strip()


# Values -----------------------------------------------------------------------------------


def _split(value: str, separator: str) -> list[str]:
    """A structured value split on unescaped separators, each part unescaped."""
    if "\\" not in value:  # no escapes: the usual case, and a fast one
        return value.split(separator)
    parts, current, escaped = [], [], False
    for ch in value:
        if escaped:
            current.append({"n": "\n", "N": "\n"}.get(ch, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _text(value: str) -> str:
    return _split(value, "\x00")[0] if "\\" in value else value


def _preferred_first(props: list[_Property], order: Sequence[str] = ()) -> list[_Property]:
    def rank(prop: _Property) -> tuple[int, int]:
        types = prop.types()
        preferred = "pref" in types or bool(prop.params.get("PREF"))
        position = next((i for i, t in enumerate(order) if t in types), len(order))
        return (0 if preferred else 1, position)

    return sorted(props, key=rank)


def _record(card: _Card) -> dict[str, str]:
    by_name: dict[str, list[_Property]] = {}
    labels: dict[str, str] = {}
    for prop in card.properties:
        by_name.setdefault(prop.name, []).append(prop)
        if prop.name == "X-ABLABEL" and prop.group:
            labels[prop.group] = _text(prop.value).strip("_$!<>")
    record: dict[str, str] = {}

    def first(name: str) -> str:
        props = by_name.get(name)
        return _text(props[0].value).strip() if props else ""

    record["Full name"] = first("FN")
    if "N" in by_name:
        parts = [*_split(by_name["N"][0].value, ";"), "", "", "", "", ""]
        family, given, additional, prefix, suffix = (p.strip() for p in parts[:5])
        record["Last name"], record["First name"], record["Middle name"] = family, given, additional
        if prefix:
            record["Name prefix"] = prefix
        if suffix:
            record["Name suffix"] = suffix
    if "ORG" in by_name:
        org = [p.strip() for p in _split(by_name["ORG"][0].value, ";")]
        record["Organisation"] = org[0]
        if len(org) > 1 and any(org[1:]):
            record["Department"] = ", ".join(p for p in org[1:] if p)
    record["Job title"] = first("TITLE")
    emails = _preferred_first(by_name.get("EMAIL", []), ("work", "internet"))
    record["Email"] = MULTI.join(v for v in (_text(p.value).strip() for p in emails) if v)
    phones = _preferred_first(by_name.get("TEL", []), ("cell", "mobile", "work", "main", "voice"))
    record["Phone"] = MULTI.join(
        v for v in (_text(p.value).strip().removeprefix("tel:") for p in phones) if v
    )
    notes = [_text(p.value).strip() for p in by_name.get("NOTE", [])]
    record["Notes"] = "\n\n".join(n for n in notes if n)
    tags = [t.strip() for p in by_name.get("CATEGORIES", []) for t in _split(p.value, ",")]
    record["Tags"] = ", ".join(t for t in tags if t)
    record["Stage"] = first("X-PIPELINE-STAGE")
    record["Owner"] = first("X-PIPELINE-OWNER")
    record["Source"] = first("X-PIPELINE-SOURCE")
    for prop in card.properties:
        if prop.name in _SKIPPED or prop.name in (
            "FN",
            "N",
            "ORG",
            "TITLE",
            "EMAIL",
            "TEL",
            "NOTE",
            "CATEGORIES",
            "X-PIPELINE-STAGE",
            "X-PIPELINE-OWNER",
            "X-PIPELINE-SOURCE",
        ):
            continue
        if prop.name == "ADR":
            value = ", ".join(p.strip() for p in _split(prop.value, ";") if p.strip())
        else:
            value = _text(prop.value).strip()
        if not value:
            continue
        column = _EXTRA_NAMES.get(prop.name, prop.name.title())
        label = labels.get(prop.group) or ", ".join(sorted(prop.types() - {"pref", "internet"}))
        if label:
            column = f"{column} ({label})"
        record[column] = f"{record[column]}{MULTI}{value}" if record.get(column) else value
    return record


# Writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VCardContact:
    """What a card puts in an address book."""

    name: str
    organisation: str = ""
    email: str = ""
    phone: str = ""
    tags: tuple[str, ...] = ()
    stage: str = ""
    owner: str = ""
    source: str = ""
    uid: str = ""


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """A content line folded so no physical line passes 75 octets (RFC 6350 3.2)."""
    out: list[str] = []
    chunk: list[str] = []
    size, limit = 0, 75
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            out.append("".join(chunk))
            chunk, size, limit = [], 0, 74  # continuation lines start with a space
        chunk.append(ch)
        size += width
    out.append("".join(chunk))
    return "\r\n ".join(out)


def split_name(name: str) -> tuple[str, str]:
    """(family, given) for N: the last word is taken as the family name."""
    given, _, family = name.rpartition(" ")
    return family, given


def write_vcard(contact: VCardContact) -> str:
    company_only = bool(contact.organisation) and contact.name == contact.organisation
    lines = ["BEGIN:VCARD", "VERSION:4.0"]
    if contact.uid:
        lines.append(f"UID:{_escape(contact.uid)}")
    lines.append(f"KIND:{'org' if company_only else 'individual'}")
    lines.append(f"FN:{_escape(contact.name)}")
    if not company_only:
        family, given = split_name(contact.name)
        lines.append(f"N:{_escape(family)};{_escape(given)};;;")
    if contact.organisation:
        lines.append(f"ORG:{_escape(contact.organisation)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=work:{_escape(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;VALUE=text;TYPE=voice:{_escape(contact.phone)}")
    if contact.tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in contact.tags))
    for name, value in (
        ("X-PIPELINE-STAGE", contact.stage),
        ("X-PIPELINE-OWNER", contact.owner),
        ("X-PIPELINE-SOURCE", contact.source),
    ):
        if value:
            lines.append(f"{name}:{_escape(value)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)
