"""The back office of the National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG):
catalogue mapping, the outbox that reports every dossier change, dossiers filed there, and a
local stand-in of the national side. The contract is restated in docs/dvcqg.md."""
