"""A Dockerfile read as its build stages and instructions, enough for tests to check what the image does.

Not a full parser: it joins `\\` continuations and drops comments, which is all this repository's Dockerfile
needs; hadolint (a real parser) lints the same file.
"""

import json
import shlex
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    """One instruction: its keyword in upper case and the rest of its (joined) line."""

    keyword: str
    arguments: str

    def words(self) -> list[str]:
        """The arguments split as a shell would split them."""
        return shlex.split(self.arguments)


@dataclass(frozen=True)
class Stage:
    """One build stage: its FROM image, its name (if any) and the instructions after FROM."""

    image: str
    name: str | None
    instructions: list[Instruction]

    def all(self, keyword: str) -> list[Instruction]:
        """The stage's instructions with this keyword, in order."""
        return [instruction for instruction in self.instructions if instruction.keyword == keyword]

    def healthcheck(self) -> list[str]:
        """The command of the stage's (last) HEALTHCHECK, exec form."""
        _, _, command = self.all("HEALTHCHECK")[-1].arguments.partition("CMD ")
        return list(json.loads(command))


def logical_lines(text: str) -> list[str]:
    """The instructions' lines: comments dropped, `\\` continuations joined into one line each."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending.rstrip())
    return lines


def read_stages(path: Path) -> list[Stage]:
    """The Dockerfile's build stages, in order."""
    stages: list[Stage] = []
    for line in logical_lines(path.read_text()):
        keyword, _, arguments = line.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip())
        if instruction.keyword == "FROM":
            words = [word for word in instruction.words() if not word.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name, instructions=[]))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages
