"""Users of the review station: who may be added, signing in, the rate limit kept in the ledger
(so a restart does not reset it), and sessions that end when a user changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from records.access import MAX_FAILED_LOGINS, Role, User, add_user, authenticate, end_session, session_user, start_session
from records.errors import AccessError
from records.ledger import Ledger

COUNCILS = ("ashbourne", "kingsmere")
PASSWORD = "a long enough password"


def _add(ledger: Ledger, name: str = "a.clerk", **options: object) -> bool:
    values: dict[str, object] = {"role": "reviewer", "council": "kingsmere", "password": PASSWORD, **options}
    return add_user(ledger, name, known_councils=COUNCILS, added_by="r.admin", **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "options", "message"), [
    ("a.clerk", {"role": "owner"}, "unknown role"),
    ("a.clerk", {"council": "atlantis"}, "unknown council"),
    ("a.clerk", {"password": "short"}, "at least 12"),
    ("two words", {}, "without spaces"),
])
def test_add_user_refuses_bad_input(tmp_path: Path, name: str, options: dict[str, object], message: str) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    with pytest.raises(AccessError, match=message):
        _add(ledger, name, **options)
    assert ledger.users() == []


def test_add_user_hashes_the_password_and_audits_who_added_them(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    assert _add(ledger) is True
    [row] = ledger.users()
    assert row.password_hash and row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    [event] = ledger.events(council="kingsmere")
    assert (event.event, event.actor, event.detail["user"], event.detail["role"]) == ("user_added", "r.admin", "a.clerk", "reviewer")
    assert row.password_hash not in json.dumps(event.detail)
    assert authenticate(ledger, "a.clerk", PASSWORD, client="10.0.0.1") == User("a.clerk", Role.reviewer, "kingsmere")


def test_sign_in_limit_is_per_name_and_client_and_survives_a_restart(ledger_url: str) -> None:
    ledger = Ledger(ledger_url)
    _add(ledger)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AccessError, match="wrong name or password"):
            authenticate(ledger, "a.clerk", "not the password", client="10.0.0.1")
    ledger.dispose()
    restarted = Ledger(ledger_url)
    with pytest.raises(AccessError, match="too many failed sign-ins"):
        authenticate(restarted, "a.clerk", PASSWORD, client="10.0.0.1")
    assert authenticate(restarted, "a.clerk", PASSWORD, client="10.0.0.2").name == "a.clerk"
    restarted.dispose()


def test_unknown_names_and_password_less_users_cannot_sign_in(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    _add(ledger, "proxy.only", password=None)
    for name in ("nobody", "proxy.only"):
        with pytest.raises(AccessError, match="wrong name or password"):
            authenticate(ledger, name, PASSWORD, client="10.0.0.1")


def test_sessions_end_on_sign_out_and_when_the_user_is_changed(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    _add(ledger)
    user = authenticate(ledger, "a.clerk", PASSWORD, client="10.0.0.1")
    first, second = start_session(ledger, user), start_session(ledger, user)
    assert session_user(ledger, first.token) == (user, first.csrf_token)
    end_session(ledger, first.token)
    assert session_user(ledger, first.token) is None
    assert session_user(ledger, second.token) is not None
    _add(ledger, role="viewer")  # demoted: the old session must not keep the reviewer role
    assert session_user(ledger, second.token) is None
    assert session_user(ledger, "made-up-token") is None


def test_user_roles_include_lower_ones_and_scope_is_one_council() -> None:
    reviewer, admin = User("a", Role.reviewer, "kingsmere"), User("b", Role.admin, None)
    assert reviewer.may(Role.viewer) and reviewer.may(Role.reviewer) and not reviewer.may(Role.admin)
    assert reviewer.sees("kingsmere") and not reviewer.sees("ashbourne")
    assert admin.councils(COUNCILS) == sorted(COUNCILS)
