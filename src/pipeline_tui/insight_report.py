"""The insight report for the shell: plain text (fits 80 columns, counted in cells),
Markdown, and JSON.

`pipeline-tui report` prints these; the insight screen reuses the labels. The JSON shape
is documented in README.md and versioned by JSON_VERSION: fields may be added in a
version, never renamed or removed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pipeline_tui.domain.insight import (
    CriterionFailures,
    GroupRate,
    Insight,
    InsightCard,
    ReferralNode,
    SlowCard,
    sparkline,
    tree_lines,
)
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.text import clean_line, clip_cells, pad_cells, wrap_cells
from pipeline_tui.standup_report import bar, md

JSON_VERSION = 1
TEXT_WIDTH = 80
_BAR = 20


# Labels shared with the insight screen ---------------------------------------------------


def percent(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def days(value: float | None) -> str:
    """A number of days: "21d", "20.5d", or "-" when there is none."""
    if value is None:
        return "-"
    return f"{value:.0f}d" if value == int(value) else f"{value:.1f}d"


def span(insight: Insight) -> str:
    """ "Aug 26 - Nov 23 2026": the window's days."""
    start, end = insight.window_start, insight.today
    first = f"{start:%b %d}" if start.year == end.year else f"{start:%b %d %Y}"
    return f"{first} - {end:%b %d %Y}"


def card_label(card: InsightCard) -> str:
    """Name (organisation), sanitised."""
    name = clean_line(card.name)
    org = clean_line(card.organisation)
    return f"{name} ({org})" if org else name


def node_label(node: ReferralNode) -> str:
    """A card in the referral tree: name, stage, and ✓ when it became a client."""
    archived = ", archived" if not node.card.active else ""
    won = " ✓" if node.won else ""
    return f"{clean_line(node.card.name)} ({node.card.stage.label}{archived}){won}"


def node_figures(node: ReferralNode, money: Currency | None = None) -> str:
    """ "referred 3, 2 became clients (67%), 4 clients in all, worth €48,000"."""
    if not node.children:
        return ""
    figures = (
        f"referred {node.referred}, {node.converted} became "
        f"client{'s' if node.converted != 1 else ''} ({percent(node.rate)})"
    )
    if node.value != node.converted:
        figures += f", {node.value} clients in all"
    if node.worth:
        figures += f", worth {(money or Currency()).format(node.worth)}"
    return figures


def continuation(prefix: str) -> str:
    """A tree prefix as it carries on below its line: "│  ├─ " becomes "│  │  "."""
    return prefix.replace("├─", "│ ").replace("└─", "  ")


def archive_note(shown: int, count: int) -> str:
    """The archive chart's note: "oldest on the left", and how many buckets it shows
    when the most recent ones are all that fit."""
    cut = f"last {shown} of {count}, " if shown < count else ""
    return f"{cut}oldest on the left"


def failure_label(failure: CriterionFailures) -> str:
    return f"{failure.no} of {failure.answered} no"


def slow_label(slow: SlowCard) -> str:
    return f"{clean_line(slow.card.name)} {slow.days}d"


# JSON -------------------------------------------------------------------------------------


def as_json(insight: Insight) -> str:
    return json.dumps(as_record(insight), indent=2, ensure_ascii=False) + "\n"


def _rate(group: GroupRate, key: str) -> dict[str, Any]:
    return {
        key: group.key,
        "won": group.won,
        "lost": group.lost,
        "closed": group.closed,
        "rate": None if group.rate is None else round(group.rate, 4),
        "median_days_to_win": group.median_days,
    }


def _card(card: InsightCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "name": clean_line(card.name),
        "organisation": clean_line(card.organisation),
        "stage": card.stage.value,
        "owner": clean_line(card.owner),
        "archived": not card.active,
    }


def _node(node: ReferralNode) -> dict[str, Any]:
    return {
        "card": _card(node.card),
        "won": node.won,
        "referred": node.referred,
        "converted": node.converted,
        "rate": None if node.rate is None else round(node.rate, 4),
        "value": node.value,
        "worth": float(node.worth),
        "children": [_node(child) for child in node.children],
    }


def _failures(failures: Iterable[CriterionFailures]) -> list[dict[str, Any]]:
    return [
        {
            "criterion": clean_line(f.criterion),
            "no": f.no,
            "answered": f.answered,
            "rate": None if f.rate is None else round(f.rate, 4),
        }
        for f in failures
    ]


def as_record(insight: Insight) -> dict[str, Any]:
    """The report as JSON-ready values; the shape is documented in README.md."""
    buckets = insight.buckets
    return {
        "version": JSON_VERSION,
        "today": insight.today.isoformat(),
        "window_days": insight.window,
        "window_start": insight.window_start.isoformat(),
        "win_rates": {
            "all": _rate(insight.overall, "group"),
            "by_source": [_rate(r, "source") for r in insight.by_source],
            "by_market": [_rate(r, "market") for r in insight.by_market],
        },
        "archived": {
            "bucket_days": buckets.days if buckets else None,
            "buckets": (
                [buckets.first_day(i).isoformat() for i in range(buckets.count)] if buckets else []
            ),
            "reasons": [
                {"reason": s.reason.value, "counts": list(s.counts), "total": s.total}
                for s in insight.archive
            ],
        },
        "referrals": [_node(root) for root in insight.referrals],
        "time_in_stage": [
            {
                "stage": t.stage.value,
                "stays": t.stays,
                "median_days": t.median_days,
                "slowest": [
                    {"card": _card(s.card), "days": s.days, "since": s.since.isoformat()}
                    for s in t.slowest
                ],
            }
            for t in insight.stages
        ],
        "failing_criteria": {
            "overall": _failures(insight.criteria),
            "by_source": [
                {"source": s.source, "criteria": _failures(s.criteria)}
                for s in insight.criteria_by_source
            ],
        },
    }


# Plain text ----------------------------------------------------------------------------------


def rate_rows(groups: Iterable[GroupRate], overall: GroupRate | None) -> list[str]:
    """Won, lost, rate with a bar, and the median days to win, 62 cells wide."""
    rows = [f"{'':<12} {'Won':>4} {'Lost':>5} {'Rate':>5}  {'':<{_BAR}}  {'To win':>6}"]
    for group in [*groups, *([overall] if overall is not None else [])]:
        share = 0 if group.rate is None else round(group.rate * 1000)
        label = "all" if group is overall else group.key
        rows.append(
            f"{pad_cells(label, 12)} {group.won:>4} {group.lost:>5} {percent(group.rate):>5}"
            f"  {pad_cells(bar(share, 1000, _BAR), _BAR)}  {days(group.median_days):>6}".rstrip()
        )
    return rows


def as_text(insight: Insight, width: int = TEXT_WIDTH, money: Currency | None = None) -> str:
    """The report for a terminal or a chat; no line is wider than `width` cells."""
    out: list[str] = []
    out += wrap_cells(f"INSIGHT · the last {insight.window} days ({span(insight)})", width)

    def heading(title: str, note: str = "") -> None:
        out.append("")
        out.extend(wrap_cells(f"{title}{f' ({note})' if note else ''}", width))

    def indented(lines: Iterable[str]) -> None:
        out.extend(f"  {line}".rstrip() for line in lines)

    heading("WIN RATE BY SOURCE", "cards won or lost in the window; days to win: median")
    if insight.overall.closed:
        indented(rate_rows(insight.by_source, insight.overall))
        heading("WIN RATE, WARM OR COLD")
        indented(rate_rows(insight.by_market, None))
    else:
        out.append("  No card was won or lost in the window.")

    buckets = insight.buckets
    unit = buckets.unit if buckets else "week"
    count = buckets.count if buckets else 0
    totals = max((len(str(series.total)) for series in insight.archive), default=0)
    # The most recent buckets that fit beside the label and the total (a 10-year window
    # has 523 weeks): "  Won          ▁█▁  1".
    shown = max(1, min(count, width - 2 - 12 - 1 - 2 - max(3, totals)))
    heading(f"ARCHIVED PER {unit.upper()}", archive_note(shown, count))
    for series in insight.archive:
        out.append(
            f"  {pad_cells(series.reason.label, 12)} {sparkline(series.counts[-shown:])}"
            f"  {series.total:>3}"
        )

    heading("REFERRALS", "all time; ✓ became a client")
    if not insight.referrals:
        out.append("  No referrals yet.")
    for prefix, node in tree_lines(insight.referrals):
        below = continuation(prefix)
        out.extend(
            wrap_cells(
                node_label(node),
                width,
                initial_indent=f"  {prefix}",
                subsequent_indent=f"  {below}   ",
            )
        )
        figures = node_figures(node, money)
        if figures:
            # The line down to the card's children carries on beside its figures.
            out.extend(
                wrap_cells(
                    figures,
                    width,
                    initial_indent=f"  {below}│  ",
                    subsequent_indent=f"  {below}│  ",
                )
            )

    heading("TIME IN STAGE", "median days of stays ended in the window")
    top = max((t.median_days or 0 for t in insight.stages), default=0)
    out.append(f"  {'':<18} {'Stays':>5}  {'Median':>6}")
    for t in insight.stages:
        median_bar = bar(round((t.median_days or 0) * 10), round(top * 10), _BAR)
        out.append(
            f"  {t.stage.label:<18} {t.stays:>5}  {days(t.median_days):>6}  {median_bar}".rstrip()
        )
    slow = [t for t in insight.stages if t.slowest]
    if slow:
        out.append("")
        out.append("  Longest in their stage now:")
        for t in slow:
            out.extend(
                wrap_cells(
                    ", ".join(slow_label(s) for s in t.slowest),
                    width,
                    initial_indent=pad_cells(f"    {t.stage.label}", 22),
                    subsequent_indent=" " * 22,
                )
            )

    heading("FAILING CRITERIA", '"no" answers given in the window')
    if not insight.criteria:
        out.append("  No qualification answers in the window.")
    most = max((f.no for f in insight.criteria), default=0)
    for failure in insight.criteria:
        out.extend(
            wrap_cells(
                f"{failure_label(failure):>10}  {bar(failure.no, most, 12)}",
                width,
                initial_indent=pad_cells(f"  {clip_cells(clean_line(failure.criterion), 40)}", 44),
                subsequent_indent=" " * 44,
            )
        )
    worst = [s for s in insight.criteria_by_source if s.worst is not None]
    if worst:
        out.append("")
        out.append("  Failing most, by source:")
        for source in worst:
            assert source.worst is not None
            out.extend(
                wrap_cells(
                    f"{clean_line(source.worst.criterion)} ({failure_label(source.worst)})",
                    width,
                    initial_indent=pad_cells(f"    {clip_cells(source.source, 12)}", 18),
                    subsequent_indent=" " * 18,
                )
            )
    return "\n".join(out) + "\n"


# Markdown ------------------------------------------------------------------------------------


def as_markdown(insight: Insight, money: Currency | None = None) -> str:
    """The report for pasting into a chat or a wiki."""
    out = [f"# Insight: the last {insight.window} days ({span(insight)})"]

    def table(title: str, key: str, groups: Iterable[GroupRate], overall: GroupRate | None) -> None:
        out.extend(["", f"## {title}", ""])
        out.append(f"| {key} | Won | Lost | Rate | Median days to win |")
        out.append("| --- | ---: | ---: | ---: | ---: |")
        for g in [*groups, *([overall] if overall is not None else [])]:
            label = "**all**" if g is overall else md(g.key)
            out.append(
                f"| {label} | {g.won} | {g.lost} | {percent(g.rate)} | {days(g.median_days)} |"
            )

    if insight.overall.closed:
        table("Win rate by source", "Source", insight.by_source, insight.overall)
        table("Win rate, warm or cold", "Market", insight.by_market, None)
    else:
        out += ["", "## Win rate", "", "_No card was won or lost in the window._"]

    unit = insight.buckets.unit if insight.buckets else "week"
    out += ["", f"## Archived per {unit}", "", "Oldest on the left.", "", "```"]
    out += [
        f"{pad_cells(s.reason.label, 12)} {sparkline(s.counts)}  {s.total:>3}"
        for s in insight.archive
    ]
    out += ["```", "", "## Referrals", "", "All time; ✓ became a client.", ""]
    if insight.referrals:
        out.append("```")
        for prefix, node in tree_lines(insight.referrals):
            figures = node_figures(node, money)
            out.append(f"{prefix}{node_label(node)}{f'  ({figures})' if figures else ''}")
        out.append("```")
    else:
        out.append("_No referrals yet._")

    out += [
        "",
        "## Time in stage",
        "",
        "Median days of the stays that ended in the window; the cards longest in their stage now.",
        "",
        "| Stage | Stays | Median | Longest now |",
        "| --- | ---: | ---: | --- |",
    ]
    for t in insight.stages:
        slow = ", ".join(md(slow_label(s)) for s in t.slowest) or "-"
        out.append(f"| {t.stage.label} | {t.stays} | {days(t.median_days)} | {slow} |")

    out += ["", "## Failing criteria", "", '"No" answers given in the window.', ""]
    if insight.criteria:
        out += ["| Criterion | No | Answered | Rate |", "| --- | ---: | ---: | ---: |"]
        out += [
            f"| {md(f.criterion)} | {f.no} | {f.answered} | {percent(f.rate)} |"
            for f in insight.criteria
        ]
        worst = [s for s in insight.criteria_by_source if s.worst is not None]
        if worst:
            out += ["", "Failing most, by source:", ""]
            for source in worst:
                assert source.worst is not None
                out.append(
                    f"- **{md(source.source)}**: {md(source.worst.criterion)} "
                    f"({failure_label(source.worst)})"
                )
    else:
        out.append("_No qualification answers in the window._")
    return "\n".join(out) + "\n"
