"""Repository tools built on the compiler: `nelc check` (compiled configs are current) and
`nelc init` (a spec from the ModelOpt evaluation skill's questions)."""
