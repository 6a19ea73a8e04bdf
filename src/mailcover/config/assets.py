"""The front-end assets (USWDS and htmx, from the npm registry) and the check that they are
there before the service serves a page.

They are built at install time (`make install`, which runs scripts/build_assets.sh) into the
checkout's `build/static/`, never committed. They are found from the code, never from the
data folder: from the checkout this package runs from (a `src/` checkout, installed
editable), or, for a package installed elsewhere, from inside the package, where its
builder puts them (`mailcover/web/static/vendor/`, found like the service's own
`mailcover/web/static/mailcover/`). MAILCOVER_VAR_DIR may be anywhere.

Without them every page is served unstyled and without its scripts, silently (each asset a
404): `mailcover serve` and `mailcover demo` refuse to start instead, and the system check
mailcover.E003 stops `mailcover manage` commands, each naming what is missing and the
command that builds it.
"""

from __future__ import annotations

from pathlib import Path

BUILD_COMMAND = "make install"

# What the base template loads (web/templates/base.html).
REQUIRED = (
    "vendor/uswds/css/uswds.min.css",
    "vendor/uswds/js/uswds-init.min.js",
    "vendor/uswds/js/uswds.min.js",
    "vendor/htmx/htmx.min.js",
)


def checkout_build_dir() -> Path | None:
    """`build/static` of the checkout this package runs from, or None when the package is
    installed outside a checkout (its assets are then inside it)."""
    package = Path(__file__).resolve().parents[1]  # .../src/mailcover
    root = package.parents[1]
    if package.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root / "build" / "static"
    return None


def missing() -> list[str]:
    """The required assets that Django's static file finders cannot find."""
    from django.contrib.staticfiles import finders

    return [path for path in REQUIRED if finders.find(path) is None]


def describe(absent: list[str]) -> str:
    where = checkout_build_dir()
    looked = (
        f"the checkout's {where}"
        if where is not None
        else "the installed package (mailcover/web/static/vendor)"
    )
    return (
        "the front-end assets are missing, so every page would be served without its "
        f"styles and scripts: {', '.join(absent)} (looked in {looked}). "
        f"Build them with `{BUILD_COMMAND}` (scripts/build_assets.sh) in the checkout."
    )
