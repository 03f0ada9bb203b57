// The wallet stack (wagmi 2 + viem + react-query + RainbowKit 2), kept as small as wagmi's
// hooks allow. Python owns every decision: it passes the chain as props, builds and
// simulates each transaction, and hands this file only calls that passed. These
// components sign nothing themselves; they ask the user's wallet, and report back to
// Python what happened (account, chain, transaction hash, failure).
import { useEffect, useRef } from "react";
import "@rainbow-me/rainbowkit/styles.css";
import {
  ConnectButton,
  RainbowKitProvider,
  connectorsForWallets,
  darkTheme,
} from "@rainbow-me/rainbowkit";
import { injectedWallet, walletConnectWallet } from "@rainbow-me/rainbowkit/wallets";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { defineChain } from "viem";
import {
  WagmiProvider,
  createConfig,
  http,
  useAccount,
  useSendTransaction,
  useSwitchChain,
} from "wagmi";

// One wagmi config per page load (the chain cannot change without a new build).
let shared = null;

function walletConfig({ chainId, chainName, rpcUrl, explorerUrl, appName, projectId, pollingMs }) {
  if (shared !== null) return shared;
  const chain = defineChain({
    id: Number(chainId),
    name: chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    blockExplorers: explorerUrl ? { default: { name: "Explorer", url: explorerUrl } } : undefined,
  });
  // WalletConnect relays through a cloud service: only offered when a project id is set.
  const wallets = projectId ? [injectedWallet, walletConnectWallet] : [injectedWallet];
  const connectors = connectorsForWallets([{ groupName: "Wallets", wallets }], {
    appName,
    projectId: projectId || "none",
  });
  const config = createConfig({
    chains: [chain],
    connectors,
    // Always the app's own node: never wagmi's public default endpoints.
    transports: { [chain.id]: http(rpcUrl) },
    pollingInterval: Number(pollingMs) || 4000,
    // The pages are prerendered: restore the stored connection once, after mount, not
    // during every render (which held the first paint back by seconds).
    ssr: true,
  });
  shared = { chain, config, queryClient: new QueryClient() };
  return shared;
}

function Disclaimer({ Text }) {
  return (
    <Text>
      By connecting a wallet you accept that leveraged pool tokens can lose most of their
      value, that trades execute at the next rebalance price, and that this app never holds
      your keys: every transaction is signed in your wallet.
    </Text>
  );
}

export function WalletProvider({ children, ...props }) {
  const { chain, config, queryClient } = walletConfig(props);
  return (
    <WagmiProvider config={config}>
      <QueryClientProvider client={queryClient}>
        <RainbowKitProvider
          theme={darkTheme({ accentColor: "#6366f1", borderRadius: "medium" })}
          initialChain={chain}
          appInfo={{ appName: props.appName, disclaimer: Disclaimer }}
          modalSize="compact"
        >
          {children}
        </RainbowKitProvider>
      </QueryClientProvider>
    </WagmiProvider>
  );
}

export function WalletButton({ id }) {
  return (
    <div id={id}>
      <ConnectButton showBalance={false} chainStatus="icon" accountStatus="address" />
    </div>
  );
}

// Reports the connected account and its chain to Python whenever either changes.
export function WalletSync({ onAccount }) {
  const { address, chainId, status } = useAccount();
  const reported = useRef(null);
  useEffect(() => {
    if (status === "connecting" || status === "reconnecting") return;
    const connected = status === "connected" && Boolean(address);
    const account = connected ? address : "";
    const chain = connected ? Number(chainId) : 0;
    const key = `${account}|${chain}`;
    if (reported.current === key) return;
    reported.current = key;
    onAccount?.(account, chain);
  }, [address, chainId, status]);
  return null;
}

// Switch the wallet to the app's chain (the wrong-network prompt's button).
export function SwitchChainButton({ chainId, label, id, className }) {
  const { switchChain, isPending } = useSwitchChain();
  return (
    <button
      type="button"
      id={id}
      className={className}
      disabled={isPending}
      onClick={() => switchChain({ chainId: Number(chainId) })}
    >
      {label}
    </button>
  );
}

function describe(error) {
  let cause = error;
  while (cause?.cause && !cause.shortMessage) cause = cause.cause;
  return String(cause?.shortMessage || cause?.message || error || "The wallet refused");
}

function isRejection(error) {
  for (let e = error; e; e = e.cause) {
    if (e.code === 4001 || e.name === "UserRejectedRequestError") return true;
  }
  return false;
}

// Sends the transaction Python prepared (and simulated) once per request id; reports the
// hash, or why the wallet did not send it.
export function TransactionSender({ request, onSent, onFailed }) {
  const { sendTransactionAsync } = useSendTransaction();
  const handled = useRef("");
  useEffect(() => {
    const id = request?.id;
    if (!id || handled.current === id) return;
    handled.current = id;
    sendTransactionAsync({
      account: request.from,
      to: request.to || undefined, // none: a contract creation
      data: request.data,
      value: BigInt(request.value || "0"),
      gas: request.gas ? BigInt(request.gas) : undefined,
      chainId: Number(request.chainId),
    })
      .then((hash) => onSent?.(id, hash))
      .catch((error) => onFailed?.(id, describe(error), isRejection(error)));
  }, [request?.id]);
  return null;
}
