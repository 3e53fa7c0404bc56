// jpeg_codec.c: JPEG decode and encode over libjpeg(-turbo), from and to memory.
// Spec: ITU-T T.81 (baseline and progressive DCT), JFIF 1.02, Adobe APP14 for CMYK/YCCK.
// libjpeg's error_exit is replaced by a longjmp to a setjmp in this file, so no Swift frame is
// ever jumped over. Corrupt-data warnings (a truncated file, a bad Huffman code) are errors here:
// a damaged file is reported, not silently padded with gray. Extraneous bytes before a marker are
// tolerated (common in real files).
#include "codecs.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

#define CIC_DEFAULT_MAX_PIXELS ((size_t)1 << 25)
#define CIC_MAX_SCANS 1000

typedef struct {
    struct jpeg_error_mgr pub;     // must be first: libjpeg casts cinfo->err to this struct
    struct jpeg_progress_mgr progress;
    jmp_buf jmp;
    char *error;                   // 256-byte message buffer
    unsigned char *row;            // CMYK row buffer (decode), freed on every exit
    unsigned char *outbuf;         // jpeg_mem_dest buffer (encode)
    unsigned long outsize;
    struct jpeg_decompress_struct dinfo;  // heap-held so it is well defined after a longjmp
    struct jpeg_compress_struct cinfo;
} cic_jpeg_ctx;

static void on_jpeg_error(j_common_ptr c) {
    cic_jpeg_ctx *ctx = (cic_jpeg_ctx *)c->err;
    char msg[JMSG_LENGTH_MAX];
    c->err->format_message(c, msg);
    snprintf(ctx->error, 256, "JPEG: %s", msg);
    longjmp(ctx->jmp, 1);
}

static void on_jpeg_message(j_common_ptr c, int level) {
    // level -1 is a corrupt-data warning; treat it as an error except for stray bytes.
    if (level < 0 && c->err->msg_code != JWRN_EXTRANEOUS_DATA) c->err->error_exit(c);
}

static void on_jpeg_output(j_common_ptr c) { (void)c; }

// A progressive file can hold thousands of tiny scans that cost time but no data: cap them.
static void on_jpeg_progress(j_common_ptr c) {
    if (!c->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)c;
    if (d->input_scan_number > CIC_MAX_SCANS) {
        cic_jpeg_ctx *ctx = (cic_jpeg_ctx *)c->err;
        snprintf(ctx->error, 256, "JPEG: more than %d scans", CIC_MAX_SCANS);
        longjmp(ctx->jmp, 1);
    }
}

static void init_ctx(cic_jpeg_ctx *ctx, char *error) {
    memset(ctx, 0, sizeof(*ctx));
    jpeg_std_error(&ctx->pub);
    ctx->pub.error_exit = on_jpeg_error;
    ctx->pub.emit_message = on_jpeg_message;
    ctx->pub.output_message = on_jpeg_output;
    ctx->progress.progress_monitor = on_jpeg_progress;
    ctx->error = error;
}

int cic_jpeg_decode(const unsigned char *data, size_t size, int header_only, size_t max_pixels, cic_image *out) {
    memset(out, 0, sizeof(*out));
    if (max_pixels == 0) max_pixels = CIC_DEFAULT_MAX_PIXELS;
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        snprintf(out->error, sizeof(out->error), "not a JPEG file");
        return 1;
    }
    cic_jpeg_ctx *ctx = (cic_jpeg_ctx *)malloc(sizeof(cic_jpeg_ctx));
    if (!ctx) {
        snprintf(out->error, sizeof(out->error), "JPEG: out of memory");
        return 1;
    }
    init_ctx(ctx, out->error);
    j_decompress_ptr cinfo = &ctx->dinfo;
    cinfo->err = &ctx->pub;
    if (setjmp(ctx->jmp)) {
        jpeg_destroy_decompress(cinfo);
        free(ctx->row);
        free(ctx);
        free(out->pixels);
        out->pixels = NULL;
        out->pixels_size = 0;
        return 1;
    }
    jpeg_create_decompress(cinfo);
    cinfo->progress = &ctx->progress;
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);
    unsigned w = cinfo->image_width, h = cinfo->image_height;
    if (w > CIC_MAX_SIDE || h > CIC_MAX_SIDE || (uint64_t)w * h > max_pixels) {
        snprintf(out->error, sizeof(out->error), "image too large: %ux%u", w, h);
        longjmp(ctx->jmp, 1);
    }
    int cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
    out->jpeg_color_space = (int)cinfo->jpeg_color_space;
    out->progressive = cinfo->progressive_mode ? 1 : 0;
    out->width = (int)w;
    out->height = (int)h;
    out->bit_depth = 8;
    out->source_bit_depth = cinfo->data_precision;
    if (cinfo->jpeg_color_space == JCS_GRAYSCALE) {
        cinfo->out_color_space = JCS_GRAYSCALE;
        out->channels = 1;
    } else if (cmyk) {
        cinfo->out_color_space = JCS_CMYK;
        out->channels = 3;
    } else {
        cinfo->out_color_space = JCS_RGB;
        out->channels = 3;
    }
    if (header_only) {
        jpeg_destroy_decompress(cinfo);
        free(ctx);
        return 0;
    }
    jpeg_start_decompress(cinfo);
    if ((cmyk && cinfo->output_components != 4) || (!cmyk && cinfo->output_components != out->channels)) {
        snprintf(out->error, sizeof(out->error), "JPEG: unexpected output layout");
        longjmp(ctx->jmp, 1);
    }
    size_t stride = (size_t)w * (size_t)out->channels;
    out->pixels_size = stride * h;
    out->pixels = (unsigned char *)malloc(out->pixels_size ? out->pixels_size : 1);
    if (cmyk) ctx->row = (unsigned char *)malloc((size_t)w * 4);
    if (!out->pixels || (cmyk && !ctx->row)) {
        snprintf(out->error, sizeof(out->error), "JPEG: out of memory");
        longjmp(ctx->jmp, 1);
    }
    // Adobe writes CMYK inverted (0 = full ink); other writers do not.
    int inverted = cinfo->saw_Adobe_marker;
    while (cinfo->output_scanline < cinfo->output_height) {
        size_t y = cinfo->output_scanline;
        JSAMPROW dst = cmyk ? ctx->row : out->pixels + y * stride;
        if (jpeg_read_scanlines(cinfo, &dst, 1) != 1) {
            snprintf(out->error, sizeof(out->error), "JPEG: no scanline read");
            longjmp(ctx->jmp, 1);
        }
        if (cmyk) {
            unsigned char *o = out->pixels + y * stride;
            for (size_t x = 0; x < w; x++) {
                unsigned c = ctx->row[4 * x], m = ctx->row[4 * x + 1], yy = ctx->row[4 * x + 2], k = ctx->row[4 * x + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                o[3 * x] = (unsigned char)((c * k + 127) / 255);
                o[3 * x + 1] = (unsigned char)((m * k + 127) / 255);
                o[3 * x + 2] = (unsigned char)((yy * k + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(cinfo);
    jpeg_destroy_decompress(cinfo);
    free(ctx->row);
    free(ctx);
    return 0;
}

int cic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                    int progressive, int subsampling, unsigned char **out, size_t *out_size, char *error) {
    *out = NULL;
    *out_size = 0;
    error[0] = 0;
    if (width < 1 || height < 1 || width > 65500 || height > 65500 || (channels != 1 && channels != 3)) {
        snprintf(error, 256, "JPEG: cannot encode %dx%d with %d channels", width, height, channels);
        return 1;
    }
    if (subsampling != 444 && subsampling != 422 && subsampling != 420) {
        snprintf(error, 256, "JPEG: unknown subsampling %d (use 444, 422 or 420)", subsampling);
        return 1;
    }
    cic_jpeg_ctx *ctx = (cic_jpeg_ctx *)malloc(sizeof(cic_jpeg_ctx));
    if (!ctx) {
        snprintf(error, 256, "JPEG: out of memory");
        return 1;
    }
    init_ctx(ctx, error);
    j_compress_ptr cinfo = &ctx->cinfo;
    cinfo->err = &ctx->pub;
    if (setjmp(ctx->jmp)) {
        jpeg_destroy_compress(cinfo);
        free(ctx->outbuf);
        free(ctx);
        return 1;
    }
    jpeg_create_compress(cinfo);
    jpeg_mem_dest(cinfo, &ctx->outbuf, &ctx->outsize);
    cinfo->image_width = (JDIMENSION)width;
    cinfo->image_height = (JDIMENSION)height;
    cinfo->input_components = channels;
    cinfo->in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    if (channels == 3) {
        cinfo->comp_info[0].h_samp_factor = subsampling == 444 ? 1 : 2;
        cinfo->comp_info[0].v_samp_factor = subsampling == 420 ? 2 : 1;
        for (int i = 1; i < 3; i++) cinfo->comp_info[i].h_samp_factor = cinfo->comp_info[i].v_samp_factor = 1;
    }
    if (progressive) jpeg_simple_progression(cinfo);
    jpeg_start_compress(cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (cinfo->next_scanline < cinfo->image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo->next_scanline * stride);
        jpeg_write_scanlines(cinfo, &row, 1);
    }
    jpeg_finish_compress(cinfo);
    jpeg_destroy_compress(cinfo);
    *out = ctx->outbuf;
    *out_size = (size_t)ctx->outsize;
    free(ctx);
    return 0;
}
