"""Envelope images: synthetic envelopes drawn, and what is printed on them read back.

Nothing here imports Django: these modules turn images into values (the Intelligent
Mail barcode's bars, the address blocks) and values into images (synthetic envelopes
for tests, demos and benchmarks).
"""
