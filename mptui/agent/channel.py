"""The message channel: one AF_UNIX stream connection from this process to the collector.

Carries rare events (hello, started, exited, reaped, object declarations) as JSON lines,
and, with its first line, the read ends of this process's output pipes (SCM_RIGHTS): one
connect() per process. It uses ``_socket`` directly because ``socket`` imports ``enum``
and more, and this runs at every interpreter start. Sending never raises into the observed
program: if mptui has gone, events are dropped (the process is about to be killed anyway).

The connection is kept as a bare file descriptor, not a socket object: the kernel closes it
when the process ends, however it ends, and that EOF is how the collector learns the
process is gone, after its last message. A socket object alive at interpreter exit would
print ``ResourceWarning: unclosed <socket ...>`` into the program's stderr (``-X dev``,
``-W error``), and closing it earlier (atexit) would lose the exit codes reported later.
"""

import _socket
import os
import sys
import time

from mptui import events as ev

pid = os.getpid()
"""This process's pid, refreshed after fork (cheaper than os.getpid() on hot paths)."""
socket_path = ""
secret = ""
session_dir = ""
"""The session's private directory (mptui.agent.ring creates this process's ring there)."""
_fd = -1


def configure(path: str, token: str, directory: str = "") -> None:
    global socket_path, secret, session_dir
    socket_path, secret, session_dir = path, token, directory


def _wrap(fd: int):
    """A socket object for ``fd`` that the caller must ``detach()``, never close.

    A program that closed the fd and opened a file or socket under the same number gets
    an error here (getsockname, getpeername), not our bytes in its file."""
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM, 0, fd)
    try:
        if sock.getpeername() != socket_path:  # another socket under our old number
            raise OSError("not the message channel")
        if sock.gettimeout() is not None:  # the program called socket.setdefaulttimeout()
            sock.settimeout(None)
    except OSError:
        sock.detach()
        raise
    return sock


def connect(carried: tuple = (), fds: tuple = (), hello: dict | None = None) -> bool:
    """(Re)open this process's message channel; call again in a fork child.

    ``fds`` (pipe read ends for the ``carried`` streams) travel with the header; the caller
    keeps them and closes its copies. The ``hello`` message (its fields) goes in the same
    write: one wake-up of the collector per process start, which on a busy machine is one
    chance fewer to lose the CPU to it. Returns whether the collector got the fds."""
    global _fd, pid
    pid = os.getpid()
    old, _fd = _fd, -1
    if old >= 0:
        # A fork child must not keep its parent's connection open: the collector
        # learns that a process ended from the EOF of its channel.
        try:
            os.close(old)
        except OSError:
            pass
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(socket_path)
        header = ev.encode_header(secret, pid, ev.STREAM_EVENTS, carried)
        if hello is not None:
            header += ev.encode_message(ev.HELLO, pid=pid, t=time.monotonic_ns(), **hello)
        if fds:
            payload = b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds)
            sent = sock.sendmsg([header], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, payload)])
            if sent < len(header):
                sock.sendall(header[sent:])
        else:
            sock.sendall(header)
    except OSError:
        sock.close()
        return False
    _fd = sock.detach()
    return True


def send(kind: str, **fields: object) -> None:
    """Send one event; silently dropped when the collector is unreachable."""
    fd = _fd
    if fd < 0:
        return
    try:
        sock = _wrap(fd)
    except OSError:
        return
    try:
        sock.sendall(ev.encode_message(kind, pid=pid, t=time.monotonic_ns(), **fields))
    except OSError:
        pass
    finally:
        sock.detach()
