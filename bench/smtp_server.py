"""A local SMTP server in its own process for the benchmark: logs each Message-ID.

``python bench/smtp_server.py PORT LOGFILE`` (stop it with SIGTERM).
"""

from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class MessageIdLog:
    def __init__(self, path: str):
        self.file = open(path, "a", buffering=1)  # noqa: SIM115 - open for the process

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.file.write(line.split(b":", 1)[1].strip().decode() + "\n")
                break
        return "250 OK"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(MessageIdLog(path), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
