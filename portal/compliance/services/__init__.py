"""Writes of export compliance, one module per concern (import the function from its module):

- `certificates`: the certificate vault (documents sniffed by content) and the expiry warnings;
- `shipments`: shipments and their vehicles (by VIN, by filter, from a file);
- `checks`: the one check (`shipment_check`), its reproduction from history, and the re-check of shipments behind;
- `releases`: compliance officers' overrides, shipping and what may ship.
"""
