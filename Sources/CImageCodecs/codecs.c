// C shims for libpng and libjpeg.
