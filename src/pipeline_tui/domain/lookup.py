"""How a rep names a card from the shell: its id, its email, or part of its name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line

_ID = re.compile(r"^#?(\d{1,18})$")


@dataclass(frozen=True)
class CardMatch:
    """A card a lookup found, with enough to tell it from others of a similar name."""

    id: int
    name: str
    organisation: str
    stage: Stage
    email: str = ""
    archived: bool = False

    def describe(self) -> str:
        """ "12  Ann Okafor (Brightwater Dental), prospect" for a list of candidates."""
        org = f" ({clean_line(self.organisation)})" if self.organisation else ""
        state = f"{self.stage.value}, archived" if self.archived else self.stage.value
        return f"{self.id:>5}  {clean_line(self.name)}{org}, {state}"


def why_alike(email: str, match: CardMatch) -> str:
    """Why a new card with `email` looks like `match`, one of the cards
    store.lookup.likely_duplicates found for it."""
    if email and match.email.lower() == email.lower():
        return "the same email"
    return "the same name and organisation"


def card_id_in(text: str) -> int | None:
    """The id in "12" or "#12"; None when the text is not an id."""
    match = _ID.match(text.strip())
    return int(match.group(1)) if match else None


def looks_like_email(text: str) -> bool:
    return "@" in text and " " not in text.strip()


def folded(text: str) -> str:
    """`text` without accents or case, for matching names as a rep types them: "renee"
    is "Renée", "muller" is "Müller"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def names_fit(words: list[str], name: str) -> bool:
    """Whether each of `words` (folded) is in `name`, accents and case aside."""
    plain = folded(name)
    return all(word in plain for word in words)
