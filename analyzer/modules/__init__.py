"""Module code that ``terraform init`` would fetch: registry, git and HTTP archive sources.

``addresses`` classifies a source string; ``versions`` implements Terraform's version
constraints; the fetchers bring the code into the module cache (under the user cache
directory, see analyzer.cachedir), from which evaluation reads it like a local module.
Nothing here executes code from the scanned repository, and a module that cannot be
fetched is reported, never silently skipped.
"""
