"""docs/cli.md, written from the command's own --help so the two cannot drift."""

from __future__ import annotations

import argparse

from mailcover.cli import parser


def _subparsers(command: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found: list[argparse.ArgumentParser] = []
    for action in command._actions:  # argparse keeps sub-commands here and nowhere public
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found.append(child)
                found.extend(_subparsers(child))
    return found


def render() -> str:
    top = parser()
    parts = [
        "# The `mailcover` command\n",
        "Generated from `--help` by `make docs`; a test fails when it is out of date.\n",
    ]
    for command in [top, *_subparsers(top)]:
        text = command.format_help().replace("usage: ", "", 1)
        parts.append(f"## `{command.prog}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
