"""The rep's daily loop from the shell: note, log, next, done, move, show, search,
agenda, and add's duplicate check and first touchpoint. Each is run as a rep runs it
(main() with a command line), and checked in the database and in what it printed."""

from __future__ import annotations

import io
import json
import shutil
import stat
import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from pipeline_tui.cli import main
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, Answer, CriterionAnswer
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from tests.conftest import TODAY


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())  # Monday 2026-11-23


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> Path:
    """An empty pipeline at the newest schema."""
    return Path(shutil.copy(sqlite_template, tmp_path / "shell.db"))


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(db)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(code: int, err: str) -> str:
    assert code != 0
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pipeline-tui: error: ")
    return lines[0]


def service_for(db: Path) -> PipelineService:
    return PipelineService(open_database(str(db)), "sam")


@pytest.fixture(scope="session")
def pipeline_made() -> dict[str, Path]:
    """The file the first `pipeline` of this test process made, kept to copy."""
    return {}


@pytest.fixture
def pipeline(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    pipeline_made: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """Ann Okafor (1), Annabel Lee (2) and Ben Hollis (3), added with `add`: by the
    first test in each process, and each later one gets a copy of that file (the three
    commands, a new database's migrations among them, were over half the CPU of the
    tests that use it)."""
    made = pipeline_made.get("pipeline")
    if made is not None:
        shutil.copy(made, db)  # keeps its 0600
        return db
    for argv in (
        ("add", "Ann Okafor", "--org", "Brightwater Dental", "--email", "ann@brightwater.example"),
        ("add", "Annabel Lee", "--org", "Lee & Co"),
        ("add", "Ben Hollis", "--stage", "prospect", "--phone", "+44 7700 900123"),
    ):
        assert run(capsys, db, *argv)[0] == 0
    kept = tmp_path_factory.mktemp("pipeline") / db.name
    shutil.copy(db, kept)
    pipeline_made["pipeline"] = kept
    return db


# Finding the card ----------------------------------------------------------------------------


@pytest.mark.parametrize("card", ["1", "#1", "ANN@brightwater.example", "okafor", "Ann Okafor"])
def test_a_card_is_named_by_id_email_or_part_of_its_name(
    capsys: pytest.CaptureFixture[str], pipeline: Path, card: str
) -> None:
    code, out, err = run(capsys, pipeline, "log", card, "--kind", "call", "Asked about pricing")
    assert (code, err) == (0, "")
    assert out == "Logged a call with Ann Okafor today.\n"


def test_an_email_logged_is_said_with_an(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    code, out, _ = run(capsys, pipeline, "log", "1", "--kind", "email", "Sent the deck")
    assert (code, out) == (0, "Logged an email with Ann Okafor today.\n")


@pytest.mark.parametrize(
    ("option", "said"), [(("--dry-run",), "--dry-run"), (("--format", "json"), "--format")]
)
def test_log_card_refuses_what_only_log_dash_does_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], pipeline: Path, option: tuple[str, ...], said: str
) -> None:
    """`--dry-run` and `--format` report what `log -` would capture; given with a card,
    they were ignored, and the dry run wrote the touchpoint it was to check."""
    before = service_for(pipeline).card(1).touchpoints
    code, out, err = run(capsys, pipeline, "log", "1", "--kind", "call", "Rang", *option)
    assert code == 1 and out == ""
    assert err == (
        f"pipeline-tui: error: {said} is for log - (what is piped on stdin); log CARD "
        "writes at once, so nothing was logged.\n"
    )
    assert service_for(pipeline).card(1).touchpoints == before


def test_a_whole_name_wins_over_names_that_contain_it(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    run(capsys, pipeline, "add", "Ann", "--org", "Solo")
    code, out, _ = run(capsys, pipeline, "show", "ann", "--format", "json")
    assert code == 0 and json.loads(out)["name"] == "Ann"


def test_an_ambiguous_name_lists_the_candidates_and_fails(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    code, out, err = run(capsys, pipeline, "note", "ann", "A note that goes nowhere")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == ("pipeline-tui: error: 2 cards match 'ann'; name one by its id or email.")
    assert lines[1:] == [
        "      1  Ann Okafor (Brightwater Dental), lead",
        "      2  Annabel Lee (Lee & Co), lead",
    ]
    service = service_for(pipeline)
    assert not service.card(1).notes and not service.card(2).notes


def test_an_unknown_card_is_one_sentence(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    for card, expected in (
        ("zed", "No card whose name contains 'zed'."),
        ("99", "There is no card 99."),
        ("who@nowhere.example", "No card with the email 'who@nowhere.example'."),
    ):
        code, _, err = run(capsys, pipeline, "show", card)
        assert one_line_error(code, err).endswith(expected)


CHANGES = [
    ("note", "{card}", "Bought a second site"),
    ("log", "{card}", "--kind", "call", "Asked about pricing"),
    ("next", "{card}", "Send the quote", "--due", "fri"),
    ("done", "{card}"),
    ("move", "{card}", "prospect", "--override", "Budget confirmed"),
    ("value", "{card}", "12k"),
    ("rhythm", "{card}", "21"),
    ("park", "{card}", "+1m"),
]


@pytest.mark.parametrize("card", ["1", "ann@brightwater.example", "okafor"])
@pytest.mark.parametrize("argv", CHANGES, ids=lambda argv: argv[0])
def test_a_command_that_changes_a_card_leaves_an_archived_one_as_it_is(
    capsys: pytest.CaptureFixture[str], pipeline: Path, argv: tuple[str, ...], card: str
) -> None:
    """note, log and value wrote to an archived card named by its id, and said so as if
    it were on the board; named by its words it was "No card whose name contains". In
    the app an archived card is read-only until it is restored, so here too."""
    assert run(capsys, pipeline, "next", "1", "Call back", "--due", "+2d")[0] == 0
    service_for(pipeline).archive_card(1, ArchiveReason.LOST, "Went with a rival")
    shown = run(capsys, pipeline, "show", "1", "--format", "json")[1]
    before = service_for(pipeline).card(1)

    code, out, err = run(capsys, pipeline, *(word.format(card=card) for word in argv))
    assert one_line_error(code, err) == (
        "pipeline-tui: error: Ann Okafor (card 1) is archived, so nothing was changed; "
        "restore it first: on the board, A lists the archived cards and r restores one."
    )
    assert out == ""
    assert service_for(pipeline).card(1) == before
    assert run(capsys, pipeline, "show", "1", "--format", "json")[1] == shown
    assert [c.name for c in service_for(pipeline).cards()] == ["Annabel Lee", "Ben Hollis"]


def test_the_refusal_names_the_keys_the_config_binds(
    capsys: pytest.CaptureFixture[str], pipeline: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"board.archived" = "ctrl+a,Z"\n"archived.restore" = "R"\n')
    service_for(pipeline).archive_card(1, ArchiveReason.LOST)
    code, _, err = run(capsys, pipeline, "--config", str(config), "value", "1", "500")
    assert one_line_error(code, err).endswith(
        "on the board, ctrl+a lists the archived cards and R restores one."
    )
    assert service_for(pipeline).card(1).summary.value is None


def test_an_archived_card_is_still_shown_listed_apart_and_left_out_of_search(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    run(capsys, pipeline, "note", "1", "Wants a second site")
    service_for(pipeline).archive_card(1, ArchiveReason.LOST)
    code, out, _ = run(capsys, pipeline, "show", "1")
    assert code == 0 and "archived: Lost" in out and "Wants a second site" in out
    code, out, _ = run(capsys, pipeline, "list", "--format", "json")
    assert [record["name"] for record in json.loads(out)] == ["Annabel Lee", "Ben Hollis"]
    assert run(capsys, pipeline, "search", "second", "site")[0] == 1


# add ---------------------------------------------------------------------------------------


def test_add_refuses_a_likely_duplicate_unless_forced(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    code, out, err = run(
        capsys, pipeline, "add", "Someone Else", "--email", "Ann@Brightwater.example"
    )
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "pipeline-tui: error: Ann Okafor (card 1) has the same email; add --force to add "
        "another card anyway.",
        "      1  Ann Okafor (Brightwater Dental), lead",
    ]
    code, _, err = run(capsys, pipeline, "add", "annabel lee", "--org", "LEE & CO")
    assert code == 1 and "same name and organisation" in err
    code, out, _ = run(capsys, pipeline, "add", "annabel lee", "--org", "LEE & CO", "--force")
    assert code == 0 and out == "Added annabel lee to Lead (card 4).\n"
    # Same name at another firm, or with another email, is somebody else.
    assert run(capsys, pipeline, "add", "Annabel Lee", "--org", "Elsewhere")[0] == 0


def test_a_name_with_accented_capitals_is_the_same_card_to_add_and_to_log(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python lowered "Éva Örs" to "éva örs", SQLite's lower() left "É" and "Ö" as they
    are, so the two never matched: `add` made a second card of her, and her vCard
    logged with `log -` a new lead."""
    assert run(capsys, db, "add", "Éva Örs", "--org", "Ördög Kft")[0] == 0
    for name, organisation in (("Éva Örs", "Ördög Kft"), ("ÉVA ÖRS", "ÖRDÖG KFT")):
        code, _, err = run(capsys, db, "add", name, "--org", organisation)
        assert code == 1 and "Éva Örs (card 1) has the same name and organisation" in err
    code, out, _ = run(capsys, db, "show", "ÉVA ÖRS")
    assert code == 0 and out.startswith("Éva Örs · Ördög Kft  (card 1)")
    vcard = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Éva Örs\r\nORG:Ördög Kft\r\nEND:VCARD\r\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(vcard.encode())))
    code, out, _ = run(capsys, db, "log", "-", "--dry-run")
    assert code == 0 and "on Éva Örs (card 1)" in out


def test_add_source_logs_that_first_touchpoint(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, _, _ = run(capsys, db, "add", "Cat Ng", "--source", "event")
    assert code == 0
    card = service_for(db).card(1)
    assert card.source is TouchpointKind.EVENT and card.market is Market.COLD
    assert [(t.kind, t.happened_on) for t in card.touchpoints] == [(TouchpointKind.EVENT, TODAY)]


# note --------------------------------------------------------------------------------------


def test_note_from_the_command_line_and_from_stdin(
    capsys: pytest.CaptureFixture[str], pipeline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys, pipeline, "note", "okafor", "--kind", "problem", "Quotes", "take", "a", "week"
    )
    assert (code, out) == (0, "Added a problem note to Ann Okafor (note 1).\n")

    monkeypatch.setattr(sys, "stdin", io.StringIO("# Goals\n\nA second site by spring.\n"))
    code, out, _ = run(capsys, pipeline, "note", "ben", "-k", "goal", "-")
    assert code == 0
    notes = {n.kind: n.body for c in (1, 3) for n in service_for(pipeline).card(c).notes}
    assert notes == {
        NoteKind.PROBLEM: "Quotes take a week",
        NoteKind.GOAL: "# Goals\n\nA second site by spring.",
    }


class _Terminal(io.StringIO):
    """stdin as a terminal: the editor is opened only from one."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal())


def test_note_without_text_and_no_terminal_says_how_to_give_it(
    capsys: pytest.CaptureFixture[str],
    pipeline: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From a script or a pipe there is no terminal for the editor: vi printed "Output
    is not to a terminal" and exited 1, and no note was written, with no word why."""
    ran = tmp_path / "ran"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _fake_editor(tmp_path, f"touch {ran}\n"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = run(capsys, pipeline, "note", "ben")
    assert out == ""
    assert one_line_error(code, err) == (
        "pipeline-tui: error: No note given, and no terminal to write one in your editor: "
        "give its words, or - to read it from stdin."
    )
    assert not ran.exists() and service_for(pipeline).card(3).notes == ()


def _fake_editor(tmp_path: Path, script: str) -> str:
    editor = tmp_path / "fake-editor"
    editor.write_text("#!/bin/sh\n" + script)
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    return str(editor)


def test_note_without_text_opens_the_editor(
    capsys: pytest.CaptureFixture[str],
    pipeline: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    at_a_terminal: None,
) -> None:
    # The editor is given one file name, as git gives it; it writes the note there.
    seen = tmp_path / "seen"
    editor = _fake_editor(
        tmp_path, f'echo "$1" > {seen}\nprintf "Budget closes Friday\\n\\nAsk about Q1\\n" > "$1"\n'
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    code, out, err = run(capsys, pipeline, "note", "ben", "--kind", "urgency")
    assert (code, err) == (0, "")
    assert out == "Added an urgency note to Ben Hollis (note 1).\n"
    [note] = service_for(pipeline).card(3).notes
    assert (note.kind, note.body) == (NoteKind.URGENCY, "Budget closes Friday\n\nAsk about Q1")
    path = Path(seen.read_text().strip())
    assert path.suffix == ".md" and not path.exists(), "the temporary file is removed"


def test_visual_wins_over_editor_and_takes_arguments(
    capsys: pytest.CaptureFixture[str],
    pipeline: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    at_a_terminal: None,
) -> None:
    editor = _fake_editor(tmp_path, '[ "$1" = "--wait" ] || exit 9\nprintf "waited" > "$2"\n')
    monkeypatch.setenv("VISUAL", f"{editor} --wait")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    # The flag reaches the editor as a word of its own, before the file, as with git.
    code, _, err = run(capsys, pipeline, "note", "ben")
    assert (code, err) == (0, "")
    [note] = service_for(pipeline).card(3).notes
    assert note.body == "waited"


def test_an_editor_that_fails_or_writes_nothing_saves_nothing(
    capsys: pytest.CaptureFixture[str],
    pipeline: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    at_a_terminal: None,
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _fake_editor(tmp_path, "exit 0\n"))
    code, _, err = run(capsys, pipeline, "note", "ben")
    assert one_line_error(code, err).endswith("The note is empty; nothing was saved.")
    monkeypatch.setenv("EDITOR", _fake_editor(tmp_path, 'echo "half a thought" > "$1"\nexit 3\n'))
    code, _, err = run(capsys, pipeline, "note", "ben")
    line = one_line_error(code, err)
    assert "exited with status 3; what it wrote is kept in " in line
    kept = Path(line.rsplit("kept in ", 1)[1].rstrip("."))
    assert kept.read_text() == "half a thought\n"
    kept.unlink()
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
    code, _, err = run(capsys, pipeline, "note", "ben")
    assert "was not found; set $VISUAL or $EDITOR" in one_line_error(code, err)
    assert service_for(pipeline).card(3).notes == ()


# log -----------------------------------------------------------------------------------------


def test_log_a_touchpoint_on_a_past_day(capsys: pytest.CaptureFixture[str], pipeline: Path) -> None:
    code, out, _ = run(
        capsys, pipeline, "log", "ben", "--kind", "meeting", "--on", "fri", "Site", "visit"
    )
    assert (code, out) == (0, "Logged a meeting with Ben Hollis 2026-11-20.\n")
    [touchpoint] = service_for(pipeline).card(3).touchpoints
    assert (touchpoint.kind, touchpoint.summary) == (TouchpointKind.MEETING, "Site visit")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("log", "ben", "hello"), "Say what kind of touchpoint with --kind: social, sample,"),
        (("log", "ben", "-k", "fax"), "Unknown touchpoint kind 'fax'; choose one of social,"),
        (("log", "ben", "-k", "call", "--on", "+2d"), "2026-11-25 is in the future; a touchpoint"),
        (("log", "ben", "-k", "call", "--on", "2026-12-25"), "2026-12-25 is in the future;"),
        (("note", "ben", "-k", "gossip", "x"), "Unknown note kind 'gossip'; choose one of"),
        (("next", "ben", "Call", "--due", "someday"), "'someday' is not a date;"),
        (("done", "ben", "--due", "fri"), "--due goes with --next ACTION"),
        (("move", "ben", "customer"), "Unknown stage 'customer'; choose one of lead,"),
        (("agenda", "--days", "0"), "--days must be at least 1."),
        (("search", "x", "--limit", "0"), "--limit must be at least 1."),
    ],
)
def test_mistakes_are_one_sentence(
    capsys: pytest.CaptureFixture[str], pipeline: Path, argv: tuple[str, ...], expected: str
) -> None:
    code, _, err = run(capsys, pipeline, *argv)
    assert expected in one_line_error(code, err)


# next and done ------------------------------------------------------------------------------


def test_next_then_done_with_the_one_after(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    code, out, _ = run(
        capsys, pipeline, "next", "ben", "Call", "about", "the", "pilot", "--due", "wed"
    )
    assert (code, out) == (0, "Next for Ben Hollis: Call about the pilot, due 2026-11-25 (Wed).\n")
    code, out, _ = run(capsys, pipeline, "next", "3", "Send the quote", "--due", "tomorrow")
    assert out.endswith("(was: Call about the pilot).\n")
    code, out, err = run(
        capsys,
        pipeline,
        "done",
        "ben",
        "--note",
        "Agreed a pilot",
        "--next",
        "Send the contract",
        "--due",
        "+2d",
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Done: Send the quote (Ben Hollis, logged as email).",
        "Next for Ben Hollis: Send the contract, due 2026-11-25 (Wed).",
    ]
    card = service_for(pipeline).card(3)
    assert (card.summary.next_action, card.summary.next_action_due) == (
        "Send the contract",
        TODAY.replace(day=25),
    )
    assert [(t.kind, t.summary) for t in card.touchpoints] == [
        (TouchpointKind.EMAIL, "Agreed a pilot")
    ]


def test_a_check_in_done_with_a_lead_is_not_a_follow_up_after_a_sale(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    """ "Check in" (or "Follow up") done was logged as a follow-up after a sale, and as a
    lead's first touchpoint it became the card's source; reports then counted a lead
    that never bought as coming from follow-ups."""
    run(capsys, pipeline, "next", "ben", "Check in", "--due", "today")
    code, out, _ = run(capsys, pipeline, "done", "ben")
    assert (code, out) == (0, "Done: Check in (Ben Hollis, logged as conversation).\n")
    assert [t.kind for t in service_for(pipeline).card(3).touchpoints] == [
        TouchpointKind.CONVERSATION
    ]


def test_done_without_next_says_how_to_set_one(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    run(capsys, pipeline, "next", "ben", "Call back", "--due", "today")
    code, out, err = run(capsys, pipeline, "done", "ben", "--kind", "conversation")
    assert code == 0
    assert out == "Done: Call back (Ben Hollis, logged as conversation).\n"
    hint = "set one with: pipeline-tui next 3 ACTION --due DATE"
    assert err == f"Ben Hollis has no next action now; {hint}\n"
    [touchpoint] = service_for(pipeline).card(3).touchpoints
    assert touchpoint.summary == "Done: Call back"
    code, _, err = run(capsys, pipeline, "done", "ben")
    assert one_line_error(code, err).endswith("Ben Hollis has no next action to mark done.")


def test_done_with_another_step_planned_says_that_one_is_next(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    """The step after it comes up as the next action; `done` said the card had none and
    how to set one."""
    run(capsys, pipeline, "next", "ben", "Call back", "--due", "today")
    service = service_for(pipeline)
    service.add_activity(3, None, "Send the proposal", date(2026, 11, 27))
    code, out, err = run(capsys, pipeline, "done", "ben", "--kind", "conversation")
    assert code == 0 and err == ""
    assert out == (
        "Done: Call back (Ben Hollis, logged as conversation).\n"
        "Next for Ben Hollis: Send the proposal, due 2026-11-27 (Fri), already planned.\n"
    )


# move ------------------------------------------------------------------------------------------


def test_an_unqualified_lead_moves_on_only_with_a_reason(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    code, _, err = run(capsys, pipeline, "move", "okafor", "prospect")
    line = one_line_error(code, err)
    assert "Ann Okafor meets 0/4 criteria (not: can afford it," in line
    assert line.endswith("or move with --override REASON.")
    assert service_for(pipeline).card(1).summary.stage is Stage.LEAD
    code, out, _ = run(
        capsys, pipeline, "move", "okafor", "prospect", "--override", "Budget confirmed"
    )
    assert (code, out) == (0, "Moved Ann Okafor from Lead to Prospect.\n")
    history = service_for(pipeline).card(1).history
    assert history[-1].note.startswith("qualification overridden at 0/4 (")
    assert history[-1].note.endswith("): Budget confirmed")


def test_an_override_reason_too_long_to_keep_whole_is_refused(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    """It was cut at the stage history's limit, silently."""
    code, _, err = run(capsys, pipeline, "move", "okafor", "prospect", "--override", "x" * 600)
    line = one_line_error(code, err)
    assert line == (
        "pipeline-tui: error: The override reason can be at most 500 characters; this one has 600."
    )
    assert service_for(pipeline).card(1).summary.stage is Stage.LEAD


def test_a_qualified_lead_and_any_other_card_just_move(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    service = service_for(pipeline)
    service.save_qualification(1, {c: CriterionAnswer(Answer.YES) for c in DEFAULT_CRITERIA})
    assert run(capsys, pipeline, "move", "1", "prospect")[1] == (
        "Moved Ann Okafor from Lead to Prospect.\n"
    )
    assert (
        run(capsys, pipeline, "move", "ben", "lead")[1]
        == "Moved Ben Hollis from Prospect to Lead.\n"
    )
    assert run(capsys, pipeline, "move", "ben", "lead")[1] == "Ben Hollis is already in Lead.\n"


# show and search -----------------------------------------------------------------------------


def test_show_in_markdown_keeps_user_text_literal(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    # As brief and standup already did: before, a name with "|" or an organisation that
    # looked like HTML went into the Markdown as markup.
    run(capsys, db, "add", "Pipe | Name", "--org", "<script>x</script>", "--next", "Call `x` *now*")
    run(capsys, db, "log", "pipe", "-k", "call", "**bold** [link](http://x.example)")
    code, markdown, _ = run(capsys, db, "show", "pipe", "--format", "markdown")
    assert code == 0
    assert markdown.startswith("# Pipe \\| Name · \\<script\\>x\\</script\\>\n")
    assert "- Call \\`x\\` \\*now\\*" in markdown
    assert "Call  \\*\\*bold\\*\\* \\[link\\](http://x.example)" in markdown
    _, text, _ = run(capsys, db, "show", "pipe")
    assert text.startswith("Pipe | Name · <script>x</script>  (card 1)\n")


def test_show_in_text_markdown_and_json(capsys: pytest.CaptureFixture[str], pipeline: Path) -> None:
    run(capsys, pipeline, "note", "okafor", "-k", "problem", "Quotes take a week")
    run(capsys, pipeline, "note", "okafor", "-k", "goal", "Quote within 48 hours")
    run(capsys, pipeline, "log", "okafor", "-k", "call", "--on", "fri", "First call")
    run(capsys, pipeline, "next", "okafor", "Send the checklist", "--due", "2026-11-20")
    code, text, _ = run(capsys, pipeline, "show", "okafor")
    assert code == 0
    for expected in (
        "Ann Okafor · Brightwater Dental  (card 1)",
        "Lead · qualified 0/4 · owner",
        "Email ann@brightwater.example",
        "Next action\n  Send the checklist — ! due 2026-11-20 (3d late)",
        "  PROBLEM\n    ",
        "Quotes take a week",
        "Touchpoints (1)\n  2026-11-20  Call  First call",
        "Stage history\n  ",
        "Added as Lead by ",
    ):
        assert expected in text, expected
    _, markdown, _ = run(capsys, pipeline, "show", "okafor", "--format", "markdown")
    assert markdown.startswith("# Ann Okafor · Brightwater Dental\n")
    assert "## Research notes (2)" in markdown and "### Goal" in markdown
    _, raw, _ = run(capsys, pipeline, "show", "okafor", "--format", "json")
    record = json.loads(raw)
    assert record["next_action"] == {
        "action": "Send the checklist",
        "due": "2026-11-20",
        "overdue": True,
    }
    assert {n["kind"]: n["body"] for n in record["notes"]} == {
        "problem": "Quotes take a week",
        "goal": "Quote within 48 hours",
    }
    assert record["touchpoints"] == [{"kind": "call", "on": "2026-11-20", "summary": "First call"}]
    assert record["qualification"]["score"] == "0/4"


def test_show_prints_user_text_without_terminal_controls(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Eve \x1b]52;c;aGk=\x07Evil", "--force")
    run(capsys, db, "note", "1", "Line one\x1b[2J\nline two")
    _, out, _ = run(capsys, db, "show", "1")
    assert "\x1b" not in out and "\x07" not in out
    assert "Eve Evil" in out and "line two" in out


def test_search_ranks_cards_and_notes_with_snippets(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    run(capsys, pipeline, "note", "ben", "-k", "insight", "They could franchise the second site")
    code, out, _ = run(capsys, pipeline, "search", "franchise")
    assert code == 0
    assert out.splitlines() == [
        "    3  Ben Hollis, prospect  [insight note]",
        "       They could franchise the second site",  # the whole note: nothing cut
    ]
    code, out, _ = run(capsys, pipeline, "search", "brightwater", "--format", "json")
    assert [(h["card_id"], h["note_id"]) for h in json.loads(out)] == [(1, None)]
    code, out, err = run(capsys, pipeline, "search", "nothing-like-it")
    assert (code, out) == (1, "") and "No card or note matches" in err


def test_search_marks_a_cut_snippet_once(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    long_note = (
        "They run three sites and every quote takes them a week to send because the "
        "franchise office approves each one by hand, which loses them deals every month."
    )
    run(capsys, pipeline, "note", "ben", "-k", "problem", long_note)
    code, out, _ = run(capsys, pipeline, "search", "franchise")
    assert code == 0
    snippet = out.splitlines()[1].strip()
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "……" not in snippet and "..." not in snippet
    assert "franchise office" in snippet


@pytest.mark.parametrize("query", [[""], ["  "], ["", ""], ["?!"]])
def test_search_with_no_words_says_it_needs_some(
    capsys: pytest.CaptureFixture[str], pipeline: Path, query: list[str]
) -> None:
    """`search ""` said "No card or note matches ''", as if it had looked."""
    for fmt in ("text", "json"):
        code, out, err = run(capsys, pipeline, "search", *query, "--format", fmt)
        assert one_line_error(code, err) == (
            "pipeline-tui: error: Search needs words to look for: part of a name, an email, "
            "or words from a note."
        )
        assert (code, out) == (1, "")


def test_search_with_no_database_says_so_and_creates_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "not-yet" / "pipeline.db"
    for fmt in ("text", "json"):
        code, out, err = run(capsys, missing, "search", "ann", "--format", fmt)
        assert one_line_error(code, err) == (
            f"pipeline-tui: error: There is no pipeline at {missing} yet, "
            "so there is nothing to search."
        )
        assert out == ""
    assert not missing.parent.exists()


# agenda ----------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(capsys: pytest.CaptureFixture[str], pipeline: Path) -> Path:
    run(capsys, pipeline, "next", "okafor", "Send the checklist", "--due", "2026-11-20")
    run(capsys, pipeline, "next", "annabel", "Call about the renewal", "--due", "today")
    run(capsys, pipeline, "next", "ben", "Demo", "--due", "wed")
    run(capsys, pipeline, "add", "Far Future", "--next", "Check in", "--due", "2027-03-01")
    return pipeline


def test_agenda_by_day_overdue_first(capsys: pytest.CaptureFixture[str], scheduled: Path) -> None:
    code, out, err = run(capsys, scheduled, "agenda")
    assert (code, err) == (0, "")
    assert out == (
        "Overdue (1)\n"
        "      1  Send the checklist · Ann Okafor (Brightwater Dental)  ! 3d late\n"
        "\n"
        "Today · Mon 23 Nov (1)\n"
        "      2  Call about the renewal · Annabel Lee (Lee & Co)\n"
        "\n"
        "Wed 25 Nov (1)\n"
        "      3  Demo · Ben Hollis\n"
    )
    _, out, _ = run(capsys, scheduled, "agenda", "--days", "1", "--format", "json")
    days = json.loads(out)
    assert [d["label"] for d in days] == ["Overdue", "Today · Mon 23 Nov"]
    assert days[0]["actions"][0]["overdue"] is True
    assert days[1]["actions"][0]["name"] == "Annabel Lee"


def test_agenda_by_default_lists_the_days_the_week_screen_does(
    capsys: pytest.CaptureFixture[str], scheduled: Path
) -> None:
    """The week screen runs from today to the same weekday next week; `agenda` stopped
    the day before, and a step due next Monday was on one and not the other."""
    run(capsys, scheduled, "add", "Mo Day", "--next", "Call", "--due", "2026-11-30")
    _, out, _ = run(capsys, scheduled, "agenda")
    assert out.endswith("Mon 30 Nov (1)\n      5  Call · Mo Day\n"), out


def test_agenda_lists_every_step_planned_as_the_week_does(
    capsys: pytest.CaptureFixture[str], scheduled: Path
) -> None:
    """A card's later step this week (the proposal Friday, after Wednesday's demo) was on
    the week screen and missing from `agenda`, which the README says lists the same
    days. The calendar file keeps one event per card: its next action."""
    service = service_for(scheduled)
    (ben,) = [c for c in service.cards() if c.name == "Ben Hollis"]
    service.add_activity(ben.id, None, "Send the proposal", date(2026, 11, 27), time(14, 30))
    service.database.close()
    code, out, err = run(capsys, scheduled, "agenda")
    assert (code, err) == (0, "")
    assert out.endswith(
        "Wed 25 Nov (1)\n"
        "      3  Demo · Ben Hollis\n"
        "\n"
        "Fri 27 Nov (1)\n"
        "      3  14:30 Send the proposal · Ben Hollis\n"
    ), out
    _, out, _ = run(capsys, scheduled, "agenda", "--format", "json")
    friday = json.loads(out)[-1]["actions"][0]
    assert (friday["action"], friday["time"], friday["card_id"]) == (
        "Send the proposal",
        "14:30",
        3,
    )
    _, out, _ = run(capsys, scheduled, "agenda", "--format", "ics")
    assert out.count("BEGIN:VEVENT") == 3 and "Send the proposal" not in out


def test_agenda_mine_and_nothing_due(capsys: pytest.CaptureFixture[str], scheduled: Path) -> None:
    """Nothing due exits 1, as README says (like grep and `search`): it exited 0, so a
    script could not tell an empty day from a full one. A calendar stays valid."""
    code, out, _ = run(capsys, scheduled, "agenda", "--owner", "nobody")
    assert (code, out) == (1, "Nothing due today or in the next 7 days.\n")
    code, out, _ = run(capsys, scheduled, "agenda", "--owner", "nobody", "--format", "json")
    assert (code, json.loads(out)) == (1, [])
    code, out, _ = run(capsys, scheduled, "agenda", "--owner", "nobody", "--format", "ics")
    assert code == 0 and out.startswith("BEGIN:VCALENDAR")
    assert run(capsys, scheduled, "agenda")[0] == 0


def test_opening_the_board_loads_none_of_the_shell_commands() -> None:
    # The board is the common case and must start fast: the daily commands, capture,
    # the calendar writer and icalendar load only when a command or config needs them.
    import subprocess

    code = (
        "import sys, pipeline_tui.cli as cli, pipeline_tui.ui.app;"
        "import pipeline_tui.ui.screens.card, pipeline_tui.ui.screens.note_editor;"
        "cli.parse_args(['--db', 'p.db']);"
        "print(sorted(m for m in sys.modules if m.startswith('pipeline_tui.shell')"
        " or m.split('.')[0] in ('icalendar', 'email', 'quopri')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_bytes_that_are_not_utf8_are_read_as_windows_1252_not_a_traceback(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """An argument from a Latin-1 terminal, a note in Windows-1252 on stdin, a mail
    header with 8-bit bytes or a mislabelled encoded word (legacy mail piped from mutt):
    each raised UnicodeEncodeError, as a traceback, on its way into the database.

    Each goes in through the installed command, as the bytes reach it from a terminal
    or a pipe (the interpreter decodes the arguments); what went in is read back once,
    by `list`, and the note from the database. (Each command is a process start-up,
    about 0.6 s of CPU.)"""
    script = Path(sys.executable).parent / "pipeline-tui"
    database = str(tmp_path / "p.db")
    shutil.copyfile(sqlite_template, database)  # an empty pipeline, already migrated

    def command(*argv: bytes, stdin: bytes = b"") -> str:
        result = subprocess.run(
            [bytes(script), b"--db", database.encode(), *argv],
            input=stdin,
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr.decode(errors="replace")
        return result.stdout.decode(errors="replace")  # a file name as given, in bytes

    command(b"add", b"Ren\xe9 Arg", b"--org", b"Caf\xe9 \x80 Co")
    command(b"note", b"1", b"-", stdin=b"Prefers caf\xe9 meetings\n")
    mail = b"Subject: hello\nDate: Fri, 04 Dec 2026 10:00:00 +0000\n\nhi\n"
    command(b"log", b"-", stdin=b"From: Ren\xe9 Raw <raw@x.example>\n" + mail)
    command(b"log", b"-", stdin=b"From: =?utf-8?q?Ren=E9_Word?= <word@x.example>\n" + mail)
    # A file name is not text to mend: the file is found by the bytes of its name.
    clients = bytes(tmp_path) + b"/clients-caf\xe9.csv"
    with open(clients, "wb") as handle:
        handle.write(b"Name,Company\nZo\xeb Byte,Bytes Ltd\n")
    command(b"import", clients)
    cards = json.loads(command(b"list", b"--format", b"json"))
    assert sorted((card["name"], card["organisation"]) for card in cards) == [
        ("René Arg", "Café € Co"),
        ("René Raw", ""),
        ("René Word", ""),
        ("Zoë Byte", "Bytes Ltd"),
    ]
    service = service_for(Path(database))
    try:
        assert [note.body for note in service.card(1).notes] == ["Prefers café meetings"]
    finally:
        service.database.close()


def test_a_day_in_the_past_follows_on_as_its_help_says(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    # "--on -3d": argparse took the -3d for an option ("expected one argument").
    assert run(capsys, pipeline, "log", "3", "--kind", "call", "--on", "-3d", "Called")[0] == 0
    assert run(capsys, pipeline, "next", "3", "Send the quote", "--due", "+2d")[0] == 0
    assert run(capsys, pipeline, "done", "3", "--on", "-1d")[0] == 0
    card = service_for(pipeline).card(3)
    assert sorted(t.happened_on for t in card.touchpoints) == [
        TODAY - timedelta(days=3),
        TODAY - timedelta(days=1),
    ]


def test_every_date_the_command_line_takes_can_be_written_minus_days(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """A word like -3d is a value wherever a date goes, an option's or a command's own
    (park's DATE was read as an unknown option), and a minus word in a summary is text."""
    ran = [
        ("add", "Ann Okafor", "--next", "Call", "--due", "-3d", "--close", "-1w"),
        ("value", "ann", "5k", "--close", "-2d"),
        ("log", "ann", "--kind", "call", "--on", "-3d", "-2d", "late"),
        ("done", "ann", "--on", "-1d", "--next", "Send the quote", "--due", "-1d"),
        ("standup", "--since", "-3d"),
        ("agenda", "--days", "7"),
    ]
    for argv in ran:
        code, _, err = run(capsys, db, *argv)
        assert (code, err) == (0, ""), argv
    card = service_for(db).card(1)
    assert card.summary.expected_close == TODAY - timedelta(days=2)
    assert card.summary.next_action_due == TODAY - timedelta(days=1)
    assert sorted((t.happened_on, t.summary) for t in card.touchpoints) == [
        (TODAY - timedelta(days=3), "-2d late"),
        (TODAY - timedelta(days=1), "Done: Call"),
    ]


@pytest.mark.parametrize(
    ("typed", "due"), [("yesterday", "2026-11-22"), ("-3d", "2026-11-20"), ("2026-11-20", None)]
)
def test_add_and_next_take_a_day_gone_by_in_any_form(
    capsys: pytest.CaptureFixture[str], db: Path, typed: str, due: str | None
) -> None:
    """`add --due 2026-11-20` (past) was taken while `--due yesterday` was "not a date";
    a next action may already be late, however the day is written."""
    due = due or typed
    code, out, err = run(capsys, db, "add", "Ann Okafor", "--next", "Call back", "--due", typed)
    assert (code, out, err) == (0, "Added Ann Okafor to Lead (card 1).\n", "")
    code, out, _ = run(capsys, db, "list", "--format", "json")
    assert [r["next_action_due"] for r in json.loads(out)] == [due]
    code, out, err = run(capsys, db, "next", "ann", "Send the quote", "--due", typed)
    assert (code, err) == (0, "")
    assert out.startswith(f"Next for Ann Okafor: Send the quote, due {due} (")
    assert service_for(db).card(1).summary.next_action_due == date.fromisoformat(due)


@pytest.mark.parametrize("words", ["", "   "])
def test_next_with_no_words_refuses_and_keeps_the_next_action(
    capsys: pytest.CaptureFixture[str], pipeline: Path, words: str
) -> None:
    # An unset shell variable (next ann "$STEP") dropped the next action, unlogged.
    assert run(capsys, pipeline, "next", "3", "Send the quote")[0] == 0
    line = one_line_error(*run(capsys, pipeline, "next", "3", words)[::2])
    assert "needs words" in line
    assert service_for(pipeline).card(3).summary.next_action == "Send the quote"


@pytest.mark.parametrize(
    ("kind", "step", "logged"),
    [
        (ActivityKind.EMAIL, "Quote for the pilot", TouchpointKind.EMAIL),
        (ActivityKind.MEETING, "Pricing review", TouchpointKind.MEETING),
    ],
)
def test_done_logs_the_kind_the_step_was_scheduled_as(
    capsys: pytest.CaptureFixture[str],
    pipeline: Path,
    kind: ActivityKind,
    step: str,
    logged: TouchpointKind,
) -> None:
    """A step scheduled as an email or a meeting, in words that do not say so, was
    logged by `done` as a conversation, while x on the card logged it as what it was."""
    service_for(pipeline).add_activity(3, kind, step, TODAY)
    code, out, _ = run(capsys, pipeline, "done", "ben")
    label = logged.label.lower()
    assert (code, out) == (0, f"Done: {step} (Ben Hollis, logged as {label}).\n")
    assert [t.kind for t in service_for(pipeline).card(3).touchpoints] == [logged]


def test_a_step_reworded_keeps_a_kind_chosen_and_follows_words_that_named_it(
    capsys: pytest.CaptureFixture[str], pipeline: Path
) -> None:
    """`next` rewords the step: a meeting called "Pricing review" is still a meeting,
    while "Call about the pilot" reworded "Send the quote" is an email now, not a call
    (the kind only said what the old words said), and `done` logs it as one."""
    service_for(pipeline).add_activity(3, ActivityKind.MEETING, "Pricing review", TODAY)
    run(capsys, pipeline, "next", "ben", "Pricing review, second round", "--due", "today")
    run(capsys, pipeline, "next", "1", "Call about the pilot", "--due", "today")
    run(capsys, pipeline, "next", "1", "Send the quote", "--due", "today")
    service = service_for(pipeline)
    assert [(a.kind, a.text) for a in service.activities(3)] == [
        (ActivityKind.MEETING, "Pricing review, second round")
    ]
    assert [(a.kind, a.text) for a in service.activities(1)] == [
        (ActivityKind.EMAIL, "Send the quote")
    ]
    code, out, _ = run(capsys, pipeline, "done", "1")
    assert (code, out) == (0, "Done: Send the quote (Ann Okafor, logged as email).\n")


def test_a_note_piped_in_as_utf16_is_kept_as_written(
    capsys: pytest.CaptureFixture[str], pipeline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Notepad's "Unicode" is UTF-16 with a byte-order mark: it was kept as
    # "ÿþHällo ... ¬", the mark read as two letters and the euro sign lost.
    written = "Hällo from UTF-16 €\nSecond line"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(written.encode("utf-16"))))
    code, _, err = run(capsys, pipeline, "note", "ben", "-")
    assert (code, err) == (0, "")
    assert [n.body for n in service_for(pipeline).card(3).notes] == [written]


@pytest.mark.parametrize("argv", [("note", "ben", "-"), ("note", "ben")])
def test_a_note_with_stdin_closed_is_one_sentence(
    capsys: pytest.CaptureFixture[str],
    pipeline: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    monkeypatch.setattr(sys, "stdin", None)  # `note ben - <&-`: a traceback before
    code, _, err = run(capsys, pipeline, *argv)
    assert code != 0 and "Traceback" not in err
    assert len(err.splitlines()) == 1 and err.startswith("pipeline-tui: error: ")
