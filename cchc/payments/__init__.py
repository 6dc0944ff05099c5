"""Online payment of the fees due on a dossier through the national payment platform."""
