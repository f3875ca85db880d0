"""The settings readers fail loudly, naming the variable, instead of running with a guess."""

import subprocess
import sys

import pytest

from config.env import EnvError, env_bool, env_int, env_list, env_secret, env_str


def test_strings_and_defaults():
    assert env_str("X", "d", environ={}) == "d"
    assert env_str("X", environ={"X": "v"}) == "v"
    with pytest.raises(EnvError, match="X must be set"):
        env_str("X", environ={})


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False)])
def test_booleans(raw, value):
    assert env_bool("DEBUG", default=not value, environ={"DEBUG": raw}) is value


def test_malformed_values_name_the_variable():
    with pytest.raises(EnvError, match="DEBUG"):
        env_bool("DEBUG", default=False, environ={"DEBUG": "maybe"})
    with pytest.raises(EnvError, match="WORKERS"):
        env_int("WORKERS", 1, environ={"WORKERS": "two"})
    assert env_int("WORKERS", 1, environ={"WORKERS": "3"}) == 3
    assert env_list("HOSTS", ["a"], environ={"HOSTS": "x, y,,"}) == ["x", "y"]


def test_secrets_from_the_environment_or_a_file(tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("s3cret\n")
    assert env_secret("KEY", environ={"KEY_FILE": str(secret_file)}) == "s3cret"
    assert env_secret("KEY", environ={"KEY": "direct"}) == "direct"
    assert env_secret("KEY", environ={}) is None
    with pytest.raises(EnvError, match="not both"):
        env_secret("KEY", environ={"KEY": "a", "KEY_FILE": str(secret_file)})
    with pytest.raises(EnvError, match="cannot be read"):
        env_secret("KEY", environ={"KEY_FILE": str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("")
    with pytest.raises(EnvError, match="empty"):
        env_secret("KEY", environ={"KEY_FILE": str(tmp_path / "empty")})
    with pytest.raises(EnvError, match="empty"):
        env_secret("KEY", environ={"KEY": " "})


def _settings_in_subprocess(env):
    code = "import config.settings as s; print(s.DATABASES['default']['ENGINE'])"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_database_url_without_a_secret_key_stops_the_start_up(tmp_path):
    result = _settings_in_subprocess({"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u@127.0.0.1/x"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_embedded_default_is_sqlite_with_a_generated_key(tmp_path):
    result = _settings_in_subprocess({"PATH": "/usr/bin:/bin", "INCASSO_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0
    postgres = _settings_in_subprocess(
        {
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "postgres://u@127.0.0.1/x",
            "SECRET_KEY": "k" * 50,
            "INCASSO_MASTER_KEYS": "v1:" + "A" * 43 + "=",
            "INCASSO_BLIND_INDEX_KEY": "v1:" + "B" * 43 + "=",
        }
    )
    assert postgres.stdout.strip() == "django.db.backends.postgresql"


def test_a_database_url_without_master_keys_stops_the_start_up():
    result = _settings_in_subprocess(
        {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u@127.0.0.1/x", "SECRET_KEY": "k" * 50}
    )
    assert result.returncode != 0
    assert "INCASSO_MASTER_KEYS" in result.stderr
