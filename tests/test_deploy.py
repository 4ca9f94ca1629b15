"""The Dockerfile and .dockerignore say what README "Run it for your office" promises.

Docker need not run here (nor in CI): the files are read as text. A non-root user runs the
app, the app's files are not its to write, state lives in volumes, the health check asks
Streamlit's health endpoint, every STREAMLIT_* variable names a real option, and neither
secrets nor databases get into the image.
"""

from __future__ import annotations

import fnmatch
import json
import shlex
import tomllib
from pathlib import Path, PurePosixPath

import pytest
from streamlit import config

from calc import pseudonyms, store

REPO_DIR = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO_DIR / "Dockerfile"
DOCKERIGNORE = REPO_DIR / ".dockerignore"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, with continued lines joined and comments left out."""
    found: list[tuple[str, str]] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        word, _, rest = (pending + stripped).partition(" ")
        found.append((word.upper(), rest.strip()))
        pending = ""
    return found


def arguments(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def environment() -> dict[str, str]:
    """Every ENV of the Dockerfile (KEY=VALUE form)."""
    pairs = [pair for rest in arguments("ENV") for pair in shlex.split(rest)]
    return dict(pair.split("=", 1) for pair in pairs)


def ignored_patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_ignored(path: str) -> bool:
    """Whether .dockerignore keeps path out of the build context (no ! exceptions are used):
    a pattern matches the path or a folder above it; a leading **/ matches at any depth."""
    parts = PurePosixPath(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in ignored_patterns():
        forms = [pattern, pattern.removeprefix("**/")] if pattern.startswith("**/") else [pattern]
        names = [*candidates, *parts] if pattern.startswith("**/") else candidates
        if any(fnmatch.fnmatch(name, form) for name in names for form in forms):
            return True
    return False


def test_the_app_runs_as_a_user_without_rights_on_its_files() -> None:
    words = [word for word, _ in instructions()]
    users = arguments("USER")
    assert users, "no USER: the app would run as root"
    assert users[-1] not in {"root", "0", "0:0"}
    # Nothing runs as root after the switch, and the app starts after it.
    assert words.index("USER") > max(i for i, word in enumerate(words) if word == "RUN")
    assert words.index("USER") < words.index("CMD")
    # The files were copied as root's and made read-only for everyone else.
    assert all("--chown=root:root" in rest for rest in arguments("COPY"))
    assert any("go=rX" in rest for rest in arguments("RUN"))


def test_state_lives_in_volumes_the_user_owns() -> None:
    env = environment()
    volumes = {path for rest in arguments("VOLUME") for path in json.loads(rest)}
    database = PurePosixPath(env[store.DB_PATH_ENV])
    # The state file and the data sets beside it (PATH.data/) are in a volume.
    assert str(database.parent) in volumes
    assert any("-o wegbilanz" in rest and str(database.parent) in rest for rest in arguments("RUN"))
    # The pseudonym key is in a volume of its own, apart from the data and its backups.
    key_dir = str(PurePosixPath(env[pseudonyms.KEY_FILE_ENV]).parent)
    assert key_dir in volumes
    assert key_dir != str(database.parent)
    assert pseudonyms.KEY_ENV not in env  # a key baked into the image would be in every copy


def test_health_check_asks_streamlit() -> None:
    [check] = arguments("HEALTHCHECK")
    assert "/_stcore/health" in check
    assert f":{environment()['STREAMLIT_SERVER_PORT']}/" in check


def test_streamlit_settings_name_real_options_and_avoid_the_ip_lookup() -> None:
    env = environment()
    known = {option.env_var for option in config.get_config_options().values()}
    streamlit_vars = {key for key in env if key.startswith("STREAMLIT_")}
    assert streamlit_vars <= known, f"not Streamlit options: {streamlit_vars - known}"
    # Listening on all interfaces, Streamlit looks up its external IP unless told its address.
    assert env["STREAMLIT_SERVER_ADDRESS"] == "0.0.0.0"
    assert env["STREAMLIT_BROWSER_SERVER_ADDRESS"]
    assert env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] == "false"
    [command] = arguments("CMD")
    assert json.loads(command)[-3:] == ["streamlit", "run", "app.py"]


@pytest.mark.parametrize(
    "path",
    [
        ".streamlit/secrets.toml",
        "data/wegbilanz.duckdb",
        "data/wegbilanz.duckdb.data/3.duckdb",
        "data/wegbilanz.duckdb.wal",
        "pseudonym.key",
        ".git/config",
        ".venv/bin/python",
        "tests/conftest.py",
    ],
)
def test_secrets_databases_and_tools_stay_out_of_the_image(path: str) -> None:
    assert is_ignored(path)


@pytest.mark.parametrize(
    "path",
    [
        "app.py",
        "calc/model.py",
        "ui/plain.py",
        "pages/overview.py",
        "data/factors/default.csv",
        ".streamlit/config.toml",
        "requirements.txt",
    ],
)
def test_what_the_app_needs_goes_in(path: str) -> None:
    assert (REPO_DIR / path).exists()
    assert not is_ignored(path)


def test_the_shipped_settings_keep_the_app_local() -> None:
    """.streamlit/config.toml: what `streamlit run app.py` does without any flag."""
    settings = tomllib.loads((REPO_DIR / ".streamlit" / "config.toml").read_text("utf-8"))
    # Only this machine can reach it, and Streamlit has no reason to look up its public IP.
    assert settings["server"]["address"] == "127.0.0.1"
    assert settings["browser"]["serverAddress"]
    # No usage statistics, no e-mail prompt on the first start.
    assert settings["browser"]["gatherUsageStats"] is False
    assert settings["server"]["showEmailPrompt"] is False
    # The theme names no font (or anything else) to fetch from the internet.
    assert not [value for value in settings["theme"].values() if "://" in str(value)]
