"""Both recorded scenarios recomputed step by step by the model.

Every reading, every event of every successful transaction, every revert reason and every
recorded ETH movement is compared exactly; only address-valued readings are skipped.
"""

from __future__ import annotations

from typing import Any

from balancer_perps.domain.commit_encoding import decode_commit_params
from balancer_perps.domain.errors import ContractError
from balancer_perps.domain.preview import preview_commit
from balancer_perps.domain.types import TradePreview
from tests.domain.fixtures import load_fixture
from tests.domain.replay import Chain, PoolModel, basic_chain, replay, rich_chain


def test_scenario_basic() -> None:
    scenario = load_fixture("scenario-basic.json")
    report = replay(scenario["steps"], basic_chain(scenario))
    assert report.mismatches == []
    assert report.readings_compared == 377  # all of them
    assert dict(report.readings_skipped) == {}
    assert report.transactions == 21
    assert report.events_compared == 62


def test_scenario_rich() -> None:
    scenario = load_fixture("scenario-rich.json")
    report = replay(scenario["steps"], rich_chain(scenario))
    assert report.mismatches == []
    assert report.readings_compared >= 2600  # 2 637 of 2 676; the rest are addresses
    assert sum(report.readings_skipped.values()) == 39
    assert report.transactions == 129
    assert report.reverts_matched == 11
    assert report.events_compared == 410
    assert report.eth_changes_compared == 33


class PreviewingChain(Chain):
    """Runs preview_commit on the live state before every commit the scenario sends."""

    previews: list[tuple[TradePreview, dict[str, Any]]]

    def commit(self, sender: str, pool: PoolModel, packed: str, value: int) -> None:
        decoded = decode_commit_params(packed)
        try:
            preview = preview_commit(
                pool.snapshot,
                pool.total,
                decoded.commit_type,
                decoded.amount,
                self.state.now,
                decoded.from_aggregate_balance,
            )
        except ContractError:
            preview = None
        super().commit(sender, pool, packed, value)
        if preview is not None:
            created = next(e for e in self.events if e["event"] == "CreateCommit")
            self.previews.append((preview, created["args"]))


def test_previews_agree_with_every_recorded_commit() -> None:
    scenario = load_fixture("scenario-rich.json")
    chain = PreviewingChain(rich_chain(scenario).state)
    chain.previews = []
    assert replay(scenario["steps"], chain).mismatches == []
    assert len(chain.previews) == 35
    for preview, created in chain.previews:
        assert preview.update_interval_id == created["appropriateUpdateIntervalId"]
        assert preview.amount == created["amount"]
        assert preview.blocked_reason is None
        assert preview.expected_tokens_out + preview.expected_settlement_out > 0
