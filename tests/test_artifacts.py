"""The committed contract artifacts and abis/ match the Solidity sources."""

from balancer_perps.devnet.build import stale_reasons


def test_artifacts_are_up_to_date() -> None:
    assert stale_reasons() == []
