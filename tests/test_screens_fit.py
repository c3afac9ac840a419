"""What the rep sees fits the terminal: the insight screen's archive chart over 365 days,
`pipeline-tui report` over ten years, long names in the archive and the referral tree,
the help's footer at 60 columns; and the section keys and help follow the screens."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from pipeline_tui.cli import main
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.ui.screens.insight import InsightScreen
from tests.calls_data import seed_calls
from tests.conftest import NOW, TODAY
from tests.pilot import press, running, screen_text, settle, tap, type_text

WIDTHS = [pytest.param(80, id="80x24"), pytest.param(60, id="60x24")]


@pytest.fixture
def seeded(database: Database) -> PipelineService:
    seed_calls(database)
    return PipelineService(database, "sam", clock=lambda: NOW)


def lines_with(shown: str, word: str) -> list[str]:
    return [line for line in shown.splitlines() if word in line]


# The archive chart over a year, and the text report over ten ---------------------------------


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_year_of_archive_sparklines_keeps_the_last_four_in_view(
    seeded: PipelineService, width: int
) -> None:
    async with running(seeded, size=(width, 24)) as (app, pilot):
        await press(pilot, "i", "w")  # 90 days, then 365: 53 weeks
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        assert screen.insight is not None and screen.insight.window == 365
        await press(pilot, "2")
        shown = screen_text(app)
        rows = {line.split()[0]: line for line in lines_with(shown, "last 4:")}
        assert set(rows) == {"Won", "Lost", "Not", "Duplicate"}, shown
        # The whole of each line's figures, the most recent weeks' bars before them.
        assert rows["Won"].rstrip(" ▁▂▃▄▅▆▇█▏").endswith("1  last 4: 0 0 0 0"), shown
        assert rows["Lost"].rstrip(" ▁▂▃▄▅▆▇█▏").endswith("1  last 4: 1 0 0 0"), shown
        assert rows["Duplicate"].rstrip(" ▁▂▃▄▅▆▇█▏").endswith("1  last 4: 0 1 0 0"), shown
        # The heading says the chart shows the latest weeks only.
        (heading,) = lines_with(shown, "ARCHIVED PER WEEK")
        assert " of 53, oldest on the left" in heading, shown


@pytest.mark.sqlite_only("the command line on a file")
def test_report_over_ten_years_fits_80_columns(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(str(db_path))
    seed_calls(database)
    database.close()
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    code = main(["report", "--db", str(db_path), "--window", "3660"])
    out = capsys.readouterr().out
    assert code == 0
    assert max(cell_len(line) for line in out.splitlines()) <= 80, out
    assert "ARCHIVED PER WEEK (last 60 of 523, oldest on the left)" in out, out
    (lost,) = [line for line in out.splitlines() if line.startswith("  Lost ")]
    assert lost.endswith("    1") and cell_len(lost) == 80, lost


# The insight's section keys in screen order ---------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
async def test_insight_section_keys_follow_the_screen_from_top_to_bottom(
    seeded: PipelineService, width: int
) -> None:
    headings = ["WIN RATE", "ARCHIVED PER", "TIME IN STAGE", "REFERRALS", "FAILING CRITERIA"]
    async with running(seeded, size=(width, 24)) as (app, pilot):
        await press(pilot, "i")
        order = [line.strip() for line in screen_text(app).splitlines()]
        await press(pilot, "G")
        order += [line.strip() for line in screen_text(app).splitlines()]
        firsts = [next(n for n, line in enumerate(order) if line.startswith(h)) for h in headings]
        assert firsts == sorted(firsts), "\n".join(order)
        # Each number key shows its section, 1 to 5 further and further down.
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        scrolled = []
        for key, heading in zip("12345", headings, strict=True):
            await press(pilot, key)
            shown = [line.strip() for line in screen_text(app).splitlines()]
            assert any(line.startswith(heading) for line in shown), f"{key}:\n{screen_text(app)}"
            scrolled.append(screen.report.scroll_y)
        assert scrolled == sorted(scrolled)
        await press(pilot, "?")
        help_lines = [" ".join(line.split()) for line in screen_text(app).splitlines()]
        for key, what in zip(
            "12345", ["win", "archive", "time in", "referrals", "failing"], strict=True
        ):
            assert any(f"{key} Go to {what}" in line for line in help_lines), screen_text(app)


async def test_the_insights_long_lines_wrap_under_the_cards_not_the_stages(
    service: PipelineService,
) -> None:
    """At 60 columns the last of the cards longest in a stage, and the end of a
    source's worst criterion, went back to the left edge under the stage and source
    names, where they read as a stage or a source of their own."""
    names = ["Bartholomew Featherstone", "Anastasia Konstantinou", "Maximiliana Wolfe"]
    for name in names:
        card_id = service.add_card(CardDraft(name=name)).card_id
    service.add_touchpoint(card_id, TouchpointKind.CONVERSATION, TODAY)
    criterion = max(service.criteria, key=len)
    service.save_qualification(card_id, {criterion: CriterionAnswer(Answer.NO)})
    async with running(service, size=(60, 60)) as (app, pilot):
        await press(pilot, "i")
        assert isinstance(app.screen, InsightScreen)
        lines = screen_text(app).splitlines()
        for label, words in [("Lead     ", "Anastasia"), ("conversation ", criterion[:9])]:
            starts = (n for n, line in enumerate(lines) if line.lstrip().startswith(label + words))
            first = next(starts, None)
            assert first is not None, "\n".join(lines)
            column = lines[first].index(words)
            wrapped = lines[first + 1]
            assert wrapped[:column].strip() == "" and wrapped[column:].strip(), "\n".join(lines)


# Long names give way ----------------------------------------------------------------------------

LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh [b]the Third[/b]"


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_long_name_in_the_archive_leaves_its_stage_and_reason_in_view(
    service: PipelineService, width: int
) -> None:
    draft = CardDraft(name=LONG_NAME, organisation="Featherstonehaugh Holdings International")
    card_id = service.add_card(draft, Stage.PROSPECT).card_id
    service.archive_card(card_id, ArchiveReason.LOST, "Went with the cheaper quote")
    short_id = service.add_card(CardDraft(name="Ida Berg", organisation="Berg Joinery")).card_id
    service.archive_card(short_id, ArchiveReason.WON)
    async with running(service, size=(width, 24)) as (app, pilot):
        await press(pilot, "A")
        shown = screen_text(app)
        (row,) = lines_with(shown, "Maximili")
        # The name gives way, cut with "…"; the stage, the reason and a bit of the note stay.
        assert "Prospect · Lost  Went" in row, shown
        name = row.split("2026-11-23  ")[1].split("  ")[0]
        assert name.endswith("…") and LONG_NAME.startswith(name[:-1]), shown
        (short,) = lines_with(shown, "Ida Berg")
        assert "Ida Berg  Berg Joinery  Lead · Won" in short, shown
        if width > 60:  # narrowed while open: the rows are cut again
            await pilot.resize_terminal(60, 24)
            await settle(pilot)
            (row,) = lines_with(screen_text(app), "Maximili")
            assert "Prospect · Lost  Went" in row, screen_text(app)


@pytest.mark.parametrize("width", WIDTHS)
async def test_long_names_in_the_referral_tree_keep_their_place_under_its_lines(
    seeded: PipelineService, width: int
) -> None:
    client = seeded.add_card(CardDraft(name="李" * 50), Stage.CLIENT).card_id
    for n in range(2):
        seeded.refer(client, CardDraft(name=f"{'Wolfeschlegelstein' * 3} {n}"), TODAY)
    async with running(seeded, size=(width, 24)) as (app, pilot):
        await press(pilot, "i", "4", "G")  # the referrals, then down to the tree's end
        shown = screen_text(app)
        (root,) = [line for line in lines_with(shown, "(Client)") if "李" in line]
        assert root.strip().startswith("李") and root.rstrip().endswith("… (Client) ✓"), shown
        referred = lines_with(shown, "Wolfe")
        assert len(referred) == 2, shown
        # Each name on its card's line, after the tree's lines, its stage after it.
        assert referred[0].strip().startswith("├─ Wolfeschlegelstein"), shown
        assert referred[1].strip().startswith("└─ Wolfeschlegelstein"), shown
        assert all(line.rstrip().endswith(" (Lead)") for line in referred), shown
        if width == 60:
            assert all(line.rstrip().endswith("Wolfeschle… (Lead)") for line in referred), shown
        (figures,) = lines_with(shown, "referred 2, 0 became clients")
        assert figures.strip().startswith("│  referred"), shown


@pytest.mark.parametrize("width", [60, 50])
async def test_the_help_says_how_to_close_it_and_turn_its_pages_whole(
    service: PipelineService, width: int
) -> None:
    async with running(service, size=(width, 24)) as (app, pilot):
        await press(pilot, "?")
        shown = screen_text(app)
        assert "Board keys (1 of" in shown, shown  # in pages at this width
        (close,) = lines_with(shown, "closes")
        words = close.replace("█", " ").split()
        assert words[0] == "escape" and "closes" in words, shown
        assert "backspace" in words and words[words.index("backspace") + 1] == "back", shown
        await press(pilot, "space")
        assert "Board keys (2 of" in screen_text(app), screen_text(app)


# The card's help names enter --------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_card_help_says_enter_opens_the_highlighted_note(
    service: PipelineService, width: int
) -> None:
    ada = service.add_card(CardDraft(name="Ada Lovelace"), Stage.LEAD).card_id
    service.add_note(ada, NoteKind.PROBLEM, "Loses 12% of appointments")
    async with running(service, size=(width, 24)) as (app, pilot):
        await press(pilot, "enter", "?")
        shown = screen_text(app)
        assert "Card keys" in shown, shown
        if width >= 80:
            assert "Card keys (1 of" not in shown, shown  # still one page at 80x24
        (line,) = lines_with(shown, "Open the")  # "highlighted note" wraps at 60
        words = line.replace("█", " ").split()
        assert words[words.index("Open") - 1] in {"⏎", "enter"}, shown
        assert "highlighted note" in " ".join(" ".join(shown.splitlines()).split()), shown


async def test_the_card_form_keeps_the_field_being_typed_in_sight_at_60x20(
    service: PipelineService,
) -> None:
    """With the due date's and the value's hints shown, the form is taller than a 60x20
    terminal: Owner was below its bottom edge, and "zed" went into a field the rep
    could not see."""
    async with running(service, (60, 20)) as (app, pilot):
        await tap(pilot, "n")
        await type_text(pilot, "Narrow Person")
        for _ in range(5):
            await tap(pilot, "tab")
        for typed in ("Some next", "fri", "5k", "eom"):  # next action, due, value, close
            await type_text(pilot, typed)
            await tap(pilot, "tab")
        await type_text(pilot, "zed")  # owner
        shown = screen_text(app)
        assert any(
            line.strip("█ ").startswith("Owner         zed") for line in shown.splitlines()
        ), shown
