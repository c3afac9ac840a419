"""Who can refer: a referral comes from someone who has bought (a client or repeat
client), since that is the renewable asset the pipeline grows from."""

from __future__ import annotations

from pipeline_tui.domain.stages import Stage

REFERRING_STAGES: frozenset[Stage] = frozenset({Stage.CLIENT, Stage.REPEAT})


def check_can_refer(name: str, stage: Stage) -> str | None:
    """Why a card at `stage` cannot give a referral (one sentence), or None if it can."""
    if stage in REFERRING_STAGES:
        return None
    return f"{name} is a {stage.label.lower()}; referrals come from clients and repeat clients."
