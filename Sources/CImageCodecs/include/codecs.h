// codecs.h: small C wrappers over libpng 1.6 and libjpeg(-turbo) for Diptych's Media module.
// libpng and libjpeg report errors with longjmp; Swift frames cannot be jumped over, so every
// setjmp lives in codecs.c and errors come back as a message string (never abort or exit).
// Formats: PNG (ISO/IEC 15948, W3C PNG Second Edition) and JPEG (ITU-T T.81 / JFIF).
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Limits checked after the header is read and BEFORE any pixel buffer is allocated.
#define CIC_MAX_SIDE 16384

/// Kinds of PNG text chunks.
enum { CIC_TEXT_TEXT = 0, CIC_TEXT_ZTXT = 1, CIC_TEXT_ITXT = 2 };

/// One text chunk read from a PNG. `text` is Latin-1 for tEXt/zTXt and UTF-8 for iTXt; it is
/// NUL-terminated and `text_length` counts its bytes. `lang`/`translated` are iTXt only ("" otherwise).
typedef struct {
    char *key;
    char *text;
    size_t text_length;
    int kind;
    char *lang;
    char *translated;
} cic_text;

/// A decoded image: `channels` 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA), `bit_depth` 8 or
/// 16; samples interleaved row by row (16-bit samples are host-endian uint16). For PNG the
/// source's `color_type` (PNG IHDR code), `source_bit_depth` and `interlaced` are filled too.
typedef struct {
    int width, height, channels, bit_depth;
    int color_type, source_bit_depth, interlaced;
    int progressive;            // JPEG only
    int jpeg_color_space;       // JPEG only (J_COLOR_SPACE of the file)
    unsigned char *pixels;      // malloc'd, width*height*channels*(bit_depth/8) bytes; NULL if header only
    size_t pixels_size;
    cic_text *texts;            // PNG only, malloc'd
    int num_texts;
    char error[256];            // set when a function returns nonzero
} cic_image;

/// Decodes a PNG held in memory. With `header_only` nonzero only the header and text chunks that
/// precede IDAT are read (no pixel buffer). `max_pixels` caps width*height (0 = 2^25).
/// Returns 0 on success; otherwise `out->error` says why. Always call cic_image_free afterwards.
int cic_png_decode(const unsigned char *data, size_t size, int header_only, size_t max_pixels, cic_image *out);

/// Text chunk to write. `key` is Latin-1 (1..79 bytes); when `utf8` is nonzero the chunk is iTXt
/// with UTF-8 text, otherwise tEXt with Latin-1 text. `compress` selects zTXt / compressed iTXt.
typedef struct {
    const char *key;
    const char *text;
    size_t text_length;
    int utf8;
    int compress;
} cic_text_in;

/// Encodes interleaved samples (8- or 16-bit host-endian, 1..4 channels) as a PNG in memory.
/// On success `*out` is malloc'd (release with cic_free) and 0 is returned; otherwise `error`
/// (at least 256 bytes) holds the reason.
int cic_png_encode(const unsigned char *pixels, int width, int height, int channels, int bit_depth,
                   const cic_text_in *texts, int num_texts, int compression_level,
                   unsigned char **out, size_t *out_size, char *error);

/// Decodes a baseline or progressive JPEG (gray, YCbCr, RGB, CMYK/YCCK) into 8-bit gray (1
/// channel) or RGB (3 channels). Corrupt-data warnings (such as a truncated file) are errors.
int cic_jpeg_decode(const unsigned char *data, size_t size, int header_only, size_t max_pixels, cic_image *out);

/// Encodes 8-bit gray (1 channel) or RGB (3 channels) as JFIF. `quality` 1..100, `progressive`
/// nonzero for a progressive file, `subsampling` 444, 422 or 420 (ignored for gray).
int cic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                    int progressive, int subsampling, unsigned char **out, size_t *out_size, char *error);

void cic_image_free(cic_image *img);
/// Releases only the text chunks of `img`.
void cic_image_free_texts(cic_image *img);
void cic_free(void *p);

#ifdef __cplusplus
}
#endif
