"""Commands for the web review station: serve it, and manage who may sign in."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Optional

import typer

from flows.cli.common import ByOpt, ConfigOpt, DataOpt, JsonOpt, Where, command_group, out, print_json, say, table, who
from records.access import add_user

commands = command_group("The web review station.")
users_app = command_group("Who may sign in to the review station, with which role and council.", no_args_is_help=True)


@commands.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1 behind a reverse proxy.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8080,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Serve the review station, dashboard and search on the ledger and archive (sign in with `digitise users add`)."""
    import uvicorn

    from web import access_log_filter, create_app
    from web.security import load_secret

    settings = Where(config, data_dir).settings()
    app = create_app(settings, secret=load_secret(settings.pipeline.data_dir / "web"))
    server_config = uvicorn.Config(app, host=host, port=port, proxy_headers=False, server_header=False)
    logging.getLogger("uvicorn.access").addFilter(access_log_filter())
    say(f"review station on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.Server(server_config).run()


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's sign-in name (named in the audit trail).")],
    role: Annotated[str, typer.Option(help="viewer (reads), reviewer (also decides on records), admin (also estimates and exclusions).")],
    council: Annotated[Optional[str], typer.Option(help="The one council they may see [default: every council].")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")] = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="No password: signed in only by a trusted proxy's header (web.trusted_user_header).")] = False,
    by: ByOpt = None,
    config: ConfigOpt = None,
    data_dir: DataOpt = None,
) -> None:
    """Add a user, or change an existing one's role, council and password (their sessions end)."""
    where = Where(config, data_dir)
    if no_password:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    added = add_user(where.ledger(), name, role=role, council=council, password=password,
                     known_councils=where.settings().councils, added_by=who(by))
    say(f"{'added' if added else 'changed'} {name}: {role}, {council or 'every council'}"
        + ("" if password else ", no password (trusted proxy only)"))


@users_app.command("list")
def users_list(config: ConfigOpt = None, data_dir: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Every user: role, council, whether they have a password."""
    rows = Where(config, data_dir).ledger().users()
    if as_json:
        print_json({"users": [{"name": u.name, "role": u.role, "council": u.council, "password": bool(u.password_hash),
                               "disabled": u.disabled, "created_by": u.created_by} for u in rows]})
        return
    out.print(table("Review station users", ["Name", "Role", "Council", "Password", "Added by"],
                    ([u.name, u.role, u.council or "all", "yes" if u.password_hash else "no (proxy)", u.created_by]
                     for u in rows)))
