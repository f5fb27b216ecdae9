"""Chapter explorers: each module declares its chapter's :class:`~defi_helpers.explore.Explorer`s."""
