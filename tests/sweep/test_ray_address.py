"""An --address nothing answers on is refused at once, not after Ray's minutes of retries."""

from __future__ import annotations

import socket

import pytest

from harness.errors import UserError
from harness.sweep.executor import ray_session, refuse_unreachable


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("scheme", ["", "ray://"])
def test_a_closed_port_is_refused_before_ray_tries_to_join(scheme):
    address = f"{scheme}127.0.0.1:{_closed_port()}"
    with pytest.raises(UserError) as refused, ray_session(address):
        pytest.fail("the session opened")
    assert f"could not reach the Ray cluster at {address}" in str(refused.value)
    assert "--address" in refused.value.hint


def test_an_unknown_host_is_refused():
    with pytest.raises(UserError, match="no-such-host.invalid:6379"):
        refuse_unreachable("no-such-host.invalid:6379")


def test_a_listening_port_and_names_ray_resolves_itself_pass():
    with socket.socket() as head:
        head.bind(("127.0.0.1", 0))
        head.listen()
        refuse_unreachable(f"127.0.0.1:{head.getsockname()[1]}")
        refuse_unreachable(f"ray://localhost:{head.getsockname()[1]}")
    refuse_unreachable("auto")
    refuse_unreachable("local")
