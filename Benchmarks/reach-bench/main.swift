print("reach-bench: not yet")
