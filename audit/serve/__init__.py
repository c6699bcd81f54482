"""The web console and HTTP API over the fleet store (`fwaudit serve`; docs/serve.md)."""
