"""The web3 adapter: the only place that talks to a node."""
