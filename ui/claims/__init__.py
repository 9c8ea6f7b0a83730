"""Claims and packets windows: the claims dialog, the billing menu, packet actions."""
