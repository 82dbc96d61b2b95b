"""``tongban server balancer-config``: an HAProxy configuration for several server nodes.

A province runs several ``tongban server run`` nodes on one PostgreSQL database and one
blob store (docs/deploy.md, "Several nodes"). HAProxy spreads requests round robin,
checks each node's ``/api/v1/health`` and stops sending to a node that fails it.

Retries: a request HAProxy could not connect anywhere never reached a node, so it is
retried on another node whatever its method. Once a request was sent, only GET and HEAD
are retried (the node died before answering: nothing was changed). A POST or PUT whose
node died mid-request is answered 502/503 and the *kiosk* retries it with the same
client uuid: exactly once comes from the server's deduplication, never from the balancer
guessing whether the first attempt was stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import click

from tongban_cli.common import fail

HEALTH_PATH = "/api/v1/health"
_ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):([0-9]{1,5})")


def check_address(address: str) -> str:
    """``host:port`` with a port in range, or ValueError (nothing else may reach the file)."""
    match = _ADDRESS.fullmatch(address)
    if match is None or not 0 < int(match.group(2)) < 65536:
        raise ValueError(f"not a host:port address: {address!r}")
    return address


def haproxy_config(
    nodes: Sequence[str],
    bind: str,
    *,
    check_ms: int = 1000,
    max_connections: int = 10_000,
    body_timeout_s: int = 60,
    answer_timeout_s: int = 120,
) -> str:
    """The configuration text: one frontend on ``bind``, round robin over ``nodes``.

    ``body_timeout_s`` matches the nodes' BODY_IDLE_TIMEOUT (a stalled upload is cut off),
    ``answer_timeout_s`` covers the slowest answer (an export). A node is taken out after
    two failed checks ``check_ms`` apart and back after two good ones. HAProxy needs about
    two file descriptors per connection (``max_connections``): raise its LimitNOFILE to match.
    """
    if not nodes:
        raise ValueError("a balancer needs at least one node")
    servers = "\n".join(
        f"    server node{i} {check_address(node)} check" for i, node in enumerate(nodes, start=1)
    )
    return f"""# Written by `tongban server balancer-config`; see docs/deploy.md.
global
    maxconn {max_connections}
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    option forwardfor
    timeout connect 3s
    timeout client {body_timeout_s}s
    timeout http-request {body_timeout_s}s
    timeout server {answer_timeout_s}s
    timeout http-keep-alive 30s

frontend tongban
    bind {check_address(bind)}
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET {HEALTH_PATH}
    http-check expect status 200
    default-server inter {check_ms} fall 2 rise 2
    retries 2
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
    http-request disable-l7-retry unless METH_GET or METH_HEAD
{servers}
"""


def register(server: click.Group) -> None:
    server.add_command(balancer_config)


@click.command("balancer-config")
@click.option("--node", "nodes", multiple=True, required=True, help="A node's host:port (repeat for each).")
@click.option("--bind", default="0.0.0.0:8400", show_default=True, help="Where HAProxy listens.")
@click.option(
    "--max-connections",
    default=10_000,
    show_default=True,
    type=click.IntRange(10, 1_000_000),
    help="Connections HAProxy holds at once (kiosks keep theirs open between requests).",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: print).")  # fmt: skip
def balancer_config(nodes: tuple[str, ...], bind: str, max_connections: int, out: Path | None) -> None:
    """Write an HAProxy configuration spreading requests over several server nodes."""
    try:
        text = haproxy_config(nodes, bind, max_connections=max_connections)
    except ValueError as error:
        fail(str(error))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
