// Media module: see DESIGN.md's module map.
