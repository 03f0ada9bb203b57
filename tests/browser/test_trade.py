"""Trades end to end: a test wallet in the browser (an EIP-1193 provider that forwards to
the private devnet's anvil, which signs for its unlocked dev accounts) connects, approves
the LeveragedPool for the exact amount and mints long BAL on a 3× BAL market; the commit
lands on chain and the step tracker shows it confirmed. Then the whole cycle: the mint
executes at a rebalance (the test moves the chain's clock, the devnet's keeper upkeeps),
the position block shows it claimable, the user claims and burns; and a wallet that
rejects the signature leaves a clear message and nothing half done."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from eth_utils.address import to_checksum_address
from playwright.sync_api import Browser, BrowserContext, Page, expect
from reflex.testing import AppHarness

from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.transactions import approve_request, claim_request
from balancer_perps.domain.types import CommitType
from tests.browser.conftest import Devnet, app_url

pytestmark = pytest.mark.browser

TRADER_ROLE = "trader5"
WALLET_NAME = "Test Wallet"

# A minimal injected wallet. It holds no key: anvil signs eth_sendTransaction for its
# unlocked dev accounts. Like a real wallet it stays disconnected until the page asks,
# estimates gas before sending (so a revert comes back with its reason instead of being
# mined), answers the wallet_* methods itself, and announces itself with EIP-6963.
TEST_WALLET = """
(() => {
  const RPC = __RPC__;
  const ACCOUNT = __ACCOUNT__;
  const CHAIN = __CHAIN__;
  // like a real wallet, it remembers that this site may see the account (across reloads)
  let connected = sessionStorage.getItem("test-wallet-connected") === "yes";
  const authorize = () => {
    connected = true;
    sessionStorage.setItem("test-wallet-connected", "yes");
  };
  let chain = CHAIN;
  let id = 1;
  const listeners = {};
  const fail = (code, message) => Object.assign(new Error(message), { code });
  const emit = (event, value) => (listeners[event] || []).forEach((fn) => fn(value));
  // the test's hands on the wallet: what was sent, and "the user switched networks"
  window.__wallet = {
    calls: [], sent: [], rejectNext: false,
    userSwitchesTo(next) { chain = next; emit("chainChanged", next); },
  };
  async function forward(method, params) {
    const response = await fetch(RPC, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: id++, method, params: params || [] }),
    });
    const body = await response.json();
    if (body.error) throw Object.assign(new Error(body.error.message), body.error);
    return body.result;
  }
  const provider = {
    async request({ method, params }) {
      window.__wallet.calls.push(method);
      switch (method) {
        case "eth_accounts": return connected ? [ACCOUNT] : [];
        case "eth_requestAccounts": authorize(); return [ACCOUNT];
        case "eth_chainId": return chain;
        case "net_version": return String(parseInt(chain, 16));
        case "wallet_requestPermissions": authorize();
          return [{ parentCapability: "eth_accounts" }];
        case "wallet_getPermissions":
          return connected ? [{ parentCapability: "eth_accounts" }] : [];
        case "wallet_revokePermissions":
          connected = false;
          sessionStorage.removeItem("test-wallet-connected");
          emit("accountsChanged", []);
          return null;
        case "wallet_switchEthereumChain":
          if (params[0].chainId.toLowerCase() !== CHAIN) throw fail(4902, "Unknown chain");
          if (chain !== CHAIN) { chain = CHAIN; emit("chainChanged", CHAIN); }
          return null;
        case "wallet_addEthereumChain": return null;
        case "eth_sendTransaction": {
          if (!connected) throw fail(4100, "Not connected");
          if (window.__wallet.rejectNext) {  // "the user clicked Reject"
            window.__wallet.rejectNext = false;
            throw fail(4001, "User rejected the request.");
          }
          const tx = { ...params[0] };
          const gas = await forward("eth_estimateGas", [tx]);
          if (!tx.gas) tx.gas = gas;
          window.__wallet.sent.push(tx);
          return forward("eth_sendTransaction", [tx]);
        }
        default: return forward(method, params);
      }
    },
    on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); return provider; },
    removeListener(event, fn) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
      return provider;
    },
  };
  const icon = "data:image/svg+xml;base64," + btoa(
    '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">' +
    '<rect width="32" height="32" rx="8" fill="#6366f1"/></svg>');
  const info = Object.freeze({
    uuid: "5c1d9a3e-7f0b-4c8e-9a55-1e2f3a4b5c6d", name: __NAME__, icon,
    rdns: "org.balancerperps.testwallet",
  });
  const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider",
    { detail: Object.freeze({ info, provider }) }));
  window.addEventListener("eip6963:requestProvider", announce);
  announce();
})();
"""


def _rpc(url: str, method: str, params: list[Any]) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, body, {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise AssertionError(f"{method}: {reply['error']}")
    return reply["result"]


def _send_and_wait(url: str, params: dict[str, str]) -> None:
    tx_hash = _rpc(url, "eth_sendTransaction", [params])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        receipt = _rpc(url, "eth_getTransactionReceipt", [tx_hash])
        if receipt:
            assert int(receipt["status"], 16) == 1
            return
        time.sleep(0.2)
    raise AssertionError("the allowance reset was not mined")


@pytest.fixture
def live_devnet(devnet: Devnet) -> Devnet:
    if devnet.manifest is None:
        pytest.skip(devnet.skip_reason)
    return devnet


def _wallet_context(browser: Browser, manifest: dict[str, Any], role: str) -> BrowserContext:
    script = (TEST_WALLET
              .replace("__RPC__", json.dumps(manifest["rpc_url"]))
              .replace("__ACCOUNT__", json.dumps(manifest["accounts"][role]["address"]))
              .replace("__CHAIN__", json.dumps(hex(int(manifest["chain_id"]))))
              .replace("__NAME__", json.dumps(WALLET_NAME)))
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    context.add_init_script(script)
    return context


@pytest.fixture
def wallet_page(browser: Browser, live_devnet: Devnet) -> Iterator[Page]:
    assert live_devnet.manifest is not None
    context = _wallet_context(browser, live_devnet.manifest, TRADER_ROLE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def wallet_of(browser: Browser, live_devnet: Devnet) -> Iterator[Callable[[str], Page]]:
    """A page whose test wallet holds the given trader role's account."""
    assert live_devnet.manifest is not None
    manifest = live_devnet.manifest
    contexts: list[BrowserContext] = []

    def open_page(role: str) -> Page:
        context = _wallet_context(browser, manifest, role)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _bal_market(manifest: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in manifest["pools"]
                if p["leverage"] == 3 and p["settlement_symbol"] == "BAL")


def _connect(page: Page) -> None:
    """RainbowKit's modal lists the EIP-6963 wallet by its name."""
    expect(page.locator("#trade-connect-prompt")).to_be_visible()
    page.locator("#wallet-button button").first.click()
    page.get_by_text(WALLET_NAME, exact=True).first.click()
    expect(page.locator("#trade-connect-prompt")).to_have_count(0, timeout=30_000)
    expect(page.locator("#trade-available")).to_contain_text("in your wallet")


def test_wrong_network_prompt_and_switch(
    app_harness: AppHarness, live_devnet: Devnet, wallet_page: Page
) -> None:
    assert live_devnet.manifest is not None
    pool = _bal_market(live_devnet.manifest)
    page = wallet_page
    page.goto(app_url(app_harness, f"/markets/{pool['address']}"))
    expect(page.locator("#page-title")).to_have_text(pool["name"], timeout=60_000)
    _connect(page)
    page.locator("#trade-amount").fill("1")
    expect(page.locator("#trade-submit")).to_be_enabled()
    page.evaluate("window.__wallet.userSwitchesTo('0x1')")
    expect(page.locator("#trade-wrong-network")).to_be_visible()
    expect(page.locator("#trade-submit")).to_be_disabled()
    page.locator("#trade-switch-network").click()
    expect(page.locator("#trade-wrong-network")).to_have_count(0)
    expect(page.locator("#trade-submit")).to_be_enabled()
    assert "wallet_switchEthereumChain" in page.evaluate("window.__wallet.calls")

    # a reload reconnects the wallet the user connected before, without asking again
    page.reload()
    expect(page.locator("#trade-available")).to_contain_text("in your wallet", timeout=30_000)
    expect(page.locator("#trade-connect-prompt")).to_have_count(0)
    assert "eth_requestAccounts" not in page.evaluate("window.__wallet.calls")


def test_connect_approve_and_mint_long(
    app_harness: AppHarness, live_devnet: Devnet, wallet_page: Page
) -> None:
    assert live_devnet.manifest is not None
    manifest = live_devnet.manifest
    rpc_url = manifest["rpc_url"]
    pool = _bal_market(manifest)
    trader = to_checksum_address(manifest["accounts"][TRADER_ROLE]["address"])
    # The seed approved every pool for every trader: take that back, so the journey
    # has to approve first.
    reset = approve_request(trader, pool["settlement_token"], pool["address"], 0)
    _send_and_wait(rpc_url, reset.wallet_params())
    start_block = int(_rpc(rpc_url, "eth_blockNumber", []), 16)

    page = wallet_page
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.goto(app_url(app_harness, f"/markets/{pool['address']}"))
    expect(page.locator("#page-title")).to_have_text(pool["name"], timeout=60_000)
    _connect(page)
    expect(page.locator("#trade-available")).to_contain_text("BAL in your wallet")

    # a malformed amount is refused before anything is built
    page.locator("#trade-amount").fill("1.2.3")
    expect(page.locator("#trade-amount-problem")).to_contain_text("not a number")

    expect(page.locator("#trade-submit")).to_be_disabled()
    page.locator("#trade-amount").fill("12.5")
    expect(page.locator("#trade-receive")).to_contain_text("long tokens")
    expect(page.locator("#trade-fee")).to_contain_text("BAL mint fee")
    expect(page.locator("#trade-submit")).to_have_text("Approve BAL")
    page.locator("#trade-approval-exact").click()

    page.locator("#trade-submit").click()
    steps = page.locator(".trade-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("Confirmed", timeout=60_000)
    expect(page.locator("#trade-submit")).to_have_text("Mint long", timeout=30_000)

    page.locator("#trade-submit").click()
    expect(steps.nth(1)).to_contain_text("Confirmed", timeout=60_000)
    expect(page.locator("#trade-notice")).to_contain_text("Trade queued")

    # on chain: exactly the exact approval was used, and a CreateCommit for this trader
    event = v2_abis().committer.event("CreateCommit")
    logs = _rpc(rpc_url, "eth_getLogs", [{
        "fromBlock": hex(start_block + 1),
        "toBlock": "latest",
        "address": pool["committer"],
        "topics": ["0x" + event.topic0.hex(), "0x" + bytes(12).hex() + trader[2:].lower()],
    }])
    assert len(logs) == 1
    decoded = event.decode([bytes.fromhex(t[2:]) for t in logs[0]["topics"]],
                           bytes.fromhex(logs[0]["data"][2:]))
    assert decoded["amount"] == 125 * 10**17
    assert decoded["commitType"] == CommitType.LONG_MINT
    # the app and its wallet stack talked to this machine only (no public RPC, no telemetry)
    assert hosts <= {"localhost", "127.0.0.1"}, hosts
    sent = page.evaluate("window.__wallet.sent")
    assert [tx["to"].lower() for tx in sent] == [pool["settlement_token"].lower(),
                                                 pool["committer"].lower()]


# ----------------------------------------------------------------- the whole cycle

UNLIMITED = 2**256 - 1


def _eth_call(url: str, to: str, data: bytes) -> bytes:
    return bytes.fromhex(_rpc(url, "eth_call", [{"to": to, "data": "0x" + data.hex()},
                                                "latest"])[2:])


def _next_interval(url: str, committer: str) -> int:
    function = v2_abis().committer.fn("updateIntervalId")
    return int(function.decode(_eth_call(url, committer, function.encode()))[0])


def _claimable(url: str, committer: str, user: str) -> tuple[int, int, int]:
    function = v2_abis().committer.fn("getAggregateBalance")
    (balance,) = function.decode(_eth_call(url, committer, function.encode(user)))
    return tuple(int(x) for x in balance)  # type: ignore[return-value]


def _commits_since(url: str, committer: str, user: str, block: int) -> list[dict[str, Any]]:
    event = v2_abis().committer.event("CreateCommit")
    logs = _rpc(url, "eth_getLogs", [{
        "fromBlock": hex(block),  # inclusive: the block the test last mined itself
        "toBlock": "latest",
        "address": committer,
        "topics": ["0x" + event.topic0.hex(), "0x" + bytes(12).hex() + user[2:].lower()],
    }])
    return [event.decode([bytes.fromhex(t[2:]) for t in log["topics"]],
                         bytes.fromhex(log["data"][2:])) for log in logs]


def _run_rebalances_until(url: str, committer: str, interval_id: int, step: int) -> None:
    """Move the chain's clock forward until the devnet's keeper has executed
    ``interval_id``. Each move makes the pool due; the keeper (one pass a second) upkeeps
    it. Waits on the chain's state, generously: a slow machine only makes it take longer."""
    deadline = time.monotonic() + 300
    current = _next_interval(url, committer)
    while current <= interval_id:
        assert time.monotonic() < deadline, f"interval {interval_id} never executed"
        _rpc(url, "evm_increaseTime", [step])
        _rpc(url, "evm_mine", [])
        wait_until = time.monotonic() + 30
        while time.monotonic() < wait_until and _next_interval(url, committer) == current:
            time.sleep(0.5)
        current = _next_interval(url, committer)


def _open_market(page: Page, harness: AppHarness, pool: dict[str, Any]) -> None:
    page.goto(app_url(harness, f"/markets/{pool['address']}"))
    expect(page.locator("#page-title")).to_have_text(pool["name"], timeout=60_000)
    _connect(page)
    expect(page.locator("#trade-position")).to_be_visible(timeout=30_000)


def test_mint_executes_then_claim_and_burn(
    app_harness: AppHarness, live_devnet: Devnet, wallet_of: Callable[[str], Page]
) -> None:
    assert live_devnet.manifest is not None
    manifest = live_devnet.manifest
    rpc_url = manifest["rpc_url"]
    pool = _bal_market(manifest)
    committer = pool["committer"]
    trader = to_checksum_address(manifest["accounts"]["trader4"]["address"])
    grant = approve_request(trader, pool["settlement_token"], pool["address"], UNLIMITED)
    _send_and_wait(rpc_url, grant.wallet_params())
    # start from an empty escrow, so what is claimable later is this test's mint
    claim = claim_request(trader, committer)
    if any(_claimable(rpc_url, committer, trader)):
        _send_and_wait(rpc_url, claim.wallet_params())
    start_block = int(_rpc(rpc_url, "eth_blockNumber", []), 16)

    page = wallet_of("trader4")
    _open_market(page, app_harness, pool)
    position = page.locator("#trade-position")
    expect(position.locator("#position-claimable")).to_have_text("Nothing to claim")
    expect(page.locator("#trade-claim")).to_have_count(0)

    # 1. mint: the notice says which rebalance executes it, and when
    page.locator("#trade-amount").fill("2")
    expect(page.locator("#trade-submit")).to_have_text("Mint long")
    page.locator("#trade-submit").click()
    steps = page.locator(".trade-step")
    expect(steps).to_have_count(1)
    expect(steps.nth(0)).to_contain_text("Confirmed", timeout=60_000)
    (commit,) = _commits_since(rpc_url, committer, trader, start_block)
    interval_id = int(commit["appropriateUpdateIntervalId"])
    notice = page.locator("#trade-notice")
    expect(notice).to_contain_text(f"rebalance #{interval_id}")
    expect(notice).to_contain_text("long tokens become claimable")
    pending_rows = position.locator(".position-pending-row")
    expect(pending_rows.filter(has_text="Mint long")).to_contain_text(f"#{interval_id}")

    # 2. the rebalance runs: the position block shows the tokens claimable, without a reload
    _run_rebalances_until(rpc_url, committer, interval_id, pool["update_interval"] // 2)
    long_claimable, _, _ = _claimable(rpc_url, committer, trader)
    assert long_claimable > 0
    expect(page.locator("#trade-claim")).to_be_visible(timeout=60_000)
    expect(position.locator("#position-claimable")).to_contain_text("long tokens")
    expect(pending_rows).to_have_count(0)
    expect(notice).to_contain_text(f"Rebalance #{interval_id} executed your trade")

    # 3. claim: one step, confirmed; the tokens land in the wallet
    page.locator("#trade-claim").click()
    expect(steps).to_have_count(1)
    expect(steps.nth(0)).to_contain_text("Claim")
    expect(steps.nth(0)).to_contain_text("Confirmed", timeout=60_000)
    expect(notice).to_contain_text("Claimed")
    expect(page.locator("#trade-claim")).to_have_count(0)
    expect(position.locator("#position-claimable")).to_have_text("Nothing to claim")
    assert _claimable(rpc_url, committer, trader) == (0, 0, 0)
    token = v2_abis().token.fn("balanceOf")
    (held,) = token.decode(_eth_call(rpc_url, pool["long_token"], token.encode(trader)))
    assert held >= long_claimable
    expect(position.locator("#position-long")).not_to_have_text("0 long tokens")

    # 4. burn some of them: queued for a rebalance, shown as pending
    page.locator("#trade-action-burn").click()
    page.locator("#trade-side-long").click()
    expect(page.locator("#trade-available")).to_contain_text("long tokens in your wallet")
    burn = held // 2
    page.locator("#trade-amount").fill(f"{burn // 10**18}.{burn % 10**18:018d}")
    expect(page.locator("#trade-submit")).to_have_text("Burn long")
    page.locator("#trade-submit").click()
    expect(steps).to_have_count(1)
    expect(steps.nth(0)).to_contain_text("Confirmed", timeout=60_000)
    expect(notice).to_contain_text("your BAL become claimable")
    expect(pending_rows.filter(has_text="Burn long")).to_have_count(1)
    burns = [c for c in _commits_since(rpc_url, committer, trader, start_block)
             if c["commitType"] == CommitType.LONG_BURN]
    assert len(burns) == 1 and burns[0]["amount"] == burn


def test_rejected_signature_leaves_nothing_half_done(
    app_harness: AppHarness, live_devnet: Devnet, wallet_of: Callable[[str], Page]
) -> None:
    assert live_devnet.manifest is not None
    manifest = live_devnet.manifest
    rpc_url = manifest["rpc_url"]
    pool = _bal_market(manifest)
    committer = pool["committer"]
    trader = to_checksum_address(manifest["accounts"]["trader3"]["address"])
    grant = approve_request(trader, pool["settlement_token"], pool["address"], UNLIMITED)
    _send_and_wait(rpc_url, grant.wallet_params())
    start_block = int(_rpc(rpc_url, "eth_blockNumber", []), 16)

    page = wallet_of("trader3")
    _open_market(page, app_harness, pool)
    pending_rows = page.locator("#trade-position .position-pending-row")
    pending_before = pending_rows.count()
    page.locator("#trade-amount").fill("3")
    expect(page.locator("#trade-submit")).to_have_text("Mint long")
    page.evaluate("window.__wallet.rejectNext = true")
    page.locator("#trade-submit").click()

    steps = page.locator(".trade-step")
    expect(steps.nth(0)).to_contain_text("Rejected in wallet", timeout=60_000)
    message = page.locator("#trade-message")
    expect(message).to_contain_text("You rejected the request in your wallet")
    expect(message).to_contain_text("Nothing was sent")
    # nothing half done: the form as typed, ready to try again, nothing on chain
    expect(page.locator("#trade-amount")).to_have_value("3")
    expect(page.locator("#trade-submit")).to_be_enabled()
    expect(page.locator("#trade-submit")).to_have_text("Mint long")
    expect(page.locator("#trade-notice")).to_have_count(0)
    assert _commits_since(rpc_url, committer, trader, start_block) == []
    assert page.evaluate("window.__wallet.sent.length") == 0
    expect(pending_rows).to_have_count(pending_before)

    # trying again goes through
    page.locator("#trade-submit").click()
    expect(steps.nth(0)).to_contain_text("Confirmed", timeout=60_000)
    expect(message).to_have_count(0)
    assert len(_commits_since(rpc_url, committer, trader, start_block)) == 1
