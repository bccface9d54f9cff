"""Shared by the CLI tests: write a program to a file, run ``autograph`` in-process."""
from pathlib import Path

from autograph.cli import main


def write_program(directory: Path, source: str) -> str:
    path = directory / "program.py"
    path.write_text(source)
    return str(path)


def run(capsys, *argv):
    """``(exit code, stdout, stderr)`` of ``autograph ARGV``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
