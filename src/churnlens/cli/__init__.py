"""The ``churnlens`` command line: thin commands over the public Python API.

Every command goes through ``_Group.invoke``, which turns a ``ChurnlensError`` into a
one-paragraph message and exit code 2, and any other failure into a short message
and exit code 1: a user never sees a traceback unless they ask with ``--debug``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click
import duckdb

from churnlens.errors import ChurnlensError

__all__ = ["main"]


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChurnlensError as e:
            _fail(str(e), code=2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            _reader_gone()
        except KeyboardInterrupt:
            _fail("interrupted", code=130)
        except duckdb.InterruptException:  # Ctrl-C while DuckDB was computing
            _fail("interrupted", code=130)
        except Exception as e:
            if ctx.params.get("debug") or ctx.obj and ctx.obj.get("debug"):
                raise
            _fail(
                f"internal error: {type(e).__name__}: {e}\n"
                "Hint: run again with 'churnlens --debug ...' for the full trace, "
                "and report it with the command you ran.",
                code=1,
            )


def _reader_gone() -> None:
    """The reader of our output went away (``churnlens ... | head``): stop
    quietly, as other command-line tools do, without an error or a traceback
    when Python flushes stdout at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def _fail(message: str, *, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="churnlens")
@click.option("--debug", is_flag=True, help="Show full tracebacks of internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Measure customer churn, explain it, and keep customers."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register() -> None:
    from churnlens.cli.calc import calc
    from churnlens.cli.cohorts import cohorts
    from churnlens.cli.demo import demo
    from churnlens.cli.ingest import ingest
    from churnlens.cli.loyal import loyal
    from churnlens.cli.ltv import ltv
    from churnlens.cli.outreach import outreach
    from churnlens.cli.rate import rate
    from churnlens.cli.reconcile import reconcile
    from churnlens.cli.report import report
    from churnlens.cli.revenue import revenue
    from churnlens.cli.risk import risk
    from churnlens.cli.serve import serve
    from churnlens.cli.survival import survival
    from churnlens.cli.user import user
    from churnlens.cli.why import why

    commands = (
        *(ingest, rate, reconcile, revenue, cohorts, survival, ltv, why, report),
        *(risk, outreach, loyal, serve, user, calc, demo),
    )
    for command in commands:
        main.add_command(command)


_register()
