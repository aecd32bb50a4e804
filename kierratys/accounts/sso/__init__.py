"""Single sign-on with each organisation's own OpenID Connect provider (issue 18).

Authlib speaks the protocol (discovery, PKCE, state, nonce, the ID token's signature and
claims); this package holds only what is ours: which provider an address belongs to, how
the provider's claims map to roles and a unit, and which sessions a back-channel logout ends.
"""
