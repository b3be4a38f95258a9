"""The result cache: a result is computed once while the tables it read are unchanged, and again as soon as a
commit writes to one of them; nothing uncommitted is kept, and without Redis everything still works."""

from __future__ import annotations

from redis import Redis
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app import datacache, db
from app.calls.models import Call
from tests.caching.conftest import kept_entries
from tests.factories import create_call, create_user
from tests.servers import free_port


class Counted:
    """A computation that lists the calls' titles and counts how often it ran."""

    def __init__(self, statement=None):
        self.runs = 0
        self.statement = statement if statement is not None else select(Call.title).order_by(Call.id)

    def __call__(self):
        self.runs += 1
        return list(db.session.scalars(self.statement))


def remember(compute, key="calls"):
    return datacache.remember("test", key, compute)


def test_a_result_is_computed_once_while_its_tables_do_not_change(result_cache):
    create_call(title="Voices 2027")
    db.commit()
    titles = Counted()

    assert remember(titles) == ["Voices 2027"]
    assert remember(titles) == ["Voices 2027"]
    assert remember(titles, key="another page") == ["Voices 2027"]  # another key: its own entry

    assert titles.runs == 2
    [entry, _other] = kept_entries(result_cache, "test")
    assert entry["tables"] == ["calls"]


def test_a_commit_to_a_table_read_brings_the_new_data_at_once(result_cache):
    call = create_call(title="Voices 2027")
    db.commit()
    titles = Counted()
    remember(titles)

    call.title = "Voices 2028"
    db.commit()

    assert remember(titles) == ["Voices 2028"]
    assert titles.runs == 2


def test_a_bulk_statement_counts_as_a_write(result_cache):
    call = create_call(title="Voices 2027")
    db.commit()
    titles = Counted()
    remember(titles)

    db.session.execute(update(Call).where(Call.id == call.id).values(title="Renamed in bulk"))
    db.commit()

    assert remember(titles) == ["Renamed in bulk"]


def test_a_commit_to_other_tables_keeps_the_result(result_cache):
    create_call(title="Voices 2027")
    db.commit()
    titles = Counted()
    remember(titles)

    create_user(name="Someone Else")
    db.commit()

    assert remember(titles) == ["Voices 2027"]
    assert titles.runs == 1


def test_tables_joined_by_eager_loading_are_counted(result_cache):
    create_call(create_user("funder", name="Fanny Fonds"), title="Voices 2027")
    db.commit()
    def owners():
        return [call.owner.display_name for call in db.session.scalars(select(Call).options(joinedload(Call.owner)))]

    assert remember(owners) == ["Fanny Fonds"]
    [entry] = kept_entries(result_cache, "test")
    assert {"calls", "users"} <= set(entry["tables"])


def test_nothing_uncommitted_is_kept_or_hidden(result_cache):
    create_call(title="Voices 2027")
    db.commit()
    titles = Counted()
    remember(titles)
    create_call(title="Draft, not committed")

    assert remember(titles) == ["Voices 2027", "Draft, not committed"]  # this session sees its own change
    assert remember(titles) == ["Voices 2027", "Draft, not committed"]
    assert titles.runs == 3
    db.session.rollback()
    assert remember(titles) == ["Voices 2027"]


def test_a_computation_that_writes_is_not_kept(result_cache):
    create_call(title="Voices 2027")
    db.commit()

    def writes():
        create_user(name="Written while computing")
        return Counted()()

    remember(writes)
    db.session.rollback()
    assert kept_entries(result_cache, "test") == []


def test_a_result_marked_personal_is_not_kept(result_cache):
    def personal():
        datacache.dont_keep()
        return Counted()()

    remember(personal)
    assert kept_entries(result_cache, "test") == []


def test_forgetting_everything_drops_every_entry(app, result_cache):
    titles = Counted()
    create_call(title="Voices 2027")
    db.commit()
    remember(titles)

    datacache.forget_everything(app)

    remember(titles)
    assert titles.runs == 2


def test_an_unreachable_redis_only_costs_the_computation(app, caplog, monkeypatch):
    dead = Redis(host="127.0.0.1", port=free_port(), decode_responses=True, socket_connect_timeout=0.2)
    datacache.attach(app, dead)
    try:
        create_call(title="Voices 2027")
        db.commit()  # the generations cannot be raised: logged, the commit stands
        titles = Counted()
        assert remember(titles) == ["Voices 2027"]
        assert remember(titles) == ["Voices 2027"]
        assert titles.runs == 2
        # One warning, then Redis is left alone for a few seconds instead of being waited on at every request.
        assert len([r for r in caplog.records if "result cache unavailable" in r.getMessage()]) == 1
        calls = []
        monkeypatch.setattr(dead, "execute_command", lambda *args, **kwargs: calls.append(args))
        remember(titles)
        assert calls == []
    finally:
        datacache.attach(app, None)


def test_without_redis_results_are_computed_every_time():
    titles = Counted()
    remember(titles)
    remember(titles)
    assert titles.runs == 2


def test_the_clear_command_drops_every_kept_result(app, result_cache):
    titles = Counted()
    create_call(title="Voices 2027")
    db.commit()
    remember(titles)

    output = app.test_cli_runner().invoke(args=["cache", "clear"]).output

    assert "Every kept result is dropped" in output
    assert kept_entries(result_cache, "test") == []
    remember(titles)
    assert titles.runs == 2


def test_the_clear_command_says_when_there_is_no_cache(app):
    output = app.test_cli_runner().invoke(args=["cache", "clear"]).output
    assert "No result cache here" in output


def test_rows_the_database_deletes_by_cascade_count_as_written(app, result_cache):
    user = create_user(name="Leaving Soon")
    db.commit()
    from app.accounts.models import UserSession

    sessions_seen = Counted(select(UserSession.id).order_by(UserSession.id))
    remember(sessions_seen)
    # Deleting the user takes their session rows with it (ON DELETE CASCADE), rows the ORM never loads.
    db.session.delete(user)
    db.commit()
    remember(sessions_seen)
    assert sessions_seen.runs == 2


def test_a_page_is_kept_as_it_is_and_other_results_as_json(result_cache):
    create_call(title="Voices “2027”")
    db.commit()

    def page():
        return "".join(f'<p class="lead">{title}</p>\n' for title in Counted()())

    def figures():
        return {"calls": len(Counted()()), "titles": Counted()()}

    assert remember(page, key="page") == '<p class="lead">Voices “2027”</p>\n'
    assert remember(lambda: "not computed", key="page") == '<p class="lead">Voices “2027”</p>\n'
    assert remember(figures, key="figures") == {"calls": 1, "titles": ["Voices “2027”"]}
    assert remember(lambda: "not computed", key="figures") == {"calls": 1, "titles": ["Voices “2027”"]}


def test_a_result_that_reads_no_table_is_not_kept(result_cache):
    # It may have been made from rows loaded earlier, whose tables no statement names now.
    assert remember(lambda: "from memory", key="memory") == "from memory"
    assert remember(lambda: "again", key="memory") == "again"
