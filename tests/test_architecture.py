"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they can fail.

`make lint` runs lint-imports too; these tests show the contracts bite: each copies the salesapp
package to a temporary folder, adds one forbidden import, and expects lint-imports to name the broken
contract. No database, about a second each.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "added", "contract"),
    [
        ("pricing/rules.py", "import django", "salesapp.pricing is pure Decimal code"),
        ("pricing/rules.py", "import salesapp.core.models", "salesapp.pricing is pure Decimal code"),
        ("core/models.py", "import salesapp.sales.models", "Apps in layers"),
        ("catalog/services.py", "import salesapp.customers.models", "Apps in layers"),
        ("api/responses.py", "import salesapp.api.views", "No import cycles"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, added, contract):
    shutil.copytree(ROOT / "salesapp", tmp_path / "salesapp", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "salesapp" / module
    path.write_text(f"{path.read_text()}\n{added}  # added by the test\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0, result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
