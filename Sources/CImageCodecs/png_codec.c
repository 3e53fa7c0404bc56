// png_codec.c: PNG decode and encode over libpng 1.6, from and to memory.
// Spec: W3C "Portable Network Graphics (PNG) Specification (Second Edition)" / ISO/IEC 15948.
// libpng reports errors by longjmp to png_jmpbuf; every setjmp is here so that no Swift frame is
// ever jumped over. Errors come back as one line in `error`; warnings are silent.
#include "codecs.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CIC_DEFAULT_MAX_PIXELS ((size_t)1 << 25)
#define CIC_TEXT_CHUNK_MAX ((png_alloc_size_t)16 << 20)

static int host_is_little_endian(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static uint32_t be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

// Error and warning handlers: the error pointer is the caller's 256-byte message buffer.
static void on_png_error(png_structp png, png_const_charp msg) {
    char *error = (char *)png_get_error_ptr(png);
    if (error) snprintf(error, 256, "PNG: %s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

typedef struct {
    const unsigned char *data;
    size_t size, pos;
} mem_reader;

static void read_from_memory(png_structp png, png_bytep dst, png_size_t n) {
    mem_reader *r = (mem_reader *)png_get_io_ptr(png);
    if (n > r->size - r->pos) png_error(png, "file is truncated");
    memcpy(dst, r->data + r->pos, n);
    r->pos += n;
}

static char *dup_bytes(const char *s, size_t n) {
    char *d = (char *)malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, s, n);
    d[n] = 0;
    return d;
}

// Copies libpng's text chunks into `out->texts` (replacing any earlier copy). Returns 0 or -1.
static int collect_texts(png_structp png, png_infop info, cic_image *out) {
    png_textp text = NULL;
    int n = png_get_text(png, info, &text, NULL);
    cic_image_free_texts(out);
    if (n <= 0) return 0;
    out->texts = (cic_text *)calloc((size_t)n, sizeof(cic_text));
    if (!out->texts) return -1;
    for (int i = 0; i < n; i++) {
        cic_text *t = &out->texts[i];
        int itxt = text[i].compression == PNG_ITXT_COMPRESSION_NONE || text[i].compression == PNG_ITXT_COMPRESSION_zTXt;
        size_t len = itxt ? text[i].itxt_length : text[i].text_length;
        if (text[i].text && len == 0) len = strlen(text[i].text);
        t->kind = itxt ? CIC_TEXT_ITXT : (text[i].compression == PNG_TEXT_COMPRESSION_zTXt ? CIC_TEXT_ZTXT : CIC_TEXT_TEXT);
        t->key = dup_bytes(text[i].key ? text[i].key : "", text[i].key ? strlen(text[i].key) : 0);
        t->text = dup_bytes(text[i].text ? text[i].text : "", text[i].text ? len : 0);
        t->text_length = text[i].text ? len : 0;
        t->lang = dup_bytes(itxt && text[i].lang ? text[i].lang : "", itxt && text[i].lang ? strlen(text[i].lang) : 0);
        t->translated = dup_bytes(itxt && text[i].lang_key ? text[i].lang_key : "",
                                  itxt && text[i].lang_key ? strlen(text[i].lang_key) : 0);
        out->num_texts = i + 1;
        if (!t->key || !t->text || !t->lang || !t->translated) return -1;
    }
    return 0;
}

int cic_png_decode(const unsigned char *data, size_t size, int header_only, size_t max_pixels, cic_image *out) {
    memset(out, 0, sizeof(*out));
    if (max_pixels == 0) max_pixels = CIC_DEFAULT_MAX_PIXELS;
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        snprintf(out->error, sizeof(out->error), "not a PNG file");
        return 1;
    }
    // Guard the dimensions before libpng sees them, so no allocation ever follows a bad header.
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        uint32_t w = be32(data + 16), h = be32(data + 20);
        if (w > CIC_MAX_SIDE || h > CIC_MAX_SIDE || (uint64_t)w * h > max_pixels) {
            snprintf(out->error, sizeof(out->error), "image too large: %ux%u", w, h);
            return 1;
        }
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, out->error, on_png_error, on_png_warning);
    if (!png) {
        snprintf(out->error, sizeof(out->error), "PNG: out of memory");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    mem_reader reader = {data, size, 0};
    if (!info || setjmp(png_jmpbuf(png))) {
        if (!info) snprintf(out->error, sizeof(out->error), "PNG: out of memory");
        free(rows);
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        free(out->pixels);
        out->pixels = NULL;
        out->pixels_size = 0;
        return 1;
    }
    png_set_read_fn(png, &reader, read_from_memory);
    png_set_user_limits(png, CIC_MAX_SIDE, CIC_MAX_SIDE);
    png_set_chunk_malloc_max(png, CIC_TEXT_CHUNK_MAX);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if ((uint64_t)width * height > max_pixels) {
        snprintf(out->error, sizeof(out->error), "image too large: %ux%u", width, height);
        png_longjmp(png, 1);
    }
    out->color_type = color_type;
    out->source_bit_depth = bit_depth;
    out->interlaced = interlace != PNG_INTERLACE_NONE;

    // Expand everything to 8- or 16-bit gray, gray+alpha, RGB or RGBA. Palette images are read as
    // one index per byte and expanded here, so that an index past the palette's end (an error by
    // the spec, which libpng lets through as black) is caught.
    int palette = color_type == PNG_COLOR_TYPE_PALETTE;
    if (palette) png_set_packing(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (!palette && png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    png_colorp plte = NULL;
    int num_plte = 0;
    png_bytep trns = NULL;
    int num_trns = 0;
    if (palette) {
        if (!png_get_PLTE(png, info, &plte, &num_plte) || num_plte < 1) png_error(png, "missing PLTE");
        png_get_tRNS(png, info, &trns, &num_trns, NULL);
        if (!trns) num_trns = 0;
    }
    out->width = (int)width;
    out->height = (int)height;
    out->channels = palette ? (num_trns > 0 ? 4 : 3) : png_get_channels(png, info);
    out->bit_depth = png_get_bit_depth(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);  // of what libpng hands over (indices for palettes)
    size_t outrow = (size_t)width * (size_t)out->channels * (size_t)(out->bit_depth / 8);
    if (out->channels < 1 || out->channels > 4 || (out->bit_depth != 8 && out->bit_depth != 16) ||
        rowbytes != (palette ? (size_t)width : outrow)) {
        png_error(png, "unexpected pixel layout after expansion");
    }
    if (header_only) {
        if (collect_texts(png, info, out) != 0) png_error(png, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    out->pixels_size = outrow * height;
    out->pixels = (unsigned char *)malloc(out->pixels_size ? out->pixels_size : 1);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!out->pixels || !rows) png_error(png, "out of memory");
    // Palette indices go to the end of each output row, so expanding left to right never
    // overwrites an index not yet read.
    size_t offset = outrow - rowbytes;
    for (png_uint_32 y = 0; y < height; y++) rows[y] = out->pixels + (size_t)y * outrow + offset;
    png_read_image(png, rows);
    if (palette) {
        int ch = out->channels;
        for (png_uint_32 y = 0; y < height; y++) {
            unsigned char *o = out->pixels + (size_t)y * outrow;
            const unsigned char *idx = o + offset;
            for (png_uint_32 x = 0; x < width; x++) {
                int i = idx[x];
                if (i >= num_plte) png_error(png, "palette index out of range");
                unsigned char *p = o + (size_t)x * ch;
                p[0] = plte[i].red;
                p[1] = plte[i].green;
                p[2] = plte[i].blue;
                if (ch == 4) p[3] = i < num_trns ? trns[i] : 255;
            }
        }
    }
    png_read_end(png, info);
    if (collect_texts(png, info, out) != 0) png_error(png, "out of memory");
    free(rows);
    rows = NULL;
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

typedef struct {
    unsigned char *buf;
    size_t size, cap;
} mem_writer;

static void write_to_memory(png_structp png, png_bytep src, png_size_t n) {
    mem_writer *w = (mem_writer *)png_get_io_ptr(png);
    if (n > w->cap - w->size) {
        size_t cap = w->cap ? w->cap : 4096;
        while (cap - w->size < n) cap *= 2;
        unsigned char *grown = (unsigned char *)realloc(w->buf, cap);
        if (!grown) png_error(png, "out of memory");
        w->buf = grown;
        w->cap = cap;
    }
    memcpy(w->buf + w->size, src, n);
    w->size += n;
}

static void flush_memory(png_structp png) { (void)png; }

int cic_png_encode(const unsigned char *pixels, int width, int height, int channels, int bit_depth,
                   const cic_text_in *texts, int num_texts, int compression_level,
                   unsigned char **out, size_t *out_size, char *error) {
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                       PNG_COLOR_TYPE_RGB_ALPHA};
    *out = NULL;
    *out_size = 0;
    error[0] = 0;
    if (width < 1 || height < 1 || width > 1000000 || height > 1000000 || channels < 1 || channels > 4 ||
        (bit_depth != 8 && bit_depth != 16) || num_texts < 0) {
        snprintf(error, 256, "PNG: cannot encode %dx%d with %d channels at %d bits", width, height, channels, bit_depth);
        return 1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error, on_png_error, on_png_warning);
    if (!png) {
        snprintf(error, 256, "PNG: out of memory");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    // Heap-held so that its contents are well defined after a longjmp.
    mem_writer *writer = (mem_writer *)calloc(1, sizeof(mem_writer));
    png_textp volatile text = NULL;
    png_bytep *volatile rows = NULL;
    if (!info || !writer || setjmp(png_jmpbuf(png))) {
        if (!info || !writer) snprintf(error, 256, "PNG: out of memory");
        free(text);
        free(rows);
        if (writer) free(writer->buf);
        free(writer);
        png_destroy_write_struct(&png, info ? &info : NULL);
        return 1;
    }
    png_set_write_fn(png, writer, write_to_memory, flush_memory);
    png_set_compression_level(png, compression_level < 0 || compression_level > 9 ? 6 : compression_level);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (num_texts > 0) {
        text = (png_textp)calloc((size_t)num_texts, sizeof(png_text));
        if (!text) png_error(png, "out of memory");
        for (int i = 0; i < num_texts; i++) {
            text[i].key = (png_charp)texts[i].key;
            text[i].text = (png_charp)texts[i].text;
            if (texts[i].utf8) {
                text[i].compression = texts[i].compress ? PNG_ITXT_COMPRESSION_zTXt : PNG_ITXT_COMPRESSION_NONE;
                text[i].itxt_length = texts[i].text_length;
                text[i].lang = (png_charp) "";
                text[i].lang_key = (png_charp) "";
            } else {
                text[i].compression = texts[i].compress ? PNG_TEXT_COMPRESSION_zTXt : PNG_TEXT_COMPRESSION_NONE;
                text[i].text_length = texts[i].text_length;
            }
        }
        png_set_text(png, info, text, num_texts);
    }
    png_write_info(png, info);
    if (bit_depth == 16 && host_is_little_endian()) png_set_swap(png);
    size_t rowbytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows) png_error(png, "out of memory");
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * rowbytes);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    rows = NULL;
    free(text);
    text = NULL;
    png_destroy_write_struct(&png, &info);
    *out = writer->buf;
    *out_size = writer->size;
    free(writer);
    return 0;
}
