"""`mailcover user add`, exactly as DESIGN.md (The command line) describes it.

Every refusal exits with status 2 and a message naming the option to change."""

from __future__ import annotations

import base64
import io
import shlex
import sys
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailcover.accounts.models import Agency, Delegation, NondisclosureAcknowledgment, User
from mailcover.cli import main

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "a long enough passphrase 2026"
SECRET = "JBSWY3DPEHPK3PXP"  # 10 bytes, as authenticator apps show it


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAILCOVER_PASSWORD", PASSWORD)
    return PASSWORD


def user_add(command_line: str) -> int:
    """`mailcover user add ...`, written as it is typed in a shell."""
    return main(["user", "add", *shlex.split(command_line)])


def refused(capsys: Any, command_line: str) -> str:
    """Run `user add`, expect exit status 2, and return what it said on stderr."""
    assert user_add(command_line) == 2
    out, err = capsys.readouterr()
    assert err.startswith("mailcover user add: ")
    assert out == ""
    return err


def test_a_requester_is_added_with_a_new_agency_of_the_given_level(
    password: str, capsys: Any
) -> None:
    code = user_add(
        "officer --agency 'Springfield Police Department' --agency-level local "
        "--role requester --verified-agency LE-1"
    )

    assert code == 0
    user = User.objects.get(username="officer")
    assert user.agency is not None
    assert user.agency.name == "Springfield Police Department"
    assert user.agency.level == "local"
    assert user.roles == ["requester"]
    assert user.check_password(PASSWORD)
    assert not user.is_staff
    assert not user.delegations.exists()
    assert not user.has_nondisclosure()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert "added officer (requester) at Springfield Police Department" in capsys.readouterr().out


def test_a_second_person_joins_an_existing_agency_without_giving_its_level(
    password: str,
) -> None:
    assert (
        user_add(
            "one --agency 'Denver PD' --agency-level local --role requester --verified-agency LE-1"
        )
        == 0
    )
    assert user_add("two --agency 'Denver PD' --role requester --verified-agency LE-1") == 0

    assert Agency.objects.filter(name="Denver PD").count() == 1
    assert User.objects.get(username="two").agency == User.objects.get(username="one").agency


def test_several_roles_are_given_by_repeating_role(password: str) -> None:
    assert (
        user_add("dual --agency USPIS --agency-level postal --role inspector --role approver") == 0
    )

    assert set(User.objects.get(username="dual").roles) == {"inspector", "approver"}


def test_the_chief_gets_a_chief_delegation_by_default(password: str) -> None:
    assert (
        user_add("cpi --agency USPIS --agency-level postal --role chief --delegation DEL-CPI-26")
        == 0
    )

    delegation = Delegation.objects.get(holder__username="cpi")
    assert delegation.reference == "DEL-CPI-26"
    assert delegation.scope == "chief"
    assert delegation.revoked_at is None
    assert delegation.valid_until is None


def test_an_approver_gets_an_osg_designee_delegation_in_their_agencys_group_by_default(
    password: str,
) -> None:
    assert (
        user_add("osg --agency USPIS --agency-level postal --role approver --delegation DEL-OSG-7")
        == 0
    )

    delegation = Delegation.objects.get(holder__username="osg")
    assert delegation.scope == "osg_designee"
    assert delegation.group == "USPIS"


def test_delegation_scope_and_group_are_taken_as_given(password: str) -> None:
    assert (
        user_add(
            "west --agency USPIS --agency-level postal --role approver --delegation DEL-OSG-W "
            "--delegation-scope osg_designee --delegation-group 'Western OSG'"
        )
        == 0
    )
    assert (
        user_add(
            "hq --agency USPIS --role approver --delegation DEL-HQ-1 --delegation-scope hq_designee"
        )
        == 0
    )

    west = Delegation.objects.get(holder__username="west")
    assert (west.scope, west.group) == ("osg_designee", "Western OSG")
    assert Delegation.objects.get(holder__username="hq").scope == "hq_designee"


def test_nondisclosure_records_a_signed_acknowledgment(password: str) -> None:
    assert (
        user_add("signed --agency USPIS --agency-level postal --role inspector --nondisclosure")
        == 0
    )

    user = User.objects.get(username="signed")
    assert user.has_nondisclosure()
    assert NondisclosureAcknowledgment.objects.filter(user=user).count() == 1


def test_totp_secret_file_enrols_a_confirmed_device_that_accepts_the_apps_codes(
    password: str, tmp_path: Any
) -> None:
    secret_file = tmp_path / "totp"
    secret_file.write_text("jbsw y3dp ehpk 3pxp\n")  # as an authenticator app may show it
    assert (
        user_add(
            "two-factor --agency FBI --agency-level federal --role requester "
            f"--verified-agency LE-1 --totp-secret-file {secret_file}"
        )
        == 0
    )

    device = TOTPDevice.objects.get(user__username="two-factor")
    assert device.confirmed
    assert device.bin_key == base64.b32decode(SECRET)
    assert device.verify_token(totp(base64.b32decode(SECRET)))


def test_the_password_is_read_from_standard_input_when_the_variable_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MAILCOVER_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))

    assert (
        user_add(
            "piped --agency FBI --agency-level federal --role requester --verified-agency LE-1"
        )
        == 0
    )

    # The line's newline is not part of the password.
    assert User.objects.get(username="piped").check_password(PASSWORD)


def test_an_unknown_agency_without_a_level_is_refused(password: str, capsys: Any) -> None:
    err = refused(capsys, "x --agency 'Nowhere PD' --role requester --verified-agency LE-1")

    assert "--agency-level" in err
    assert "Nowhere PD" in err
    assert not Agency.objects.exists()
    assert not User.objects.exists()


def test_a_known_agency_with_another_level_is_refused(password: str, capsys: Any) -> None:
    user_add(
        "one --agency 'Denver PD' --agency-level local --role requester --verified-agency LE-1"
    )
    capsys.readouterr()

    err = refused(
        capsys,
        "two --agency 'Denver PD' --agency-level state --role requester --verified-agency LE-1",
    )

    assert "Denver PD" in err
    assert "local" in err
    assert not User.objects.filter(username="two").exists()


def test_a_username_already_taken_is_refused(password: str, capsys: Any) -> None:
    user_add("taken --agency FBI --agency-level federal --role requester --verified-agency LE-1")
    capsys.readouterr()

    err = refused(
        capsys, "taken --agency DEA --agency-level federal --role requester --verified-agency LE-1"
    )

    assert "'taken' already exists" in err
    assert User.objects.filter(username="taken").count() == 1
    assert not Agency.objects.filter(name="DEA").exists()


@pytest.mark.parametrize(
    ("weak", "why"),
    [("short1", "too short"), ("password1234", "too common")],
)
def test_a_weak_password_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, weak: str, why: str
) -> None:
    monkeypatch.setenv("MAILCOVER_PASSWORD", weak)

    err = refused(
        capsys, "weak --agency FBI --agency-level federal --role requester --verified-agency LE-1"
    )

    assert "password" in err
    assert why in err
    assert not User.objects.exists()
    assert not Agency.objects.exists()  # nothing is left half-made


def test_an_empty_password_from_standard_input_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.delenv("MAILCOVER_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    err = refused(
        capsys, "blank --agency FBI --agency-level federal --role requester --verified-agency LE-1"
    )

    assert "password" in err
    assert not User.objects.exists()


def test_a_delegation_on_a_requester_is_refused(password: str, capsys: Any) -> None:
    err = refused(
        capsys,
        "officer --agency FBI --agency-level federal --role requester "
        "--verified-agency LE-1 --delegation DEL-1",
    )

    assert "--delegation" in err
    assert not User.objects.exists()
    assert not Delegation.objects.exists()


@pytest.mark.parametrize(
    "options", ["--delegation-scope hq_designee", "--delegation-group 'Western OSG'"]
)
def test_a_delegation_scope_or_group_without_the_delegation_is_refused(
    password: str, capsys: Any, options: str
) -> None:
    err = refused(capsys, f"hq --agency USPIS --agency-level postal --role approver {options}")

    assert "--delegation REF" in err
    assert not User.objects.exists()


def test_the_totp_secret_may_come_from_the_environment(
    password: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILCOVER_TOTP_SECRET", SECRET)

    assert (
        user_add(
            "env-otp --agency FBI --agency-level federal --role requester --verified-agency LE-1"
        )
        == 0
    )

    assert TOTPDevice.objects.get(user__username="env-otp").bin_key == base64.b32decode(SECRET)


def test_a_totp_secret_on_the_command_line_is_not_accepted(password: str, capsys: Any) -> None:
    err = refused(
        capsys, f"otp --agency FBI --agency-level federal --role requester --totp-secret {SECRET}"
    )

    assert "--totp-secret-file" in err
    assert "MAILCOVER_TOTP_SECRET" in err
    assert not User.objects.exists()


def test_a_missing_totp_secret_file_is_refused_naming_it(password: str, capsys: Any) -> None:
    err = refused(
        capsys,
        "otp --agency FBI --agency-level federal --role requester --verified-agency LE-1 "
        "--totp-secret-file /nonexistent/totp",
    )

    assert "--totp-secret-file /nonexistent/totp" in err
    assert not User.objects.exists()


@pytest.mark.parametrize("secret", ["NOT-BASE32!", "18181818181818181", "JBSWY3DP"])
def test_a_bad_totp_secret_is_refused(
    password: str, capsys: Any, secret: str, tmp_path: Any
) -> None:
    secret_file = tmp_path / "totp"
    secret_file.write_text(secret)
    err = refused(
        capsys,
        "otp --agency FBI --agency-level federal --role requester --verified-agency LE-1 "
        f"--totp-secret-file {secret_file}",
    )

    assert "--totp-secret" in err
    # The account is not left behind without the second factor it was meant to have.
    assert not User.objects.exists()
    assert not TOTPDevice.objects.exists()


def test_a_third_headquarters_designee_is_refused_mc_authority(password: str, capsys: Any) -> None:
    for name in ("hq1", "hq2"):
        assert (
            user_add(
                f"{name} --agency USPIS --agency-level postal --role approver "
                f"--delegation DEL-{name} --delegation-scope hq_designee"
            )
            == 0
        )
    capsys.readouterr()

    err = refused(
        capsys,
        "hq3 --agency USPIS --role approver --delegation DEL-hq3 --delegation-scope hq_designee",
    )

    assert "MC-AUTHORITY" in err
    assert "--delegation" in err
    assert "at most 2" in err
    assert not User.objects.filter(username="hq3").exists()
    assert Delegation.objects.filter(scope="hq_designee").count() == 2


def test_a_third_designee_in_one_operations_support_group_is_refused_mc_authority(
    password: str, capsys: Any
) -> None:
    for name in ("osg1", "osg2"):
        user_add(
            f"{name} --agency USPIS --agency-level postal --role approver "
            f"--delegation DEL-{name} --delegation-group 'Eastern OSG'"
        )
    capsys.readouterr()

    err = refused(
        capsys,
        "osg3 --agency USPIS --role approver --delegation DEL-osg3 "
        "--delegation-group 'Eastern OSG'",
    )

    assert "MC-AUTHORITY" in err
    assert "--delegation" in err
    assert "Eastern OSG" in err
    # Another group still has room.
    assert (
        user_add(
            "osg4 --agency USPIS --role approver --delegation DEL-osg4 "
            "--delegation-group 'Western OSG'"
        )
        == 0
    )


def test_role_is_required_and_must_be_a_role(password: str, capsys: Any) -> None:
    with pytest.raises(SystemExit) as no_role:
        user_add("x --agency FBI --agency-level federal")
    assert no_role.value.code == 2
    assert "--role" in capsys.readouterr().err

    with pytest.raises(SystemExit) as bad_role:
        user_add("x --agency FBI --agency-level federal --role boss")
    assert bad_role.value.code == 2
    assert "--role" in capsys.readouterr().err
    assert not User.objects.exists()
