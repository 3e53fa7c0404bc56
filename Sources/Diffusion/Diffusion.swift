// Diffusion module: see DESIGN.md's module map.
