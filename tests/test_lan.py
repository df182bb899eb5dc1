"""On the office network (issue 17): `make run` stays on 127.0.0.1, `make serve-lan` binds every interface and
prints the URL a phone should open."""
from __future__ import annotations

import re
import socket
import tomllib
from pathlib import Path

from civic import cli, lan

ROOT = Path(__file__).resolve().parent.parent


def recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.M)
    assert m, target
    return m.group(1)


def test_default_run_binds_loopback_only():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["address"] == "127.0.0.1"
    assert "--server.address" not in recipe("run")


def test_serve_lan_binds_every_interface_and_prints_the_url():
    r = recipe("serve-lan")
    assert "--server.address 0.0.0.0" in r
    assert r.index("civic lan-url --port $(PORT)") < r.index("civic serve app.py")   # the URL, then the server


def test_lan_url():
    assert lan.lan_url("192.168.1.20", 8501) == "http://192.168.1.20:8501/"
    assert lan.lan_url(None, 8502) == "http://127.0.0.1:8502/"
    assert lan.lan_url("fd00::5", 8501) == "http://[fd00::5]:8501/"


def test_lan_ip_is_this_machines_address(monkeypatch):
    ip = lan.lan_ip()
    if ip is not None:
        # an address of this machine: a socket binds to it
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((ip, 0))
        assert not ip.startswith("127.")

    class NoNetwork(socket.socket):
        def connect(self, *a):
            raise OSError("Network is unreachable")
    monkeypatch.setattr(lan.socket, "socket", NoNetwork)
    assert lan.lan_ip() is None


def test_lan_url_command(capsys, monkeypatch):
    monkeypatch.setattr(lan, "lan_ip", lambda probe=lan.PROBE: "10.1.2.3")
    assert cli.main(["lan-url", "--port", "8600"]) == 0
    out = capsys.readouterr().out
    assert "http://10.1.2.3:8600/" in out and "CIVIC_ADMIN_PASSWORD" in out and "互联网" in out
