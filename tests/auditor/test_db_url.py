"""Where the auditor's database URL comes from: --db, the environment, or a private config file."""

from __future__ import annotations

import pytest

from cctv_inventory.commands import auditor

PG_WITH_PASSWORD = "postgresql+psycopg://auditor:s3cret@db.example/inventory"


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv(auditor.ENV_DB, raising=False)
    (tmp_path / "cctv-inventory").mkdir()
    return tmp_path / "cctv-inventory" / "config.toml"


def _write(path, url, mode):
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    path.chmod(mode)


def test_option_wins_over_environment_and_file(config_home, monkeypatch):
    _write(config_home, "sqlite:///from-file.db", 0o600)
    monkeypatch.setenv(auditor.ENV_DB, "sqlite:///from-env.db")
    assert auditor.resolve_db_url("sqlite:///from-option.db") == "sqlite:///from-option.db"
    assert auditor.resolve_db_url(None) == "sqlite:///from-env.db"
    monkeypatch.delenv(auditor.ENV_DB)
    assert auditor.resolve_db_url(None) == "sqlite:///from-file.db"


def test_nothing_configured_means_the_local_default(config_home):
    assert auditor.resolve_db_url(None) is None


def test_private_config_file_with_password_is_used(config_home):
    _write(config_home, PG_WITH_PASSWORD, 0o600)
    assert auditor.resolve_db_url(None) == PG_WITH_PASSWORD


def test_config_file_readable_by_others_is_refused_when_it_holds_a_password(config_home):
    _write(config_home, PG_WITH_PASSWORD, 0o644)
    with pytest.raises(auditor.ConfigError, match="chmod 600"):
        auditor.resolve_db_url(None)


def test_world_readable_file_without_password_is_fine(config_home):
    _write(config_home, "postgresql+psycopg://viewer@/inventory?host=/var/run/postgresql", 0o644)
    assert auditor.resolve_db_url(None).startswith("postgresql+psycopg://viewer@")


def test_broken_config_file_names_itself(config_home):
    config_home.write_text("[database\nurl=", encoding="utf-8")
    with pytest.raises(auditor.ConfigError, match="not valid TOML"):
        auditor.resolve_db_url(None)


def test_password_on_the_command_line_warns(config_home, capsys):
    assert auditor.resolve_db_url(PG_WITH_PASSWORD) == PG_WITH_PASSWORD
    assert "shell history" in capsys.readouterr().err
