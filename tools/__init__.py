"""What is not the chain: the stand-in for the real sources, the benchmarks, the scaffold."""
