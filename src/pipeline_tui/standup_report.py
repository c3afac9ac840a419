"""The stand-up as text for the shell: plain (fits 80 columns), Markdown, and JSON.

`pipeline-tui standup` prints these; the stand-up screen reuses the small helpers
(labels, bars). The JSON shape is documented in README.md and versioned by
JSON_VERSION: fields may be added in a version, never renamed or removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from pipeline_tui.domain.calls import CallOutcome, OwnerCalls
from pipeline_tui.domain.dates import describe_due
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.standup import (
    Conversion,
    LedgerRow,
    Moved,
    StaleCard,
    Standup,
    StandupCard,
    local_day,
)
from pipeline_tui.domain.text import clean_line, clip_cells, pad_cells, wrap_cells

JSON_VERSION = 1
TEXT_WIDTH = 80
_EIGHTHS = " ▏▎▍▌▋▊▉"
_LABEL_WIDTH = 11


# Small helpers shared with the stand-up screen -------------------------------------------


def long_day(day: date) -> str:
    """Monday 23 November 2026."""
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def short_day(day: date, today: date) -> str:
    """Today, yesterday, Fri 20, or Nov 02 further back."""
    days = (today - day).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if 0 < days < 7:
        return f"{day.strftime('%a')} {day.day}"
    return day.strftime("%b %d")


def who(card: StandupCard) -> str:
    """Name, and the organisation in brackets when there is one; sanitised."""
    name = clean_line(card.name)
    org = clean_line(card.organisation)
    return f"{name} ({org})" if org else name


def action(card: StandupCard) -> str:
    return clean_line(card.next_action) or "(no description)"


def percent(conversion: Conversion) -> str:
    rate = conversion.rate
    return "-" if rate is None else f"{round(rate * 100)}%"


def bar(value: int, maximum: int, width: int) -> str:
    """A horizontal bar of block characters, `width` cells for `maximum`, eighths between."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = max(1, round(value / maximum * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def scope(standup: Standup) -> str:
    return "everyone" if standup.owner is None else clean_line(standup.owner)


def moved_label(moved: Moved) -> str:
    """ "Lead → Prospect", "Prospect → Client (2 moves)"; a card moved on and back again
    ends where it began: "back in Lead (2 moves)", not "Lead → Lead"."""
    extra = f" ({moved.moves} moves)" if moved.moves > 1 else ""
    if moved.from_stage == moved.to_stage:
        return f"back in {moved.to_stage.label}{extra}"
    return f"{moved.from_stage.label} → {moved.to_stage.label}{extra}"


def stale_label(item: StaleCard) -> str:
    return (
        f"{item.card.stage.label}, no activity since {item.last_activity.isoformat()} "
        f"(limit {item.limit_days}d)"
    )


def calls_label(calls: OwnerCalls) -> str:
    """ "11 calls, 4 spoken to, 2 meetings set (2 sessions)"."""
    sessions = f" ({calls.sessions} sessions)" if calls.sessions > 1 else ""
    return calls.tally.describe() + sessions


def money_lines(standup: Standup, currency: Currency) -> list[str]:
    """The forecast, the money at risk and the money won, a line each; none when no
    card has a value and nothing was won."""
    money = standup.money
    if not money.any:
        return []
    valued = f"{money.valued} card{'s' if money.valued != 1 else ''} with a value"
    # The figures of a line at one precision (domain.money): never "€1,250.50 of €12,502".
    weighted, pipeline = currency.format_together(money.forecast, money.pipeline)
    overdue, stale = currency.format_together(money.overdue, money.stale)
    lines = [
        f"Forecast {weighted} of {pipeline} on {valued}",
        f"At risk: {overdue} overdue, {stale} stale",
    ]
    if money.won:
        (won,) = currency.format_together(money.won)
        lines.append(f"Won since {short_day(standup.since, standup.today)}: {won}")
    return lines


def coming_up_label(card: StandupCard, today: date) -> str:
    """The day a step coming up this week is due: "tomorrow", or "Thu 26"."""
    due = card.next_action_due
    if due is None:
        return ""
    return "tomorrow" if (due - today).days == 1 else f"{due.strftime('%a')} {due.day}"


def ledger_label(row: LedgerRow) -> str:
    """ "5 due (3 done · 1 open today · 1 slipped)": what was due, then the parts it is
    made of, every part always shown so that they visibly add up to the whole."""
    return (
        f"{row.due} due ({len(row.done)} done · {len(row.open_today)} open today · "
        f"{len(row.slipped)} slipped)"
    )


def _amount(value: Decimal | None) -> float | None:
    """A value for JSON: a number in the currency's units (cents after the point)."""
    return None if value is None else float(value)


def source_summary(standup: Standup) -> str:
    parts = [
        f"{kind.value if kind else 'unknown'} {count}" for kind, count in standup.new_lead_sources
    ]
    return ", ".join(parts)


# JSON ----------------------------------------------------------------------------------


def as_json(standup: Standup, currency: Currency | None = None) -> str:
    return json.dumps(as_record(standup, currency), indent=2, ensure_ascii=False) + "\n"


def as_record(standup: Standup, currency: Currency | None = None) -> dict[str, Any]:
    """The stand-up as JSON-ready values; the shape is documented in README.md."""
    money = standup.money
    return {
        "version": JSON_VERSION,
        "today": standup.today.isoformat(),
        "since": standup.since.isoformat(),
        "window_days": standup.window,
        "window_start": standup.window_start.isoformat(),
        "owner": None if standup.owner is None else clean_line(standup.owner),
        "overdue": [_card(c) for c in standup.overdue],
        "due_today": [_card(c) for c in standup.due_today],
        "moved": [
            {
                "card": _card(m.card),
                "from": m.from_stage.value,
                "to": m.to_stage.value,
                "moves": m.moves,
                "at": m.at.isoformat(),
                "by": clean_line(m.by),
            }
            for m in standup.moved
        ],
        "new_leads": [_card(c) for c in standup.new_leads],
        "stale": [
            {
                "card": _card(s.card),
                "last_activity": s.last_activity.isoformat(),
                "idle_days": s.idle_days,
                "limit_days": s.limit_days,
            }
            for s in standup.stale
        ],
        "stages": [
            {"stage": f.stage.value, "cards": f.cards, "reached": f.reached} for f in standup.stages
        ],
        "conversion": [
            {
                "from": c.from_stage.value,
                "to": c.to_stage.value,
                "entered": c.entered,
                "moved_on": c.moved_on,
                "rate": None if c.rate is None else round(c.rate, 4),
            }
            for c in standup.conversion
        ],
        "owners": [
            {
                "owner": clean_line(o.owner),
                "cards": o.cards,
                "overdue": o.overdue,
                "due_today": o.due_today,
            }
            for o in standup.owners
        ],
        "calls": [
            {
                "owner": clean_line(c.owner),
                "sessions": c.sessions,
                "calls": c.tally.calls,
                "reached": c.tally.spoke_to,
                "meetings_set": c.tally.meeting_set,
                "outcomes": {outcome.value: c.tally.count(outcome) for outcome in CallOutcome},
            }
            for c in standup.calls
        ],
        "money": {
            "currency": (currency or Currency()).code,
            "pipeline": _amount(money.pipeline),
            "forecast": _amount(money.forecast),
            "overdue": _amount(money.overdue),
            "stale": _amount(money.stale),
            "won": _amount(money.won),
            "cards_with_value": money.valued,
            "probabilities": {
                stage.value: float(money.probabilities.get(stage, 0)) for stage in Stage
            },
        },
        **_week_record(standup),
    }


def _week_record(standup: Standup) -> dict[str, Any]:
    """The week ahead, the ledger since the last stand-up and the cards back from
    nurturing (fields added in version 1)."""
    return {
        "coming_up": [_card(c) for c in standup.coming_up],
        "no_next_action": [_card(c) for c in standup.no_next_action],
        "ledger": [
            {
                "owner": clean_line(row.owner),
                "due": row.due,
                "done": [
                    {
                        "card_id": t.card_id,
                        "name": clean_line(t.name),
                        "kind": t.kind.value,
                        "on": t.happened_on.isoformat(),
                        "summary": clean_line(t.summary),
                    }
                    for t in row.done
                ],
                "slipped": [_card(c) for c in row.slipped],
                "open_today": [_card(c) for c in row.open_today],
            }
            for row in standup.ledger
        ],
        "back_from_nurturing": [_card(c) for c in standup.back_from_nurturing],
    }


def _card(card: StandupCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "name": clean_line(card.name),
        "organisation": clean_line(card.organisation),
        "stage": card.stage.value,
        "owner": clean_line(card.owner),
        "next_action": clean_line(card.next_action),
        "due": card.next_action_due.isoformat() if card.next_action_due else None,
        "source": card.source.value if card.source else None,
        "value": _amount(card.value),
        "expected_close": card.expected_close.isoformat() if card.expected_close else None,
    }


# Plain text ----------------------------------------------------------------------------


def as_text(
    standup: Standup,
    width: int = TEXT_WIDTH,
    currency: Currency | None = None,
    *,
    ledger: bool = False,
) -> str:
    """The stand-up for a terminal or a chat message; no line is wider than `width`.
    `ledger`: begin with what each rep had due since the last stand-up, in its parts."""
    today = standup.today
    team = standup.owner is None
    out: list[str] = [
        _wrap(f"STAND-UP {long_day(today)} · {scope(standup)}", width),
        _wrap(
            f"Moves and new leads since {long_day(standup.since)}; "
            f"conversion over the last {standup.window} days.",
            width,
        ),
    ]

    def section(title: str, rows: list[tuple[str, str]], empty: str) -> None:
        out.extend(["", f"{title} ({len(rows)})" if rows else title])
        if not rows:
            out.append(f"  {empty}")
        for label, body in rows:
            out.append(_row(label, body, width))

    def owner(card: StandupCard) -> str:
        return f" [{clean_line(card.owner)}]" if team else ""

    if ledger:
        out += _ledger_text(standup, width)
    section(
        "OVERDUE",
        [
            (describe_due(c.next_action_due, today) if c.next_action_due else "", _due(c, owner))
            for c in standup.overdue
        ],
        "Nothing overdue.",
    )
    section("DUE TODAY", [("today", _due(c, owner)) for c in standup.due_today], "Nothing due.")
    # The week ahead -------------------------------------------------------------------
    section(
        "COMING UP THIS WEEK",
        [(coming_up_label(c, today), _due(c, owner)) for c in standup.coming_up],
        "Nothing due in the next 7 days.",
    )
    section(
        "NO NEXT ACTION",
        [(c.stage.short_label, f"{who(c)}{owner(c)}") for c in standup.no_next_action],
        "Every card has a next action.",
    )
    section(
        f"MOVED SINCE {short_day(standup.since, today).upper()}",
        [
            (
                short_day(local_day(m.at, None), today),
                f"{who(m.card)}: {moved_label(m)}{owner(m.card)}",
            )
            for m in standup.moved
        ],
        "No moves.",
    )
    if standup.calls:
        section(
            f"CALLS SINCE {short_day(standup.since, today).upper()}",
            [
                (clip_cells(clean_line(c.owner), _LABEL_WIDTH - 1), calls_label(c))
                for c in standup.calls
            ],
            "",
        )
    section(
        "NEW LEADS",
        [
            (
                c.source.value if c.source else "unknown",
                f"{who(c)}, added as {(c.added_as or c.stage).label}{owner(c)}",
            )
            for c in standup.new_leads
        ],
        "No new leads.",
    )
    if standup.new_leads:
        out.append(_row("", f"By source: {source_summary(standup)}", width))
    section(
        "STALE",
        [
            (f"{s.idle_days}d idle", f"{who(s.card)}: {stale_label(s)}{owner(s.card)}")
            for s in standup.stale
        ],
        "Nothing stale.",
    )
    if standup.back_from_nurturing:
        section(
            "BACK FROM NURTURING",
            [
                (short_day(c.nurture_until or today, today), f"{who(c)}: {_back(c)}{owner(c)}")
                for c in standup.back_from_nurturing
            ],
            "",
        )
    money = money_lines(standup, currency or Currency())
    if money:
        out += ["", "MONEY"]
        out += [_wrap(f"  {line}", width) for line in money]
    out += ["", f"PIPELINE (conversion over the last {standup.window} days)"]
    out += [f"  {line}" for line in pipeline_table(standup)]
    out += ["", "FUNNEL (active cards at or past each stage)"]
    out += [f"  {line}" for line in funnel_lines(standup, width - 2)]
    if team:
        out += ["", "TEAM"]
        out += [f"  {line}" for line in team_lines(standup)] or ["  No cards yet."]
    return "\n".join(out) + "\n"


def _ledger_text(standup: Standup, width: int) -> list[str]:
    """Since the last stand-up, per rep: the counts, then what slipped and what got done."""
    out = ["", f"SINCE THE LAST STAND-UP ({short_day(standup.since, standup.today)})"]
    if not standup.ledger:
        out.append("  Nothing was due and nothing was logged.")
    for row in standup.ledger:
        line = f"{clean_line(row.owner)}: {ledger_label(row)}"
        out.append("\n".join(wrap_cells(line, width, "  ", "    ")))
        for card in row.slipped:
            due = describe_due(card.next_action_due, standup.today) if card.next_action_due else ""
            out.append(_row("slipped", f"{who(card)}: {action(card)} ({due})", width))
        for touch in row.done:
            body = f"{clean_line(touch.name)}: {clean_line(touch.summary) or touch.kind.label}"
            out.append(_row("done", body, width))
    return out


def _back(card: StandupCard) -> str:
    """A card back from nurturing: its stage and what to do with it now."""
    step = f"; next: {clean_line(card.next_action)}" if card.next_action else ""
    return f"back on the board as {card.stage.label}{step}"


def pipeline_table(standup: Standup) -> list[str]:
    """Stage, cards, and conversion to the next stage, as fixed-width lines (66 wide)."""
    conversions = {c.from_stage: c for c in standup.conversion}
    lines = [f"{'Stage':<18} {'Cards':>5}  {'Entered':>7}  {'Moved on':>8}  {'Rate':>5}"]
    for figures in standup.stages:
        c = conversions.get(figures.stage)
        if c is None:
            tail = f"{'':>7}  {'':>8}  {'':>5}"
        else:
            tail = f"{c.entered:>7}  {c.moved_on:>8}  {percent(c):>5}"
        lines.append(f"{figures.stage.label:<18} {figures.cards:>5}  {tail}".rstrip())
    return lines


def funnel_lines(standup: Standup, width: int) -> list[str]:
    top = max((f.reached for f in standup.stages), default=0)
    bar_width = max(4, width - 26)
    return [
        f"{f.stage.label:<18} {f.reached:>5}  {bar(f.reached, top, bar_width)}".rstrip()
        for f in standup.stages
    ]


def team_lines(standup: Standup) -> list[str]:
    return [
        f"{pad_cells(clean_line(o.owner), 24)} {o.cards:>5} {cards_word(o.cards)}  "
        f"{o.overdue:>4} overdue  {o.due_today:>4} due today"
        for o in standup.owners
    ]


def cards_word(count: int) -> str:
    """ "cards", or "card " for one: "1 cards" read wrong, and the columns after it stay
    in line."""
    return "cards" if count != 1 else "card "


def _due(card: StandupCard, owner: Callable[[StandupCard], str]) -> str:
    return f"{who(card)}: {action(card)}{owner(card)}"


# Wrapped by terminal cells, not characters: a Japanese name is two cells a character,
# and the text promises to fit the width.


def _row(label: str, body: str, width: int) -> str:
    indent = " " * (2 + _LABEL_WIDTH)
    first = f"  {pad_cells(label, _LABEL_WIDTH - 1)} "
    return "\n".join(wrap_cells(body, width, first, indent))


def _wrap(text: str, width: int) -> str:
    return "\n".join(wrap_cells(text, width))


# Markdown ------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md(text: str) -> str:
    """User text made literal in Markdown: sanitised, with markup characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean_line(text))


def as_markdown(standup: Standup, currency: Currency | None = None, *, ledger: bool = False) -> str:
    """The stand-up for pasting into chat or a wiki; `ledger`: begin with what each rep
    had due since the last stand-up, in its parts."""
    today = standup.today
    team = standup.owner is None
    out = [
        f"# Stand-up {long_day(today)} ({md(scope(standup))})",
        "",
        f"Moves and new leads since {long_day(standup.since)}; "
        f"conversion over the last {standup.window} days.",
    ]

    def name(card: StandupCard) -> str:
        org = f" ({md(card.organisation)})" if card.organisation.strip() else ""
        return f"**{md(card.name)}**{org}"

    def owner(card: StandupCard) -> str:
        return f" · {md(card.owner)}" if team else ""

    def section(title: str, items: Iterable[str], empty: str) -> None:
        rows = list(items)
        out.extend(["", f"## {title} ({len(rows)})", ""])
        out.extend(f"- {row}" for row in rows)
        if not rows:
            out.append(f"_{empty}_")

    def due(card: StandupCard) -> str:
        when = ""
        if card.next_action_due:
            when = f" · due {card.next_action_due.isoformat()}"
            if card.next_action_due < today:
                when += f", {describe_due(card.next_action_due, today)}"
        return f"{name(card)}: {md(action(card))}{when}{owner(card)}"

    if ledger:
        out += _ledger_markdown(standup)
    section("Overdue", (due(c) for c in standup.overdue), "Nothing overdue.")
    section("Due today", (due(c) for c in standup.due_today), "Nothing due today.")
    # The week ahead -------------------------------------------------------------------
    section(
        "Coming up this week",
        (due(c) for c in standup.coming_up),
        "Nothing due in the next 7 days.",
    )
    section(
        "No next action",
        (f"{name(c)}: {c.stage.label}{owner(c)}" for c in standup.no_next_action),
        "Every card has a next action.",
    )
    section(
        f"Moved since {short_day(standup.since, today)}",
        (f"{name(m.card)}: {moved_label(m)}{owner(m.card)}" for m in standup.moved),
        "No moves.",
    )
    if standup.calls:
        section(
            f"Calls since {short_day(standup.since, today)}",
            (f"**{md(c.owner)}**: {calls_label(c)}" for c in standup.calls),
            "",
        )
    section(
        "New leads",
        (
            f"{name(c)}: {c.source.value if c.source else 'unknown source'}, "
            f"added as {(c.added_as or c.stage).label}{owner(c)}"
            for c in standup.new_leads
        ),
        "No new leads.",
    )
    if standup.new_leads:
        out += ["", f"By source: {source_summary(standup)}"]
    section(
        "Stale",
        (
            f"{name(s.card)}: {s.idle_days} days idle; {stale_label(s)}{owner(s.card)}"
            for s in standup.stale
        ),
        "Nothing stale.",
    )
    if standup.back_from_nurturing:
        section(
            "Back from nurturing",
            (f"{name(c)}: {md(_back(c))}{owner(c)}" for c in standup.back_from_nurturing),
            "",
        )
    money = money_lines(standup, currency or Currency())
    if money:
        out += ["", "## Money", ""]
        out += [f"- {line}" for line in money]
    conversions: dict[Stage, Conversion] = {c.from_stage: c for c in standup.conversion}
    out += [
        "",
        "## Pipeline",
        "",
        f"Conversion: of the cards that entered a stage in the last {standup.window} days, "
        "how many moved on.",
        "",
        "| Stage | Cards | At or past | Entered | Moved on | Rate |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for f in standup.stages:
        c = conversions.get(f.stage)
        tail = f"{c.entered} | {c.moved_on} | {percent(c)}" if c else "- | - | -"
        out.append(f"| {f.stage.label} | {f.cards} | {f.reached} | {tail} |")
    out += ["", "```", *funnel_lines(standup, 60), "```"]
    if team and standup.owners:
        out += [
            "",
            "## Team",
            "",
            "| Owner | Cards | Overdue | Due today |",
            "| --- | ---: | ---: | ---: |",
        ]
        out += [
            f"| {md(o.owner)} | {o.cards} | {o.overdue} | {o.due_today} |" for o in standup.owners
        ]
    return "\n".join(out) + "\n"


def _ledger_markdown(standup: Standup) -> list[str]:
    """Since the last stand-up, per rep, as a table and the slipped steps under it."""
    out = ["", f"## Since the last stand-up ({short_day(standup.since, standup.today)})", ""]
    if not standup.ledger:
        return [*out, "_Nothing was due and nothing was logged._"]
    out += [
        "| Rep | Due | Done | Open today | Slipped |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    out += [
        f"| {md(r.owner)} | {r.due} | {len(r.done)} | {len(r.open_today)} | {len(r.slipped)} |"
        for r in standup.ledger
    ]
    slipped = [card for row in standup.ledger for card in row.slipped]
    if slipped:
        out += [""]
        out += [
            f"- Slipped: **{md(c.name)}**: {md(action(c))} · due "
            f"{c.next_action_due.isoformat() if c.next_action_due else ''} · {md(c.owner)}"
            for c in slipped
        ]
    return out
