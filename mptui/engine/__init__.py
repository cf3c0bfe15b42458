"""The mptui side of observation: sessions, the collector, the Store. No Textual here."""
