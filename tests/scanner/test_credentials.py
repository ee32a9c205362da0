"""Credentials file: specificity, ssh-like permission check, and no password in any text."""

import os
import shutil
from pathlib import Path

import pytest

from scanner.credentials import Credential, load_credentials
from scanner.errors import CredentialsError

DEMO = Path(__file__).resolve().parents[2] / "config" / "lab" / "demo-credentials.yaml"


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "creds.yaml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_most_specific_scope_wins(tmp_path):
    path = write(tmp_path, """
- {scope: "*", username: any, password: p0}
- {scope: 10.0.0.0/8, username: wide, password: p1}
- {scope: 10.1.0.0/16, username: narrow, password: p2}
- {scope: 10.1.2.3, username: host, password: p3}
""")
    book = load_credentials(path)
    assert book.for_address("10.1.2.3").username == "host"
    assert book.for_address("10.1.2.4").username == "narrow"
    assert book.for_address("10.2.0.1").username == "wide"
    assert book.for_address("192.168.0.1").username == "any"


def test_demo_file_gives_the_changed_password_to_its_host_only(tmp_path):
    path = tmp_path / "demo.yaml"
    shutil.copy(DEMO, path)
    os.chmod(path, 0o600)
    book = load_credentials(path)
    assert book.for_address("127.10.0.20").password == "field-changed-pw"
    assert book.for_address("127.10.0.21").password == "Garam!Cctv2024"


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_group_or_other_readable_file_is_refused(tmp_path, mode):
    path = write(tmp_path, '- {scope: "*", username: a, password: secret-pw}', mode)
    with pytest.raises(CredentialsError, match="chmod 600"):
        load_credentials(path)


@pytest.mark.parametrize("mode", [0o755, 0o700])
def test_a_directory_is_named_so_not_told_to_chmod(tmp_path, mode):
    """A folder given for the file was told it is 'accessible by group or others; run chmod 600', which
    fixed nothing (and at 700 it was read as a file: 'Is a directory')."""
    folder = tmp_path / "site"
    folder.mkdir()
    os.chmod(folder, mode)
    with pytest.raises(CredentialsError, match=f"^credentials file {folder} is a directory; name the YAML file in it$"):
        load_credentials(folder)


def test_a_pipe_is_still_read(tmp_path):
    """`--credentials <(pass show site)` keeps the passwords off the disk: a FIFO, mode 600, is no directory."""
    import threading

    fifo = tmp_path / "creds"
    os.mkfifo(fifo, 0o600)
    writer = threading.Thread(target=lambda: fifo.write_text('- {scope: "*", username: a, password: "p"}\n'))
    writer.start()
    try:
        assert load_credentials(fifo).for_address("10.0.0.1").password == "p"
    finally:
        writer.join(5)


def test_password_never_in_repr_or_errors(tmp_path):
    cred = Credential("admin", "hunter2-secret")
    assert "hunter2" not in repr(cred) and "hunter2" not in str(cred)
    assert "hunter2" not in repr(load_credentials(write(tmp_path, '- {scope: "*", username: a, password: hunter2-secret}')))
    # A YAML error message from PyYAML would quote the offending line, password and all.
    broken = write(tmp_path, '- {scope: "*", username: a, password: "hunter2-secret}\n')
    with pytest.raises(CredentialsError) as info:
        load_credentials(broken)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{scope: x}", "expected a list"),
        ("- {scope: '*', username: a}", "lacks password"),
        ("- {scope: 'not-an-ip', username: a, password: b}", "not '\\*', an IP address or a CIDR"),
    ],
)
def test_bad_files_named_clearly(tmp_path, text, message):
    with pytest.raises(CredentialsError, match=message):
        load_credentials(write(tmp_path, text))


def test_values_are_the_text_written_never_a_yaml_number_or_boolean(tmp_path):
    """safe_load read `000000` as 0, `12:30` as 750 (base 60) and `on` as True: the device was sent "0",
    "750" or "True". Every value is the text as written; `""` is the empty password; merge keys still work."""
    book = load_credentials(write(tmp_path, "- {scope: 10.0.0.1, username: 0123, password: 000000}\n"
                                            "- {scope: 10.0.0.2, username: admin, password: 12:30}\n"
                                            "- {scope: 10.0.0.3, username: admin, password: on}\n"
                                            "- {scope: 10.0.0.4, username: admin, password: 1e3}\n"
                                            "- &idis {scope: 10.0.0.5, username: admin, password: \"\"}\n"
                                            "- {<<: *idis, scope: 10.0.0.6}\n"))
    got = {f"10.0.0.{i}": book.for_address(f"10.0.0.{i}") for i in range(1, 7)}
    assert (got["10.0.0.1"].username, got["10.0.0.1"].password) == ("0123", "000000")
    assert [got[f"10.0.0.{i}"].password for i in range(2, 7)] == ["12:30", "on", "1e3", "", ""]


@pytest.mark.parametrize("line", ["password:", "password: !hunter2", "password: &hunter2", "password: *hunter2",
                                  "password: !hunter2 rest", "password: [hunter2]"])
def test_a_password_yaml_reads_as_something_else_is_refused_without_quoting_it(tmp_path, line):
    """Unquoted, `!x` is a tag and `&x` an anchor on an empty value: the device would get "" as the password."""
    with pytest.raises(CredentialsError) as info:
        load_credentials(write(tmp_path, f"- scope: '*'\n  username: admin\n  {line}\n"))
    message = str(info.value)
    assert "hunter2" not in message
    assert ("line 3: password has no value" in message or "not valid YAML at line 3" in message
            or "password must be a single value" in message), message
