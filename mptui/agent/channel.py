"""The message channel: one AF_UNIX stream connection from this process to the collector.

Carries rare events (hello, started, exited, reaped, object declarations) as JSON lines.
It uses ``_socket`` directly because ``socket`` imports ``enum`` and more, and this runs at
every interpreter start. Sending never raises into the observed program: if mptui has
gone, events are dropped (the process is about to be killed anyway).
"""

from __future__ import annotations

import _socket
import os
import sys
import time

from mptui import events as ev

pid = os.getpid()
"""This process's pid, refreshed after fork (cheaper than os.getpid() on hot paths)."""
socket_path = ""
secret = ""
_sock = None


def configure(path: str, token: str) -> None:
    global socket_path, secret
    socket_path, secret = path, token


def open_connection(stream: str):
    """A new connection to the collector that has announced what it carries."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    sock.connect(socket_path)
    sock.sendall(ev.encode_header(secret, pid, stream))
    return sock


def hand_over(stream: str, fd: int) -> None:
    """Give the collector ``fd`` (a pipe's read end) for ``stream``, then hang up.

    The fd travels with the header as SCM_RIGHTS ancillary data, so the kernel, not a path
    or a number, ties it to the connection that presented the secret."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(socket_path)
        rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fd.to_bytes(4, sys.byteorder))]
        sock.sendmsg([ev.encode_header(secret, pid, stream)], rights)
    finally:
        sock.close()


def connect() -> None:
    """(Re)open this process's message channel; call again in a fork child."""
    global _sock, pid
    pid = os.getpid()
    old, _sock = _sock, None
    if old is not None:
        # A fork child must not keep its parent's connection open: the collector
        # learns that a process ended from the EOF of its channel.
        old.close()
    try:
        _sock = open_connection(ev.STREAM_EVENTS)
    except OSError:
        _sock = None


def send(kind: str, **fields: object) -> None:
    """Send one event; silently dropped when the collector is unreachable."""
    sock = _sock
    if sock is None:
        return
    try:
        sock.sendall(ev.encode_message(kind, pid=pid, t=time.monotonic_ns(), **fields))
    except OSError:
        pass
