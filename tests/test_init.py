"""`driftgate init` and the README's "Use it in your project", end to end on a real drizzle-kit project."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO
from driftgate.init import CONFORMANCE_MODULE

DRIZZLE_KIT = REPO / "tools" / "node_modules" / "drizzle-kit" / "bin.cjs"
DRIFTGATE = Path(sys.executable).parent / "driftgate"

SCHEMA_TS = """import { sqliteTable, integer, text, index } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
  id: integer().primaryKey(),
  userName: text().notNull().unique(),
});

export const posts = sqliteTable('posts', {
  id: integer().primaryKey(),
  authorId: integer().notNull().references(() => users.id),
  title: text().notNull(),
}, (t) => [index('posts_author_idx').on(t.authorId)]);
"""

DRIZZLE_CONFIG = """import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './src/db/schema.ts',
  out: './drizzle',
  casing: 'snake_case',
  migrations: { table: 'app_migrations' },
});
"""


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    return {**env, **extra}


def run(cwd: Path, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env or clean_env(),
        stdin=subprocess.DEVNULL,  # drizzle-kit asks nothing of a run without a terminal
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def drizzle_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project: a schema, drizzle.config.ts and the migrations the real drizzle-kit generates."""
    assert DRIZZLE_KIT.is_file(), "drizzle-kit missing: run `npm ci --ignore-scripts` in tools/"
    project = tmp_path_factory.mktemp("app")
    (project / "src" / "db").mkdir(parents=True)
    (project / "src" / "db" / "schema.ts").write_text(SCHEMA_TS)
    (project / "drizzle.config.ts").write_text(DRIZZLE_CONFIG)
    (project / "node_modules").symlink_to(REPO / "tools" / "node_modules")
    done = run(project, "node", DRIZZLE_KIT, "generate", "--name", "baseline")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (project / "drizzle" / "meta" / "_journal.json").is_file()
    return project


def readme_commands() -> list[str]:
    """The `driftgate` and `pytest` lines of the README's "Use it in your project" block."""
    text = (REPO / "README.md").read_text()
    section = text.split("## Use it in your project", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    return [c for c in commands if c.startswith(("driftgate ", "pytest "))]


def test_readme_adoption_steps_work_on_a_drizzle_kit_project(drizzle_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "app"  # a copy per test: each one writes its own config
    shutil.copytree(drizzle_project, project, symlinks=True)
    migration = next((project / "drizzle").glob("0000_*.sql")).read_text()
    db = tmp_path / "prod.db"
    connection = sqlite3.connect(db)
    connection.executescript(migration)  # the production database already has this schema
    connection.close()
    env = clean_env(DRIFTGATE_DB_URL=f"file:{db}")

    commands = readme_commands()
    assert commands == [
        "driftgate init",
        "pytest conformance -n auto",
        "pytest conformance --driftgate-stamp",
    ]
    outputs = []
    for command in commands:
        program, *args = shlex.split(command)
        argv = (
            [DRIFTGATE, *args]
            if program == "driftgate"
            else [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
        )
        done = run(project, *argv, env=env)
        outputs.append(done.stdout + done.stderr)
        assert done.returncode == 0, f"{command}:\n{outputs[-1]}"

    config = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["driftgate"]
    assert config["migrations"] == "drizzle"
    assert config["ledger_table"] == "app_migrations"
    assert config["drizzle_casing"] == "snake_case"
    assert config["drizzle"] == ["src/db/schema.ts"]  # `schema` of drizzle.config.ts: compared too
    assert (project / "conformance" / "test_conformance.py").read_text() == CONFORMANCE_MODULE
    assert "driftgate verdict: baseline 0000_baseline may be stamped" in outputs[1]
    assert "driftgate stamp: stamped 0000_baseline" in outputs[2]
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM app_migrations").fetchone()
    assert rows == (1,)
    report = json.loads((project / "reports" / "driftgate.json").read_text())
    columns = {f["object"] for f in report["findings"] if f["kind"] == "column" and f["status"] == "ok"}
    assert {"users.user_name", "posts.author_id"} <= columns  # drizzle-kit's snake_case names
    by_source = {(f["source"], f["status"]) for f in report["findings"]}
    assert ("drizzle", "ok") in by_source and not {s for s in by_source if s[0] == "drizzle" and s[1] != "ok"}

    # Drift is seen through the same suite: the index drizzle-kit generated is dropped.
    sqlite3.connect(db).execute("DROP INDEX posts_author_idx").connection.commit()
    done = run(project, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "conformance", "-q", env=env)
    assert done.returncode == 1, done.stdout
    assert "FAILED conformance/test_conformance.py::test_index[baseline:posts_author_idx]" in done.stdout
    assert "FAILED conformance/test_conformance.py::test_index[drizzle:posts_author_idx]" in done.stdout


def test_init_never_overwrites_without_force(drizzle_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "app"
    shutil.copytree(drizzle_project, project, symlinks=True)
    (project / "pyproject.toml").write_text('[project]\nname = "app"\n\n[tool.driftgate]\nmigrations = "old"\n')
    (project / "conformance").mkdir()
    (project / "conformance" / "test_conformance.py").write_text("# mine\n")
    before = (project / "pyproject.toml").read_text()

    refused = run(project, DRIFTGATE, "init")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"driftgate: error: {project / 'conformance' / 'test_conformance.py'}: already exists; "
        "run `driftgate init --force` to overwrite it"
    ]
    assert (project / "conformance" / "test_conformance.py").read_text() == "# mine\n"
    (project / "conformance" / "test_conformance.py").unlink()
    refused = run(project, DRIFTGATE, "init")
    assert refused.returncode == 2 and "[tool.driftgate] already exists" in refused.stderr
    assert (project / "pyproject.toml").read_text() == before
    assert not (project / "conformance" / "test_conformance.py").exists()  # nothing half-written

    forced = run(project, DRIFTGATE, "init", "--force")
    assert forced.returncode == 0, forced.stderr
    document = tomllib.loads((project / "pyproject.toml").read_text())
    assert document["project"] == {"name": "app"}
    assert document["tool"]["driftgate"]["migrations"] == "drizzle"


def test_init_creates_pyproject_and_says_what_is_missing_without_drizzle_config(tmp_path: Path) -> None:
    done = run(tmp_path, DRIFTGATE, "init")
    assert done.returncode == 0, done.stderr
    assert "no migrations folder found: set migrations in [tool.driftgate]" in done.stdout
    config = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["driftgate"]
    assert config["ledger_table"] == "__drizzle_migrations" and "migrations" not in config


def test_this_repository_runs_the_suite_through_the_same_import() -> None:
    assert (REPO / "conformance" / "test_conformance.py").read_text() == CONFORMANCE_MODULE


@pytest.mark.parametrize(
    ("schema", "written"),
    [
        ("'./src/db/*'", '["src/db/*"]'),  # a glob, kept: expanded on every run, as drizzle-kit does
        ("['./src/db/schema.ts', './src/db/more.ts']", '["src/db/schema.ts", "src/db/more.ts"]'),
        ("'./src/db/absent.ts'", None),  # matches nothing yet: left as a comment, and said so
    ],
)
def test_init_takes_the_schema_of_drizzle_config(tmp_path: Path, schema: str, written: str | None) -> None:
    (tmp_path / "src" / "db").mkdir(parents=True)
    (tmp_path / "src" / "db" / "schema.ts").write_text(SCHEMA_TS)
    (tmp_path / "src" / "db" / "more.ts").write_text("export const nothing = 1;\n")
    (tmp_path / "drizzle.config.ts").write_text(f"export default {{ dialect: 'sqlite', schema: {schema} }};\n")
    done = run(tmp_path, DRIFTGATE, "init")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "pyproject.toml").read_text()
    config = tomllib.loads(text)["tool"]["driftgate"]
    if written is None:
        assert "drizzle" not in config and '# drizzle = ["src/db/absent.ts"]' in text
        assert "schema in drizzle.config.ts matches no file" in done.stdout + done.stderr
    else:
        assert f"drizzle = {written}" in text and config["drizzle"] == json.loads(written)
