"""Where inputs come from: local files today; every source yields RawInput records."""
