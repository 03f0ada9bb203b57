"""The first trade, end to end: a test wallet in the browser (an EIP-1193 provider that
forwards to the private devnet's anvil, which signs for its unlocked dev accounts) connects,
approves the LeveragedPool for the exact amount and mints long BAL on a 3× BAL market; the
commit lands on chain and the step tracker shows it confirmed."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from eth_utils.address import to_checksum_address
from playwright.sync_api import Browser, Page, expect
from reflex.testing import AppHarness

from balancer_perps.chain.contracts import v2_abis
from balancer_perps.chain.transactions import approve_request
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
    calls: [], sent: [],
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


@pytest.fixture
def wallet_page(browser: Browser, live_devnet: Devnet) -> Iterator[Page]:
    assert live_devnet.manifest is not None
    manifest = live_devnet.manifest
    script = (TEST_WALLET
              .replace("__RPC__", json.dumps(manifest["rpc_url"]))
              .replace("__ACCOUNT__", json.dumps(manifest["accounts"][TRADER_ROLE]["address"]))
              .replace("__CHAIN__", json.dumps(hex(int(manifest["chain_id"]))))
              .replace("__NAME__", json.dumps(WALLET_NAME)))
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(script)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
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
