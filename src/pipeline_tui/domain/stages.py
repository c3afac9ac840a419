"""The four stages a card moves through, in pipeline order."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    LEAD = "lead"
    PROSPECT = "prospect"
    CLIENT = "client"
    REPEAT = "repeat"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def short_label(self) -> str:
        """The label for narrow columns (an 80-column terminal)."""
        return "Rep/Ref" if self is Stage.REPEAT else self.label

    @property
    def wants_next_action(self) -> bool:
        """Whether a card here with no next action is worth a warning: a repeat or
        referral client may rest between pieces of work."""
        return self is not Stage.REPEAT

    @property
    def order(self) -> int:
        return STAGES.index(self)

    def next(self) -> Stage | None:
        """The stage after this one, or None at the end of the pipeline."""
        i = self.order + 1
        return STAGES[i] if i < len(STAGES) else None

    def previous(self) -> Stage | None:
        """The stage before this one (a deal can fall back), or None at the start."""
        i = self.order - 1
        return STAGES[i] if i >= 0 else None

    @classmethod
    def parse(cls, text: str) -> Stage:
        """Read a stage from what a person types: name or label, any case."""
        key = text.strip().lower()
        for stage in cls:
            if key in (stage.value, stage.label.lower()) or (
                stage is cls.REPEAT and key in ("referral", "repeat/referral")
            ):
                return stage
        names = ", ".join(s.value for s in cls)
        raise ValueError(f"unknown stage {text!r}; choose one of {names}")


_LABELS = {
    Stage.LEAD: "Lead",
    Stage.PROSPECT: "Prospect",
    Stage.CLIENT: "Client",
    Stage.REPEAT: "Repeat / Referral",
}

STAGES: tuple[Stage, ...] = tuple(Stage)
