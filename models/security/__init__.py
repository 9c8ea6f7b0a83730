"""Who did what (issue 12): staff accounts and roles, the permission table the services
enforce, logins with growing delays and a lock-out, and the hash-chained audit trail."""
