"""How one bot message looks on each channel: ``common`` for what every channel
shares (numbered options, choosing by number, shortening), one module per channel
for its limits and its wire format.
"""
