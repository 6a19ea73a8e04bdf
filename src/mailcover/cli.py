"""The `mailcover` command (DESIGN.md, The command line)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mailcover.config.env import ConfigError
from mailcover.config.startup import StartupRefused, start
from mailcover.covers.cli import add_commands as add_mail_commands
from mailcover.law.terms import AgencyLevel, DelegationScope, Role
from mailcover.ledger.cli import add_commands as add_ledger_commands
from mailcover.oversight.retention_cli import add_commands as add_retention_commands
from mailcover.oversight.transparency_cli import add_commands as add_report_commands
from mailcover.records.cli import add_commands as add_records_commands
from mailcover.stream.cli import add_commands as add_stream_commands


def _django() -> None:
    # Private umask, data folder and secret key first; refused while files are exposed.
    start()


def _password() -> str:
    given = os.environ.get("MAILCOVER_PASSWORD")
    if given:
        return given
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\n")


def _totp_secret(args: argparse.Namespace) -> str | None:
    """The TOTP secret from a file (--totp-secret-file) or MAILCOVER_TOTP_SECRET: never on
    the command line, where other users of the machine read it in the process list and it
    stays in the shell's history."""
    if args.totp_secret_on_command_line is not None:
        raise ValueError(
            "--totp-secret is not accepted: a secret on the command line is seen in the "
            "process list; put it in a file for --totp-secret-file PATH, or in "
            "MAILCOVER_TOTP_SECRET"
        )
    if args.totp_secret_file is not None:
        try:
            return args.totp_secret_file.read_text().strip() or None
        except OSError as problem:
            raise ValueError(
                f"--totp-secret-file {args.totp_secret_file}: {problem.strerror}"
            ) from None
    return os.environ.get("MAILCOVER_TOTP_SECRET") or None


def user_add(args: argparse.Namespace) -> int:
    _django()
    from django.conf import settings
    from django.utils import timezone

    from mailcover.accounts.provisioning import NewUser, ProvisioningError, add_user

    try:
        totp_secret = _totp_secret(args)
    except ValueError as problem:
        print(f"mailcover user add: {problem}", file=sys.stderr)
        return 2
    try:
        user = add_user(
            NewUser(
                username=args.username,
                agency=args.agency,
                agency_level=args.agency_level,
                roles=args.role or [],
                password=_password(),
                delegation=args.delegation,
                delegation_scope=args.delegation_scope,
                delegation_group=args.delegation_group,
                nondisclosure=args.nondisclosure,
                totp_secret=totp_secret,
                agency_verified=args.verified_agency,
            ),
            timezone.now(),
            settings.MAILCOVER_POLICY,
        )
    except ProvisioningError as problem:
        print(f"mailcover user add: {problem}", file=sys.stderr)
        return 2
    print(f"added {user.username} ({', '.join(user.roles)}) at {user.agency}")
    from mailcover.accounts.sign_in import needs_code

    if needs_code(user) and not user.has_second_factor():
        # SEC-SECOND-FACTOR: until then the account reaches nothing but the enrolment page.
        print(
            f"{user.username} sets up a one-time code at their first sign-in on the pages "
            "(a QR code after the password); the API and /admin/ refuse them until then"
        )
    return 0


def user_password(args: argparse.Namespace) -> int:
    _django()
    from django.utils import timezone

    from mailcover.accounts.provisioning import ProvisioningError, set_password

    try:
        user = set_password(args.username, _password(), timezone.now())
    except ProvisioningError as problem:
        print(f"mailcover user password: {problem}", file=sys.stderr)
        return 2
    print(f"new password set for {user.username}; their API tokens are revoked")
    return 0


def user_deactivate(args: argparse.Namespace) -> int:
    _django()
    from django.utils import timezone

    from mailcover.accounts.provisioning import ProvisioningError, deactivate

    try:
        user = deactivate(args.username, timezone.now())
    except ProvisioningError as problem:
        print(f"mailcover user deactivate: {problem}", file=sys.stderr)
        return 2
    print(f"deactivated {user.username}; their API tokens are revoked")
    return 0


def _refuse_without_assets() -> None:
    from mailcover.config import assets

    absent = assets.missing()
    if absent:
        raise StartupRefused(assets.describe(absent))


def serve(args: argparse.Namespace) -> int:
    _django()
    _refuse_without_assets()
    from mailcover.web.server import run

    return run(args.host, args.port, args.workers)


def demo(args: argparse.Namespace) -> int:
    _django()
    _refuse_without_assets()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", seed=args.seed)
    if args.no_serve:
        return 0
    from mailcover.web.server import run

    return run(args.host, args.port, args.workers)


def manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mailcover manage", *args.rest])
    return 0


def _serving_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="mailcover",
        description="Mail covers and records "
        "requests under 39 CFR 233.3, with the law enforced in code.",
    )
    commands = top.add_subparsers(dest="command", required=True)

    run_demo = commands.add_parser("demo", help="seed synthetic demo data and serve")
    _serving_options(run_demo)
    run_demo.add_argument("--seed", type=int, default=233, help="seed of the synthetic world")
    run_demo.add_argument("--no-serve", action="store_true", help="seed only")
    run_demo.set_defaults(handler=demo)

    run_serve = commands.add_parser("serve", help="serve with a production-grade server")
    _serving_options(run_serve)
    run_serve.set_defaults(handler=serve)

    users = commands.add_parser("user", help="manage people").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser(
        "add",
        help="add a person (password from MAILCOVER_PASSWORD, else standard input); "
        "the bootstrap path, on the server's own shell",
    )
    add.add_argument("username")
    add.add_argument("--agency", required=True, help="the person's agency (created if new)")
    add.add_argument("--agency-level", choices=[lv.value for lv in AgencyLevel])
    add.add_argument(
        "--role",
        action="append",
        choices=[r.value for r in Role],
        required=True,
        help="a role; repeat for several",
    )
    add.add_argument(
        "--delegation", metavar="REF", help="the written delegation an approver or chief acts under"
    )
    add.add_argument(
        "--delegation-scope",
        choices=[s.value for s in DelegationScope],
        help="what the delegation reaches (default: chief for the chief, "
        "osg_designee for an approver)",
    )
    add.add_argument("--delegation-group", help="Operations Support Group of an OSG designee")
    add.add_argument(
        "--nondisclosure",
        action="store_true",
        help="a signed nondisclosure acknowledgment is on file",
    )
    add.add_argument(
        "--totp-secret-file",
        metavar="PATH",
        type=Path,
        help="enrol a TOTP second factor with the base32 secret in this file (or set "
        "MAILCOVER_TOTP_SECRET); without one, the person enrols a device at first sign-in",
    )
    # Refused with a message saying what to use instead (and never taken, by argparse's
    # abbreviations, for --totp-secret-file).
    add.add_argument("--totp-secret", dest="totp_secret_on_command_line", help=argparse.SUPPRESS)
    add.add_argument(
        "--verified-agency",
        metavar="REF",
        help="mark the agency verified for records requests under this reference (RR-VERIFIED)",
    )
    add.set_defaults(handler=user_add)

    password = users.add_parser(
        "password",
        help="set a person's password (from MAILCOVER_PASSWORD, else standard input); "
        "revokes their API tokens",
    )
    password.add_argument("username")
    password.set_defaults(handler=user_password)
    deactivated = users.add_parser(
        "deactivate", help="stop a person signing in; revokes their API tokens"
    )
    deactivated.add_argument("username")
    deactivated.set_defaults(handler=user_deactivate)

    add_mail_commands(commands, _django)
    add_stream_commands(commands, _django)  # after ingest, which it extends to nats://
    add_ledger_commands(commands, _django)
    add_records_commands(commands, _django)
    add_report_commands(commands, _django)
    add_retention_commands(commands, _django)

    run_manage = commands.add_parser("manage", help="Django's own management commands")
    run_manage.add_argument("rest", nargs=argparse.REMAINDER)
    run_manage.set_defaults(handler=manage)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except (ConfigError, StartupRefused) as refused:
        print(f"mailcover: {refused}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
