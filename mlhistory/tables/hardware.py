"""Tables of experiment 10 (hardware): measured throughput against the machine's peak."""
