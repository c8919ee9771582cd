"""``churnlens serve``: the web dashboard over a store."""

from __future__ import annotations

from pathlib import Path

import click

from churnlens.store import DEFAULT_STORE

__all__ = ["serve"]


@click.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_STORE,
    show_default=True,
    help="Store to serve (created empty if missing: data can be uploaded).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--fx",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="FX table (currency, date, rate) for revenue in several currencies.",
)
@click.option("--currency", help="Reporting currency for --fx, e.g. EUR.")
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve(
    db: Path,
    host: str,
    port: int,
    fx: Path | None,
    currency: str | None,
    log_level: str,
) -> None:
    """Serve the dashboard at http://HOST:PORT (sign-in required).

    Users come from 'churnlens user add NAME --db PATH'; API clients send a token
    from 'churnlens user token NAME' as 'Authorization: Bearer TOKEN'. One process
    serves the store (DuckDB lets one process write it). See docs/dashboard.md.
    """
    import uvicorn

    from churnlens.web import create_app
    from churnlens.web.users import UserFile, users_path

    if not UserFile(users_path(db)).names():
        click.echo(
            f"Warning: no users yet, so nobody can sign in. Add one with: "
            f"churnlens user add NAME --db {db}",
            err=True,
        )
    if (fx is None) != (currency is None):
        raise click.UsageError("give --fx and --currency together")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"Warning: serving on {host}, reachable from other machines. Put a TLS "
            "proxy in front: over plain http, passwords and session cookies travel "
            "unencrypted.",
            err=True,
        )
    app = create_app(db, fx=fx, currency=currency, warm=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"churnlens dashboard on http://{shown}:{port}/ (Ctrl-C stops it)")
    # proxy_headers: behind a TLS proxy on this host, cookies are marked Secure.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
    )


if __name__ == "__main__":  # pragma: no cover - python -m churnlens.cli.serve
    serve()
