"""`make serve-lan`: the app on the office network, and the address a phone there should open.

`make run` binds 127.0.0.1 (.streamlit/config.toml), reachable from this machine only. `make serve-lan`
binds 0.0.0.0 and first prints `python -m civic lan-url`: http://<this machine's LAN address>:<port>/.
The LAN address is the one the system would use to reach a private network (a UDP socket "connected" to
a private address: that only asks the routing table; no packet is sent, nothing leaves the machine).
Set the admin password (CIVIC_ADMIN_PASSWORD) first, and never forward the port to the internet.
"""
from __future__ import annotations

import argparse
import ipaddress
import socket

from civic.cli import command

PROBE = "10.255.255.255"     # any private address: only the route to it is looked up


def lan_ip(probe: str = PROBE) -> str | None:
    """This machine's address on the local network, or None when it has none but loopback."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((probe, 9))
            ip = s.getsockname()[0]
    except OSError:
        return None
    addr = ipaddress.ip_address(ip)
    return None if addr.is_loopback or addr.is_unspecified else ip


def lan_url(ip: str | None, port: int) -> str:
    """The address to type on a phone: http://192.168.1.20:8501/ (loopback when there is no network)."""
    host = ip or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{int(port)}/"


def _setup(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8501)


@command("lan-url", _setup)
def cmd_lan_url(a: argparse.Namespace) -> int:
    ip = lan_ip()
    print(f"手机（同一办公网络）请打开 open on a phone in the office network: {lan_url(ip, a.port)}")
    if ip is None:
        print("未找到局域网地址，只能在本机访问 (no LAN address found: this machine only)")
    print("请先设置管理员密码 CIVIC_ADMIN_PASSWORD；切勿将此端口暴露到互联网 (set the admin password; never expose "
          "this port to the internet)")
    return 0
