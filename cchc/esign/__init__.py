"""PAdES signatures of results and receipts (pyHanko) and their public verification."""
