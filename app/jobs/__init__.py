"""rq jobs: thin wrappers over services — see the jobs issue."""
