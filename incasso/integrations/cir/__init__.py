"""The central insolvency register (Centraal Insolventieregister, CIR): a SOAP client, a local double, a service."""
