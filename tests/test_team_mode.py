"""Team mode: PostgreSQL credentials and connection errors, and two real processes
editing one card (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import URL, make_url

from pipeline_tui.domain.capture import Captured
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.shell.capture import read_captured
from pipeline_tui.store import AlreadyLogged, PipelineService, StoreError, daily, open_database
from pipeline_tui.store.models import CardRow
from tests.conftest import NOW, TODAY
from tests.test_cli import assert_one_line_error, run

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parent.parent


def _without_password(url: URL) -> str:
    # (URL.set(password=None) would keep the password: None there means "unchanged".)
    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database)
    assert bare.password is None
    return bare.render_as_string(hide_password=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def pg(pg_database: str, monkeypatch: pytest.MonkeyPatch) -> URL:
    """The test server's URL, with no libpq settings leaking in from outside."""
    for name in ("PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGUSER", "PGHOST"):
        monkeypatch.delenv(name, raising=False)
    # libpq falls back to ~/.pgpass: point HOME somewhere empty.
    monkeypatch.setenv("HOME", str(Path(os.environ["XDG_DATA_HOME"]).parent))
    return make_url(pg_database)


# Credentials ---------------------------------------------------------------------------


def test_password_from_the_url(capsys: pytest.CaptureFixture[str], pg: URL) -> None:
    url = pg.render_as_string(hide_password=False)
    assert run(capsys, "--db", url, "add", "Ann")[0] == 0
    code, out, err = run(capsys, "--db", url, "list", "--format", "csv")
    assert (code, err) == (0, "")
    assert "Ann" in out


def test_password_from_pgpassword(
    capsys: pytest.CaptureFixture[str], pg: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", str(pg.password))
    code, out, err = run(capsys, "--db", _without_password(pg), "add", "Ann")
    assert (code, err) == (0, "")
    assert "Added Ann" in out


def test_password_from_a_private_password_file(
    capsys: pytest.CaptureFixture[str], pg: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"{pg.host}:{pg.port}:*:{pg.username}:{pg.password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    code, out, err = run(capsys, "--db", _without_password(pg), "add", "Ann")
    assert (code, err) == (0, "")
    assert "Added Ann" in out


def test_a_missing_password_says_where_one_can_come_from(
    capsys: pytest.CaptureFixture[str], pg: URL
) -> None:
    code, _, err = run(capsys, "--db", _without_password(pg), "list")
    line = assert_one_line_error(code, err)
    assert "needs a password" in line and "PGPASSWORD" in line and "PGPASSFILE" in line


def test_a_wrong_password_is_one_sentence_and_never_printed(
    capsys: pytest.CaptureFixture[str], pg: URL
) -> None:
    wrong = pg.set(password="hunter2-wrong").render_as_string(hide_password=False)
    code, out, err = run(capsys, "--db", wrong, "list")
    line = assert_one_line_error(code, err)
    assert "refused the password" in line and str(pg.username) in line
    assert "hunter2" not in out + err and str(pg.password) not in out + err
    assert "***" in line  # the URL is shown, masked


@pytest.mark.parametrize("password", ["on", "e", "x"])
def test_a_password_found_inside_words_leaves_the_sentence_whole(
    capsys: pytest.CaptureFixture[str], pg: URL, password: str
) -> None:
    # Starred out inside words, "on" turned "connection refused" into "c***necti***
    # refused", which then went out as the driver's raw text, not the sentence.
    closed = pg.set(port=_free_port(), password=password).render_as_string(hide_password=False)
    line = assert_one_line_error(*run(capsys, "--db", closed, "list")[::2])
    assert "connection was refused" in line, line
    wrong = pg.set(password=password).render_as_string(hide_password=False)
    line = assert_one_line_error(*run(capsys, "--db", wrong, "list")[::2])
    assert "refused the password" in line and str(pg.username) in line, line


def test_a_refused_connection_is_one_sentence_from_the_real_command(pg: URL) -> None:
    closed = pg.set(port=_free_port(), password="s3cret-pw").render_as_string(hide_password=False)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline_tui", "--db", closed, "list"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    line = assert_one_line_error(result.returncode, result.stderr)
    assert "connection was refused" in line
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert result.stdout == ""


# Two processes, one card ----------------------------------------------------------------

EDITOR = """
import sys
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.store import ConflictError, PipelineService, open_database

url, card_id, organisation = sys.argv[1], int(sys.argv[2]), sys.argv[3]
database = open_database(url)
service = PipelineService(database, organisation)
detail = service.card(card_id)  # what this rep has on screen
print("read", detail.version, flush=True)
sys.stdin.readline()  # ... the rep types, then saves
draft = CardDraft(detail.summary.name, organisation=organisation)
try:
    service.update_card(card_id, draft, detail.version)
except ConflictError as error:
    print("refused", error, flush=True)
    print("reloaded", service.card(card_id).summary.organisation, flush=True)
else:
    print("saved", flush=True)
database.close()
"""


def _editor(db_url: str, card_id: int, organisation: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", EDITOR, db_url, str(card_id), organisation],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_two_processes_edit_one_card_and_the_second_save_is_refused(
    db_url: str, service: PipelineService
) -> None:
    card = service.add_card(CardDraft("Ann", organisation="Acme")).card_id
    first, second = _editor(db_url, card, "First Ltd"), _editor(db_url, card, "Second Ltd")
    try:
        assert first.stdout is not None and second.stdout is not None
        assert first.stdin is not None and second.stdin is not None
        # Both have read the same version before either saves.
        assert first.stdout.readline().split() == ["read", "1"]
        assert second.stdout.readline().split() == ["read", "1"]
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.stdout.readline().strip() == "saved"
        second.stdin.write("\n")
        second.stdin.flush()
        refused = second.stdout.readline()
        assert refused.startswith("refused Ann was changed elsewhere"), refused
        assert second.stdout.readline().strip() == "reloaded First Ltd"
        assert first.wait(30) == 0 and second.wait(30) == 0
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
                process.wait()
    detail = service.card(card)
    assert detail.summary.organisation == "First Ltd"
    assert detail.version == 2


def test_a_write_inside_a_read_is_refused(pg_database: str) -> None:
    # A read is one snapshot (REPEATABLE READ); a write slipped into one would meet
    # another rep's change as an occasional conflict. It is refused every time instead.
    database = open_database(pg_database)
    service = PipelineService(database, "sam")
    card_id = service.add_card(CardDraft(name="Ada"), Stage.LEAD).card_id
    with pytest.raises(StoreError, match="read-only"), database.read() as session:
        session.execute(update(CardRow).where(CardRow.id == card_id).values(name="Changed"))
    assert service.card(card_id).summary.name == "Ada"
    database.close()


# Two instances logging one item ----------------------------------------------------------

CAPTURE_FIXTURES = ROOT / "tests" / "fixtures" / "capture"
ME = ("sam@ourfirm.example",)
# The rep's mail to Ann as aerc's Sent copy, and Thunderbird's invitation to her as
# sent (the layouts are described in test_capture.py): the email leaves Ann's card as
# it is, the invite makes its meeting her next action.
ITEMS = pytest.mark.parametrize("item", ["aerc-sent.eml", "thunderbird-sent-invite.ics"])


def _read(item: str) -> Captured:
    return read_captured((CAPTURE_FIXTURES / item).read_bytes(), TODAY)


@ITEMS
def test_an_item_logged_by_another_instance_after_the_check_is_refused_whole(
    db_url: str, service: PipelineService, monkeypatch: pytest.MonkeyPatch, item: str
) -> None:
    # The other instance logged the item after this one looked for it and before it
    # wrote: this one's look finds nothing. Its write is refused as a second log is,
    # and nothing it did (a second touchpoint on Ann) is kept.
    ann = service.add_card(CardDraft("Ann Okafor", email="ann@brightwater.example")).card_id
    other = open_database(db_url)
    try:
        [logged] = PipelineService(other, "ana", clock=lambda: NOW).capture(_read(item), ME)
        assert logged.card_id == ann
    finally:
        other.close()
    looks: list[list[object]] = [[]]
    real = daily._logged_before
    monkeypatch.setattr(daily, "_logged_before", lambda s, c: looks.pop() if looks else real(s, c))
    with pytest.raises(AlreadyLogged) as refused:
        service.capture(_read(item), ME)
    assert str(refused.value) == (
        "Already logged on Ann Okafor (card 1) on 2026-11-23; nothing was logged."
    )
    assert len(service.card(ann).touchpoints) == 1


@ITEMS
def test_two_instances_logging_one_item_at_once_log_it_once(pg_database: str, item: str) -> None:
    # A real race on PostgreSQL: both instances look for the item before either
    # writes (SQLite's BEGIN IMMEDIATE already lets only one writer look at a time).
    first, second = open_database(pg_database), open_database(pg_database)
    services = [PipelineService(first, "sam", clock=lambda: NOW)]
    services.append(PipelineService(second, "ana", clock=lambda: NOW))
    ann = services[0].add_card(CardDraft("Ann Okafor", email="ann@brightwater.example")).card_id
    both_looked = threading.Barrier(2, timeout=30)
    first_looks = [True, True]
    real = daily._logged_before

    def look_then_wait(session: object, captured: Captured) -> object:
        found = real(session, captured)  # type: ignore[arg-type]
        if first_looks and first_looks.pop():  # each instance's first look only
            both_looked.wait()
        return found

    outcomes: list[object] = []

    def log(service: PipelineService) -> None:
        try:
            outcomes.append(service.capture(_read(item), ME))
        except Exception as error:  # the outcome is the test's to judge
            outcomes.append(error)

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(daily, "_logged_before", look_then_wait)
            threads = [threading.Thread(target=log, args=(s,)) for s in services]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        refusals = [o for o in outcomes if isinstance(o, AlreadyLogged)]
        assert len(outcomes) == 2 and len(refusals) == 1, outcomes
        assert str(refusals[0]) == (
            "Already logged on Ann Okafor (card 1) on 2026-11-23; nothing was logged."
        )
        assert len(services[0].card(ann).touchpoints) == 1
    finally:
        first.close()
        second.close()
