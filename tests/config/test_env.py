"""Typed MAILCOVER_* settings: a bad value stops start-up with a message naming the
variable, and nothing falls back silently (DESIGN.md, Configuration)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mailcover.config.env import (
    ConfigError,
    ensure_secret_key,
    env_bool,
    env_int,
    env_list,
    env_str,
    proxy_ssl_header,
    secret_key,
    trusted_origins,
    var_dir,
    write_secret_once,
)

NAME = "MAILCOVER_TEST_SETTING"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(NAME, raising=False)
    return monkeypatch


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_reads_true(env: pytest.MonkeyPatch, raw: str) -> None:
    env.setenv(NAME, raw)
    assert env_bool(NAME, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "off"])
def test_env_bool_reads_false(env: pytest.MonkeyPatch, raw: str) -> None:
    env.setenv(NAME, raw)
    assert env_bool(NAME, True) is False


@pytest.mark.parametrize("raw", [None, ""])
def test_env_bool_unset_or_empty_is_the_default(env: pytest.MonkeyPatch, raw: str | None) -> None:
    if raw is not None:
        env.setenv(NAME, raw)
    assert env_bool(NAME, True) is True
    assert env_bool(NAME, False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y es", "tru"])
def test_env_bool_refuses_anything_else_naming_the_variable(
    env: pytest.MonkeyPatch, raw: str
) -> None:
    env.setenv(NAME, raw)
    with pytest.raises(ConfigError) as refusal:
        env_bool(NAME, False)
    assert NAME in str(refusal.value)
    assert repr(raw) in str(refusal.value)


def test_env_int_reads_a_whole_number(env: pytest.MonkeyPatch) -> None:
    env.setenv(NAME, "45")
    assert env_int(NAME, 30) == 45


@pytest.mark.parametrize("raw", [None, ""])
def test_env_int_unset_or_empty_is_the_default(env: pytest.MonkeyPatch, raw: str | None) -> None:
    if raw is not None:
        env.setenv(NAME, raw)
    assert env_int(NAME, 30) == 30


@pytest.mark.parametrize("raw", ["thirty", "1.5", "0x10"])
def test_env_int_refuses_what_is_not_a_whole_number(env: pytest.MonkeyPatch, raw: str) -> None:
    env.setenv(NAME, raw)
    with pytest.raises(ConfigError, match=f"{NAME} must be a whole number"):
        env_int(NAME, 30)


def test_env_int_refuses_a_value_below_the_minimum(env: pytest.MonkeyPatch) -> None:
    env.setenv(NAME, "0")
    with pytest.raises(ConfigError, match=f"{NAME} must be at least 1, not 0"):
        env_int(NAME, 30, minimum=1)


def test_env_int_accepts_the_minimum_itself(env: pytest.MonkeyPatch) -> None:
    env.setenv(NAME, "1")
    assert env_int(NAME, 30, minimum=1) == 1


def test_env_list_splits_on_commas_and_drops_blanks(env: pytest.MonkeyPatch) -> None:
    env.setenv(NAME, " mailcover.example.gov , ,localhost,")
    assert env_list(NAME, ["x"]) == ["mailcover.example.gov", "localhost"]


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_list_unset_or_blank_is_the_default(env: pytest.MonkeyPatch, raw: str | None) -> None:
    if raw is not None:
        env.setenv(NAME, raw)
    assert env_list(NAME, ["127.0.0.1"]) == ["127.0.0.1"]


def test_env_str_is_the_value_or_the_default(env: pytest.MonkeyPatch) -> None:
    assert env_str(NAME, "fallback") == "fallback"
    env.setenv(NAME, "given")
    assert env_str(NAME, "fallback") == "given"


def test_a_secret_key_is_generated_once_into_the_var_directory_readable_by_the_owner_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MAILCOVER_SECRET_KEY", raising=False)
    assert secret_key(tmp_path) is None  # reading writes nothing

    ensure_secret_key(tmp_path)
    first = secret_key(tmp_path)

    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first is not None
    assert len(first) >= 50
    ensure_secret_key(tmp_path)
    assert secret_key(tmp_path) == first  # the next start reads the same key


def test_each_var_directory_gets_its_own_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MAILCOVER_SECRET_KEY", raising=False)
    ensure_secret_key(tmp_path / "a")
    ensure_secret_key(tmp_path / "b")

    assert secret_key(tmp_path / "a") != secret_key(tmp_path / "b")


def test_a_given_secret_key_is_used_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    given = "k" * 40
    monkeypatch.setenv("MAILCOVER_SECRET_KEY", given)

    ensure_secret_key(tmp_path)

    assert secret_key(tmp_path) == given
    assert not (tmp_path / "secret_key").exists()


def test_a_short_secret_key_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAILCOVER_SECRET_KEY", "too-short")

    with pytest.raises(ConfigError, match="MAILCOVER_SECRET_KEY must be at least 32 characters"):
        secret_key(tmp_path)


def test_the_var_directory_is_named_but_not_created_by_reading_the_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wanted = tmp_path / "state" / "mailcover"
    monkeypatch.setenv("MAILCOVER_VAR_DIR", str(wanted))

    assert var_dir() == wanted
    assert not wanted.exists()  # the `mailcover` commands create it (config/startup.py)


def test_a_var_directory_that_is_a_file_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("")
    monkeypatch.setenv("MAILCOVER_VAR_DIR", str(a_file))

    with pytest.raises(ConfigError, match="MAILCOVER_VAR_DIR must be a directory"):
        var_dir()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAILCOVER_DEBUG", "perhaps"),
        ("MAILCOVER_TOKEN_HOURS", "0"),
        ("MAILCOVER_REVIEW_INTERVAL_DAYS", "yearly"),
        ("DATABASE_URL", "nonsense://nowhere"),
        ("MAILCOVER_TRUSTED_ORIGINS", "mailcover.example"),
        ("MAILCOVER_TRUSTED_ORIGINS", "https://mailcover.example/sign-in"),
        ("MAILCOVER_PROXY_SSL_HEADER", "X_Forwarded_Proto"),
        ("MAILCOVER_HSTS_SECONDS", "a year"),
        ("MAILCOVER_SESSION_IDLE_MINUTES", "0"),
        ("MAILCOVER_SESSION_IDLE_MINUTES", "half an hour"),
        ("MAILCOVER_SESSION_MAX_HOURS", "0"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(
    tmp_path: Path, variable: str, value: str
) -> None:
    environment = {
        key: val
        for key, val in os.environ.items()
        if not key.startswith("MAILCOVER_") and key != "DATABASE_URL"
    }
    environment.update({"MAILCOVER_VAR_DIR": str(tmp_path), variable: value})

    started = subprocess.run(
        [sys.executable, "-c", "import mailcover.config.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert started.returncode != 0
    last_line = started.stderr.strip().splitlines()[-1]
    assert last_line.startswith("mailcover.config.env.ConfigError: ")
    assert variable in last_line


class TestWriteSecretOnce:
    def test_writes_the_whole_key_mode_600_and_leaves_no_temporary_file(
        self, tmp_path: Path
    ) -> None:
        path = tmp_path / "keys" / "k"

        write_secret_once(path, lambda: "first")

        assert path.read_text() == "first"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert sorted(p.name for p in path.parent.iterdir()) == ["k"]

    def test_never_replaces_a_key_that_exists(self, tmp_path: Path) -> None:
        path = tmp_path / "k"
        write_secret_once(path, lambda: "first")

        write_secret_once(path, lambda: "second")

        assert path.read_text() == "first"

    def test_a_key_that_fails_to_be_made_leaves_nothing_behind(self, tmp_path: Path) -> None:
        def broken() -> str:
            raise RuntimeError("no entropy")

        with pytest.raises(RuntimeError):
            write_secret_once(tmp_path / "k", broken)

        assert list(tmp_path.iterdir()) == []


class TestTrustedOrigins:
    @pytest.mark.parametrize(
        "raw",
        [
            "https://mailcover.example",
            "https://mailcover.example:8443",
            "http://10.0.0.5:8000",
            "https://[2001:db8::1]",
        ],
    )
    def test_an_origin_is_scheme_host_and_port(self, env: pytest.MonkeyPatch, raw: str) -> None:
        env.setenv("MAILCOVER_TRUSTED_ORIGINS", raw)
        assert trusted_origins() == [raw]

    def test_several_are_separated_by_commas(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("MAILCOVER_TRUSTED_ORIGINS", "https://a.example, https://b.example:8443")
        assert trusted_origins() == ["https://a.example", "https://b.example:8443"]

    def test_none_by_default(self, env: pytest.MonkeyPatch) -> None:
        env.delenv("MAILCOVER_TRUSTED_ORIGINS", raising=False)
        assert trusted_origins() == []

    @pytest.mark.parametrize(
        "raw",
        [
            "mailcover.example",
            "https://mailcover.example/",
            "https://mailcover.example/sign-in",
            "https://mailcover.example?next=/",
            "https://*.example",
            "https://user@mailcover.example",
            "https://mailcover.example:port",
            "ftp://mailcover.example",
            "https://",
        ],
    )
    def test_anything_else_is_refused_naming_the_variable(
        self, env: pytest.MonkeyPatch, raw: str
    ) -> None:
        env.setenv("MAILCOVER_TRUSTED_ORIGINS", f"https://fine.example,{raw}")
        with pytest.raises(ConfigError, match="MAILCOVER_TRUSTED_ORIGINS must list origins"):
            trusted_origins()


class TestProxySslHeader:
    def test_a_header_name_becomes_djangos_setting(self, env: pytest.MonkeyPatch) -> None:
        env.setenv("MAILCOVER_PROXY_SSL_HEADER", "X-Forwarded-Proto")
        assert proxy_ssl_header() == ("HTTP_X_FORWARDED_PROTO", "https")

    def test_unset_means_no_proxy(self, env: pytest.MonkeyPatch) -> None:
        env.delenv("MAILCOVER_PROXY_SSL_HEADER", raising=False)
        assert proxy_ssl_header() is None

    @pytest.mark.parametrize(
        "raw",
        [
            "X_Forwarded_Proto",  # a client's underscore header would pass as the proxy's
            "HTTP_X_FORWARDED_PROTO",
            "X-Forwarded-Proto: https",
            "Host",
            "Content-Type",
            "1-Header",
        ],
    )
    def test_anything_else_is_refused_naming_the_variable(
        self, env: pytest.MonkeyPatch, raw: str
    ) -> None:
        env.setenv("MAILCOVER_PROXY_SSL_HEADER", raw)
        with pytest.raises(ConfigError, match="MAILCOVER_PROXY_SSL_HEADER must be the name"):
            proxy_ssl_header()
