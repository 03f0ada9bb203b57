"""Perpetual Pools V2.1 math in pure Python, bit-exact with the deployed contracts.

Modules: `quad` (ABDK binary128), `pool_math` (PoolSwapLibrary), `fees`, `keeper`,
`oracle`, `commit_encoding`, `timing`, `commit`, `execution`, `aggregation`, `upkeep`,
`projector`, `preview`, `analytics`; value objects in `types`, reverts in `errors`.
No web3 or UI imports: the chain adapter fills the value objects, the UI reads them.
"""
