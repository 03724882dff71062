"""Query workers without a network: defence in depth under the guard's SERVICE/LOAD policy.

The guard refuses SERVICE and LOAD before a request reaches the engine (`sparql.guard`),
reading the text as the engine does; but the engine's reading has surprised us before
(`SERVICE:g` reached the network while the guard read one name). The workers answer users'
queries and updates and need no network at all, so the zygote, and every worker it forks,
moves into a network namespace of its own, whose only interface is a loopback that is down:
whatever the engine makes of a text, nothing it runs can connect anywhere. The pipes to the
server are made before and keep working.

Linux only. As root a network namespace alone is enough; otherwise it goes with a user
namespace that maps the user to itself (files are read as before). Where neither is allowed
(a container without the capability) the workers keep the server's network and the zygote
says so in the log; the guard still holds.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_LIBC = ctypes.CDLL(None, use_errno=True)


def _unshare(flags: int) -> None:
    if _LIBC.unshare(flags) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def _map_to_itself() -> None:
    """In a new user namespace: the user and group are the same ids as outside."""
    uid, gid = os.getuid(), os.getgid()
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def leave_the_network() -> str | None:
    """Move this process, which must have one thread, into a network namespace of its own
    (its children follow it). None when done, else why it could not."""
    try:
        _unshare(_CLONE_NEWNET)
        return None
    except (OSError, AttributeError):  # not root, or no unshare in the C library
        pass
    try:
        _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    except (OSError, AttributeError) as error:
        return f"no network namespace could be made ({error})"
    _map_to_itself()
    return None
