"""The points mall: catalog, redemption orders, fulfilment."""
