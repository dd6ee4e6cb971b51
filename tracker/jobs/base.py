"""What every job returns: the messages it queued or sent, as printable lines."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class JobResult:
    name: str
    queued: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        if not self.queued and self.lines:
            return "\n".join(self.lines)
        head = f"{self.name}: {len(self.queued)} bericht(en) in de wachtrij gezet"
        return "\n".join([head, *[f"  {key}" for key in self.queued], *self.lines])
