"""The README tells the truth about the repository: the files, pages and commands it names exist,
and `make run` starts the task workers it says it does."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands
from django.urls import Resolver404, resolve

REPO_ROOT = Path(__file__).resolve().parent.parent
README = (REPO_ROOT / "README.md").read_text()
CODE = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", README, flags=re.DOTALL))


def test_every_file_it_names_exists():
    # Not the settings' defaults (var/signing is made by create_signing_key), nor addresses, nor the
    # architecture table's modules (relative to their app: the next test).
    settings_table = README[README.index("## Settings from the environment") :]
    settings_table = settings_table[: settings_table.index("\n## ")]
    app_rows = "\n".join(re.findall(r"^\| `\w+` \| .* \|$", README, flags=re.MULTILINE))
    named = {
        text
        for text in CODE
        if re.fullmatch(r"\.?[A-Za-z_][\w.-]*(/[\w.-]+)+/?", text)
        and f"`{text}`" not in settings_table
        and f"`{text}`" not in app_rows
    }
    named |= set(re.findall(r"\]\(((?!https?:)[^)]+)\)", README))  # images and links

    assert "scripts/run.sh" in named
    assert sorted(path for path in named if not (REPO_ROOT / path).exists()) == []


def test_every_module_of_the_architecture_table_is_in_its_app():
    missing = []
    for app, owns in re.findall(r"^\| `(\w+)` \| (.*) \|$", README, flags=re.MULTILINE):
        if not (REPO_ROOT / app).is_dir():
            continue
        for path in re.findall(r"`([\w/]+(?:\.py|/))`", owns):
            if not (REPO_ROOT / app / path).exists() and not (REPO_ROOT / path).exists():
                missing.append(f"{app}/{path}")

    assert missing == []


def test_every_page_it_names_exists(db):
    pages = {text for text in CODE if text.startswith("/") and not text.startswith(("/usr/", "/etc/", "/srv/"))}
    missing = []
    for page in sorted(pages):
        path = re.sub(r"<pk>", "1", re.sub(r"<number>", "Y000133000101264000001", page))
        try:
            resolve(path)
        except Resolver404:
            missing.append(page)

    assert len(pages) > 15
    assert missing == []


def test_every_command_it_names_exists():
    named = set(re.findall(r"manage\.py (\w+)", README))
    named |= {"seed_demo", "schedule_periodic_tasks", "create_signing_key", "createcachetable", "db_worker"}

    assert sorted(named - set(get_commands())) == []


@pytest.mark.parametrize("cores", ["1", "2", "8"])
def test_make_run_starts_one_task_worker_per_core(tmp_path, cores):
    fake = tmp_path / "nproc"
    fake.write_text(f"#!/bin/sh\necho {cores}\n")
    fake.chmod(0o755)
    script = (REPO_ROOT / "scripts" / "run.sh").read_text()
    count = re.search(r"^worker_count\(\) \{.*?^\}$", script, flags=re.MULTILINE | re.DOTALL)
    assert count, "scripts/run.sh has no worker_count function"

    result = subprocess.run(
        ["bash", "-c", f"{count.group(0)}\nworker_count"],
        env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == cores
    assert "one per core" in README
