"""The example's deployment files read back: the Dockerfile's instructions, its one
``uv pip install``, the image's environment and docker-compose.prod.yml's commands.

Parsed rather than restated, so ``test_deployment.py`` runs what they say.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import yaml

from tests.declared_imports import EXAMPLE

DOCKERFILE = EXAMPLE / "Dockerfile"
COMPOSE = EXAMPLE / "docker-compose.prod.yml"
# uv pip install options the Dockerfile may use; anything else is a question to answer.
VALUE_OPTIONS = {"--python", "-r", "--requirement", "--extra"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    stage: str


def dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments left out."""
    logical, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    instructions, stage = [], ""
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            stage = arguments.split()[-1]
        instructions.append(Instruction(keyword.upper(), arguments.strip(), stage))
    return instructions


def shell_commands(instruction: Instruction) -> Iterator[list[str]]:
    """The commands of a RUN instruction, its flags (``--mount=...``) left out."""
    for command in re.split(r"\s*&&\s*", instruction.arguments):
        words = shlex.split(command)
        while words and words[0].startswith("--"):
            words.pop(0)
        if words:
            yield words


@dataclass
class Install:
    """The image's ``uv pip install``, read back."""

    arguments: list[str] = field(default_factory=list)  # but --python
    sources: list[str] = field(default_factory=list)
    requirement_files: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    stage: str = ""


def image_install() -> Install:
    found = [
        (instruction, words[3:])
        for instruction in dockerfile()
        if instruction.keyword == "RUN"
        for words in shell_commands(instruction)
        if words[:3] == ["uv", "pip", "install"]
    ]
    assert len(found) == 1, f"expected one `uv pip install` in the Dockerfile: {found}"
    instruction, words = found[0]
    install = Install(stage=instruction.stage)
    while words:
        word = words.pop(0)
        if word in VALUE_OPTIONS:
            value = words.pop(0)
            if word == "--python":
                continue  # the image's interpreter; the test names its own
            install.arguments += [word, value]
            (install.extras if word == "--extra" else install.requirement_files).append(value)
        elif word.startswith("-"):
            pytest.fail(
                f"the Dockerfile's uv pip install has an option this test does not know: {word}"
            )
        else:
            install.sources.append(word)
            install.arguments.append(word)
    return install


def compose_command(service: str) -> tuple[list[str], dict[str, str]]:
    definition = yaml.safe_load(COMPOSE.read_text())["services"][service]
    command = definition["command"]
    words = shlex.split(command) if isinstance(command, str) else list(command)
    return words, {k: str(v) for k, v in (definition.get("environment") or {}).items()}


def image_environment() -> dict[str, str]:
    """ENV of the image's last stage, but PATH (the virtualenv's is set here)."""
    instructions = dockerfile()
    last = instructions[-1].stage
    variables: dict[str, str] = {}
    for instruction in instructions:
        if instruction.keyword == "ENV" and instruction.stage == last:
            variables.update(word.split("=", 1) for word in shlex.split(instruction.arguments))
    variables.pop("PATH", None)
    return variables


def image_command() -> list[str]:
    """The image's CMD (exec form)."""
    (command,) = (i.arguments for i in dockerfile() if i.keyword == "CMD")
    return list(json.loads(command))


def image_healthcheck() -> list[str]:
    """The image's HEALTHCHECK command (exec form), its options left out."""
    (arguments,) = (i.arguments for i in dockerfile() if i.keyword == "HEALTHCHECK")
    return list(json.loads(arguments[arguments.index("CMD ") + 4 :]))


def compose_healthcheck(service: str) -> list[str]:
    """A compose service's health check as a command line (``$$`` is compose's ``$``)."""
    test = yaml.safe_load(COMPOSE.read_text())["services"][service]["healthcheck"]["test"]
    kind, *words = [test] if isinstance(test, str) else test
    words = [word.replace("$$", "$") for word in words]
    if kind == "CMD-SHELL":
        return ["sh", "-c", *words]
    assert kind == "CMD", f"{service}'s health check: unknown form {kind!r}"
    return words
