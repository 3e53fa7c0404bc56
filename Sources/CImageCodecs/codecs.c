// codecs.c: shared helpers of the C image codecs (releasing decoded images and encoded buffers).
// The PNG codec is in png_codec.c, the JPEG codec in jpeg_codec.c.
#include "codecs.h"
#include <stdlib.h>

void cic_image_free(cic_image *img) {
    if (!img) return;
    free(img->pixels);
    img->pixels = NULL;
    img->pixels_size = 0;
    cic_image_free_texts(img);
}

void cic_image_free_texts(cic_image *img) {
    for (int i = 0; i < img->num_texts; i++) {
        free(img->texts[i].key);
        free(img->texts[i].text);
        free(img->texts[i].lang);
        free(img->texts[i].translated);
    }
    free(img->texts);
    img->texts = NULL;
    img->num_texts = 0;
}

void cic_free(void *p) { free(p); }
