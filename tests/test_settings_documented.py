"""Every setting the code reads lives in config/settings.py, and every one a deployment may set from
the environment is in the README's settings table (docs/spec.md §8): no setting hides behind a default in
the code that reads it."""

import re
from pathlib import Path

import config.settings as project_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "core", "certification", "workflows", "certificates", "exchange", "reports", "integrations", "demo")

SETTING_READ = re.compile(
    r"""settings\.([A-Z][A-Z0-9_]*[A-Z0-9])(?![A-Z0-9_*])|getattr\(\s*settings,\s*["']([A-Z][A-Z0-9_]*[A-Z0-9])["']|limits\.get\(["']([A-Z][A-Z0-9_]*[A-Z0-9])["']"""
)
HIDDEN_DEFAULT = re.compile(r"""getattr\(\s*settings,\s*["'][A-Z][A-Z0-9_]+["']\s*,""")
FROM_ENVIRONMENT = re.compile(r"""(?:os\.environ\.get|env_bool|env_int)\(\s*["']([A-Z][A-Z0-9_]*[A-Z0-9])["']""")


def source_files():
    for app in APPS:
        yield from (path for path in (REPO_ROOT / app).rglob("*.py") if "migrations" not in path.parts)


def test_no_code_reads_a_setting_with_a_default_of_its_own():
    hidden = [
        f"{path.relative_to(REPO_ROOT)}: {match.group(0)}"
        for path in source_files()
        for match in HIDDEN_DEFAULT.finditer(path.read_text())
    ]

    assert hidden == []


def test_every_setting_the_code_reads_is_in_config_settings():
    read = {
        name
        for path in source_files()
        if path.parent.name != "config"
        for match in SETTING_READ.finditer(path.read_text())
        for name in match.groups()
        if name
    }

    assert read, "the pattern found no setting at all"
    assert sorted(name for name in read if not hasattr(project_settings, name)) == []


def test_every_setting_from_the_environment_is_in_the_readmes_settings_table():
    names = set(FROM_ENVIRONMENT.findall((REPO_ROOT / "config" / "settings.py").read_text()))
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings from the environment") :]
    table = table[: table.index("\n## ")]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*[A-Z0-9])` \|", table, flags=re.MULTILINE))

    assert {"PUBLIC_BASE_URL", "EVIDENCE_MAX_BYTES", "EVIDENCE_MAX_FILES"} <= names
    assert sorted(names - documented) == []
