"""Screenshots of the web page for the README: `ragtune serve` over a store (e.g. the demo's), driven by
Playwright in Debian's chromium.

    python scripts/screenshot.py ragtune-demo/store docs/
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

QUESTION = "How long does delivery to Iceland take?"


def main(store: Path, out: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "ragtune.cli", "serve", "--store", str(store), "--port", str(port)]
    server = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 820})
            page.goto(url)
            page.wait_for_selector("#documents li")
            page.check("#compare")
            page.fill("#question", QUESTION)
            page.click("#ask")
            page.wait_for_selector(".answer:nth-child(2)", timeout=120_000)
            page.screenshot(path=str(out / "page.png"))
            page.click(".answer button.cite")
            page.wait_for_selector("dialog[open]")
            page.screenshot(path=str(out / "page-citation.png"))
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
            phone.goto(url)
            phone.fill("#question", "Who manages the Bergen store?")
            phone.click("#ask")
            phone.wait_for_selector(".answer", timeout=120_000)
            phone.screenshot(path=str(out / "page-phone.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
