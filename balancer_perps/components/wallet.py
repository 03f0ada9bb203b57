"""The user's wallet in the browser (assets/wallet.jsx: wagmi 2, viem, RainbowKit 2).

The server never holds keys. These components connect the user's wallet, report the
connected account and chain to Python, and hand the wallet transactions that Python built
and simulated; the wallet signs and sends, and reports the hash (or why not) back.

`WalletState` keeps what the browser reported. It is a claim by the client, good for
choosing whose balances to show and whom to simulate as, never authority for anything the
server does on a user's behalf (it does nothing on a user's behalf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import reflex as rx
from eth_utils.address import to_checksum_address
from reflex.event import passthrough_event_spec

from balancer_perps.networks import DEVNET, NetworkConfigError, load_network
from balancer_perps.settings import load_settings

# The npm packages of the wallet stack, pinned (RainbowKit 2.2 needs wagmi 2, not 3).
WALLET_PACKAGES = [
    "@rainbow-me/rainbowkit@2.2.9",
    "wagmi@2.19.5",
    "viem@2.57.20",
    "@tanstack/react-query@5.108.0",
]
WALLET_MODULE = rx.asset("wallet.jsx").importable_path
LOCAL_POLLING_MS = 500  # wagmi polls every 4 s by default; a local chain mines at once
REMOTE_POLLING_MS = 4000
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True, slots=True)
class WalletChain:
    """The chain the wallet must be on, and the node the browser reads it from."""

    chain_id: int
    name: str
    rpc_url: str
    explorer_url: str = ""
    local: bool = True


def wallet_chain() -> WalletChain:
    """From the app's network configuration (the devnet manifest on a devnet)."""
    try:
        network = load_network()
    except NetworkConfigError:
        # Compiling without a running devnet: the default local anvil.
        return WalletChain(31337, "Balancer Perps devnet", "http://127.0.0.1:8545")
    name = "Balancer Perps devnet" if network.name == DEVNET else "Arbitrum One"
    return WalletChain(network.chain_id, name, network.rpc_url, network.explorer_url or "",
                       local=network.name == DEVNET)


class _WalletComponent(rx.Component):
    library = WALLET_MODULE
    lib_dependencies: list[str] = WALLET_PACKAGES

    @staticmethod
    def _get_app_wrap_components() -> dict[tuple[int, str], rx.Component]:
        # Every wallet component needs the providers; they wrap the whole app once.
        return {(40, "WalletProvider"): wallet_provider()}


class WalletProvider(rx.Component):
    """WagmiProvider > QueryClientProvider > RainbowKitProvider (dark theme)."""

    library = WALLET_MODULE
    lib_dependencies: list[str] = WALLET_PACKAGES
    tag = "WalletProvider"

    chain_id: rx.Var[int]
    chain_name: rx.Var[str]
    rpc_url: rx.Var[str]
    explorer_url: rx.Var[str]
    app_name: rx.Var[str]
    project_id: rx.Var[str]  # WalletConnect: "" keeps it (and its cloud relay) out
    polling_ms: rx.Var[int]


def wallet_provider() -> rx.Component:
    chain = wallet_chain()
    return WalletProvider.create(
        chain_id=chain.chain_id,
        chain_name=chain.name,
        rpc_url=chain.rpc_url,
        explorer_url=chain.explorer_url,
        app_name="Balancer Perps",
        project_id=load_settings().walletconnect_project_id,
        polling_ms=LOCAL_POLLING_MS if chain.local else REMOTE_POLLING_MS,
    )


class WalletButton(_WalletComponent):
    """RainbowKit's connect / account / wrong-network button."""

    tag = "WalletButton"


class WalletSync(_WalletComponent):
    """Calls `on_account(address, chain_id)` on connect, account or chain change, and
    disconnect (address "")."""

    tag = "WalletSync"
    on_account: rx.EventHandler[passthrough_event_spec(str, int)]


class SwitchChainButton(_WalletComponent):
    tag = "SwitchChainButton"
    chain_id: rx.Var[int]
    label: rx.Var[str]


class TransactionSender(_WalletComponent):
    """Asks the wallet to send `request` once per request id; `on_sent(id, hash)` or
    `on_failed(id, message, rejected_by_user)`."""

    tag = "TransactionSender"
    request: rx.Var[dict[str, str]]
    on_sent: rx.EventHandler[passthrough_event_spec(str, str)]
    on_failed: rx.EventHandler[passthrough_event_spec(str, str, bool)]


def checked_address(value: object) -> str:
    """A wallet-reported address, checksummed; "" for anything else."""
    if not isinstance(value, str) or not _HEX_ADDRESS.fullmatch(value):
        return ""
    return to_checksum_address(value)


def checked_chain_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**64:
        return 0
    return value


class WalletState(rx.State):
    """The account and chain the user's wallet reports (empty when disconnected)."""

    address: str = ""
    chain_id: int = 0
    expected_chain_id: int = 0

    def _apply(self, address: object, chain_id: object) -> bool:
        """Store a report; True when the account changed."""
        checked = checked_address(address)
        changed = checked != self.address
        self.address = checked
        self.chain_id = checked_chain_id(chain_id) if checked else 0
        self.expected_chain_id = wallet_chain().chain_id
        return changed

    @rx.event
    def on_account(self, address: str, chain_id: int) -> None:
        self._apply(address, chain_id)

    @rx.var
    def connected(self) -> bool:
        return self.address != ""

    @rx.var
    def wrong_network(self) -> bool:
        return self.address != "" and self.chain_id != self.expected_chain_id


def wallet_button() -> rx.Component:
    return rx.fragment(
        WalletButton.create(id="wallet-button"),
        WalletSync.create(on_account=WalletState.on_account),
    )
