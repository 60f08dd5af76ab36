"""The `minicube` command: the Typer app, and the ONE place errors become output and exit codes.

Library code raises MinicubeError (message + hint + exit code); `main` prints `✗ message`
and `  hint: …`, writes the traceback to the last-run log (and to the screen with -v), and
exits with the error's code.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from minicube import __version__, _log, _paths
from minicube._errors import EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_USAGE, MinicubeError
from minicube.cli import (apply, cache, delete, image, ip, kubectl, logs, profile, service, ssh, start,
                          status, stop, ui)

log = logging.getLogger(__name__)

app = typer.Typer(
    name="minicube",
    help="minicube runs a small Kubernetes cluster in one Docker container on this machine.\n\n"
         "Start with `minicube start`, then use kubectl as usual (or `minicube kubectl -- get pods`).",
    epilog=f"{EXIT_CODES_HELP} `minicube status` has its own (see minicube status --help).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _print_version(value: bool) -> None:
    if value:
        ui.out.print(f"minicube {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the full log, with tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", is_eager=True,
                                          callback=_print_version)] = False,
) -> None:
    if verbose:
        _log.set_verbose()


app.command()(start.start)
app.command()(stop.stop)
app.command()(status.status)
app.command()(delete.delete)
app.command()(apply.apply)
app.add_typer(profile.app, name="profile")
app.command()(ip.ip)
app.command()(logs.logs)
app.command()(service.service)
app.command(context_settings=ssh.CONTEXT_SETTINGS)(ssh.ssh)
app.command(context_settings=kubectl.CONTEXT_SETTINGS)(kubectl.kubectl)
app.add_typer(image.app, name="image")
app.add_typer(cache.app, name="cache")


def main(argv: list[str] | None = None) -> None:
    _log.configure()
    args = sys.argv[1:] if argv is None else argv
    log.info("minicube %s: %s", __version__, args)
    try:
        result = typer.main.get_command(app).main(args=args, prog_name="minicube", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except MinicubeError as e:
        code = _fail(e.message, e.hint, e.exit_code, e)
    except typer.TyperException as e:  # Typer's (vendored click's) usage errors
        if not e.format_message():  # a bare group: its help was just shown
            sys.exit(e.exit_code)
        ctx = getattr(e, "ctx", None)
        hint = f"see: {ctx.command_path if ctx else 'minicube'} --help" if e.exit_code == EXIT_USAGE else None
        code = _fail(e.format_message(), hint, e.exit_code, None)
    except (typer.Abort, KeyboardInterrupt):
        ui.fail("interrupted", None)
        code = 130
    except Exception as e:  # the boundary: anything unexpected is a bug, shown as one line
        code = _fail(f"internal error: {e}", f"this is a bug; the traceback is in {_paths.last_run_log()}",
                     EXIT_INTERNAL, e)
    sys.exit(code)


def _fail(message: str, hint: str | None, code: int, error: BaseException | None) -> int:
    log.error("exit %d: %s", code, message, exc_info=error)
    if _log.is_verbose():
        ui.err.print()  # the traceback was just logged to stderr; keep the summary apart
    ui.fail(message, hint if _log.is_verbose() or not error or code != EXIT_INTERNAL else
            f"{hint} (or run again with -v)")
    return code
