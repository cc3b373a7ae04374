"""Email delivery: subscribers, the send ledger, the digest message and SMTP, in one SQLite state file.

`commands.add_commands(sub)` adds the `send`, `subscribers` and `unsubscribe` sub-commands.
"""
