/* safetensors checkpoints: bitwise round trip, header layout, rejection of
 * corrupt files with the right one-line message, atomic writes that leave
 * the old file intact on failure, shape checks, and the Python viewer.
 * No OpenCL needed. */
#define _GNU_SOURCE /* nftw */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <ftw.h>
#include <libgen.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clae/safetensors.h"
#include "testutil.h"

static char g_dir[64]; /* scratch directory for this run */

static void pathj(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", g_dir, name);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert(b != NULL);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const void *b, size_t n)
{
    FILE *fp = fopen(path, "wb");
    ck_assert(fp != NULL);
    ck_assert_uint_eq(fwrite(b, 1, n, fp), n);
    ck_assert_int_eq(fclose(fp), 0);
}

/* Number of "*.tmp.*" files left in dir. */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert(d != NULL);
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) k++;
    closedir(d);
    return k;
}

static int bytes_equal(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
    return na == nb && memcmp(a, b, na) == 0;
}

/* A file made by hand: u64 header length (hlen_field, or the padded JSON
 * length when ~0), JSON padded with spaces to 8, data_len bytes of zeros. */
static void write_raw(const char *path, const char *json, size_t data_len, uint64_t hlen_field)
{
    size_t j = strlen(json), p = (j + 7) & ~(size_t)7;
    size_t total = 8 + p + data_len;
    unsigned char *b = calloc(total, 1);
    ck_assert(b != NULL);
    uint64_t h = hlen_field == ~(uint64_t)0 ? p : hlen_field;
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(h >> (8 * i));
    memcpy(b + 8, json, j);
    memset(b + 8 + j, ' ', p - j);
    spit(path, b, total);
    free(b);
}

/* ---------------------------------------------------------------- fixtures */

enum { NT = 6 };
static float w0[8 * 3 * 3 * 3], b0[8], sc[1], one[1], w1[2 * 1 * 5 * 7];

static const char *MKEYS[] = {"format", "quote", "unicode", "empty", "json"};
static const char *MVALS[] = {"clae-checkpoint-1", "say \"hi\"\n\tline2 \\end\r\n",
                              "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80", "",
                              "{\"a\": [1, 2], \"b\": null}"};
enum { NM = 5 };

static void make_tensors(clae_st_tensor *t)
{
    uint64_t seed = 42;
    tu_rand(w0, sizeof w0 / 4, -1.0f, 1.0f, &seed);
    tu_rand(b0, 8, -1.0f, 1.0f, &seed);
    tu_rand(w1, sizeof w1 / 4, -3.0f, 3.0f, &seed);
    /* special bit patterns must survive exactly */
    const uint32_t special[] = {0x7fc00001u, 0xffffffffu, 0x80000000u, 0x7f800000u,
                                0xff800000u, 0x00000001u, 0x7f7fffffu, 0x807fffffu};
    memcpy(w0, special, sizeof special);
    sc[0] = 0.1f;
    one[0] = -7.25f;
    memset(t, 0, NT * sizeof *t);
    t[0] = (clae_st_tensor){"enc.0.weight", 4, {8, 3, 3, 3}, w0, CLAE_ST_F32};
    t[1] = (clae_st_tensor){"enc.0.bias", 1, {8}, b0, CLAE_ST_F32};
    t[2] = (clae_st_tensor){"scale", 0, {0}, sc, CLAE_ST_F32};
    t[3] = (clae_st_tensor){"one", 1, {1}, one, CLAE_ST_F32};
    t[4] = (clae_st_tensor){"empty", 2, {0, 5}, NULL, CLAE_ST_F32};
    t[5] = (clae_st_tensor){"dec.0.weight", 4, {2, 1, 5, 7}, w1, CLAE_ST_F32};
}

static int64_t numel_of(const clae_st_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
    return n;
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_st_roundtrip)
{
    clae_st_tensor t[NT];
    make_tensors(t);
    char path[256];
    pathj(path, sizeof path, "rt.safetensors");
    ck_assert_int_eq(clae_st_write(path, t, NT, MKEYS, MVALS, NM), CLAE_OK);
    ck_assert_int_eq(count_tmp(g_dir), 0);

    clae_st_file f;
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    ck_assert_str_eq(f.err, "");
    ck_assert_int_eq(f.n, NT);
    ck_assert_int_eq(f.nmeta, NM);
    for (int i = 0; i < NT; i++) {
        const clae_st_entry *e = clae_st_find(&f, t[i].name);
        ck_assert_msg(e != NULL, "tensor %s not found", t[i].name);
        ck_assert_ptr_eq(e, &f.tensors[i]); /* header order = write order */
        ck_assert_int_eq(e->ndim, t[i].ndim);
        for (int d = 0; d < t[i].ndim; d++) ck_assert_int_eq(e->shape[d], t[i].shape[d]);
        ck_assert_int_eq(e->numel, numel_of(&t[i]));
        ck_assert_uint_eq((uintptr_t)e->data % sizeof(float), 0);
        if (e->numel)
            ck_assert_msg(memcmp(e->data, t[i].data, (size_t)e->numel * 4) == 0,
                          "tensor %s differs bitwise", t[i].name);
        printf("round trip %-13s ndim %d numel %3lld: bitwise equal\n", t[i].name, e->ndim,
               (long long)e->numel);
    }
    for (int i = 0; i < NM; i++) {
        const char *v = clae_st_meta(&f, MKEYS[i]);
        ck_assert_msg(v != NULL, "metadata %s missing", MKEYS[i]);
        ck_assert_str_eq(v, MVALS[i]);
        ck_assert_str_eq(f.meta_keys[i], MKEYS[i]);
    }
    ck_assert_ptr_null(clae_st_find(&f, "nope"));
    ck_assert_ptr_null(clae_st_meta(&f, "nope"));
    clae_st_close(&f);
    ck_assert_ptr_null(f.tensors);
    clae_st_close(&f); /* twice is harmless */

    /* overwrite the existing file with different content */
    t[1].shape[0] = 4;
    ck_assert_int_eq(clae_st_write(path, t + 1, 1, NULL, NULL, 0), CLAE_OK);
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    ck_assert_int_eq(f.n, 1);
    ck_assert_int_eq(f.nmeta, 0);
    ck_assert_int_eq(f.tensors[0].shape[0], 4);
    ck_assert(memcmp(f.tensors[0].data, b0, 16) == 0);
    clae_st_close(&f);

    /* no tensors at all */
    ck_assert_int_eq(clae_st_write(path, NULL, 0, NULL, NULL, 0), CLAE_OK);
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    ck_assert_int_eq(f.n, 0);
    clae_st_close(&f);
    ck_assert_int_eq(count_tmp(g_dir), 0);
}
END_TEST

START_TEST(test_st_header_layout)
{
    clae_st_tensor t[NT];
    make_tensors(t);
    char path[256];
    pathj(path, sizeof path, "layout.safetensors");
    ck_assert_int_eq(clae_st_write(path, t, NT, MKEYS, MVALS, NM), CLAE_OK);
    size_t len;
    unsigned char *b = slurp(path, &len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | b[i];
    printf("header length %llu, file %zu bytes\n", (unsigned long long)n, len);
    ck_assert_uint_eq(n % 8, 0);
    ck_assert_uint_le(8 + n, len);
    ck_assert_int_eq(b[8], '{');

    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts((const char *)b + 8, (size_t)n, &end, 0);
    ck_assert_msg(root != NULL, "header is not valid JSON");
    for (const char *p = end; p < (const char *)b + 8 + n; p++) ck_assert_int_eq(*p, ' ');
    ck_assert_int_lt((const char *)b + 8 + n - end, 8); /* minimal padding */

    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(root, "__metadata__");
    ck_assert(cJSON_IsObject(meta));
    for (int i = 0; i < NM; i++)
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(meta, MKEYS[i])->valuestring, MVALS[i]);
    uint64_t at = 0;
    for (int i = 0; i < NT; i++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, t[i].name);
        ck_assert(cJSON_IsObject(e));
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(e, "dtype")->valuestring, "F32");
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
        ck_assert_int_eq(cJSON_GetArraySize(shape), t[i].ndim);
        for (int d = 0; d < t[i].ndim; d++)
            ck_assert_int_eq((int64_t)cJSON_GetArrayItem(shape, d)->valuedouble, t[i].shape[d]);
        const cJSON *offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
        ck_assert_int_eq(cJSON_GetArraySize(offs), 2);
        uint64_t bg = (uint64_t)cJSON_GetArrayItem(offs, 0)->valuedouble;
        uint64_t en = (uint64_t)cJSON_GetArrayItem(offs, 1)->valuedouble;
        ck_assert_uint_eq(bg, at);
        ck_assert_uint_eq(en, at + (uint64_t)numel_of(&t[i]) * 4);
        if (en > bg) ck_assert(memcmp(b + 8 + n + bg, t[i].data, en - bg) == 0);
        at = en;
    }
    ck_assert_uint_eq(8 + n + at, len);
    /* the raw header text: integers without exponents, escapes as JSON wants */
    char *text = strndup((const char *)b + 8, (size_t)n);
    ck_assert_ptr_nonnull(strstr(text, "\"enc.0.weight\":{\"dtype\":\"F32\",\"shape\":[8,3,3,3],"
                                       "\"data_offsets\":[0,864]}"));
    ck_assert_ptr_nonnull(strstr(text, "\"scale\":{\"dtype\":\"F32\",\"shape\":[],"
                                       "\"data_offsets\":[896,900]}"));
    ck_assert_ptr_nonnull(strstr(text, "say \\\"hi\\\"\\n\\tline2 \\\\end\\r\\n"));
    free(text);
    cJSON_Delete(root);
    free(b);
}
END_TEST

typedef struct bad_case {
    const char *what;
    const char *json;   /* NULL: raw bytes "short" */
    size_t data_len;
    uint64_t hlen;      /* ~0: the real one */
    clae_status status;
    const char *msg;    /* expected in the error line */
} bad_case;

#define REAL ~(uint64_t)0
#define E(shape, offs) "{\"dtype\":\"F32\",\"shape\":" shape ",\"data_offsets\":" offs "}"
static const bad_case BAD[] = {
    {"header length > file size", "{\"a\":" E("[1]", "[0,4]") "}", 4, 4096, CLAE_ERR_FORMAT,
     "header length 4096 is larger than the file"},
    {"absurd header length", "{}", 0, 1ull << 40, CLAE_ERR_FORMAT,
     "header length 1099511627776 is absurd"},
    {"empty header", "", 0, REAL, CLAE_ERR_FORMAT, "header is empty"},
    {"bad JSON", "{\"a\":" E("[1]", "[0,4]"), 4, REAL, CLAE_ERR_FORMAT,
     "header JSON does not parse"},
    {"bad JSON 2", "{\"a\": {dtype: F32}}", 0, REAL, CLAE_ERR_FORMAT, "header JSON does not parse"},
    {"not an object", "[1, 2, 3]", 0, REAL, CLAE_ERR_FORMAT, "header is not a JSON object"},
    {"junk after JSON", "{} x", 0, REAL, CLAE_ERR_FORMAT, "unexpected bytes after the header"},
    {"invalid UTF-8", "{\"a\xff\":" E("[1]", "[0,4]") "}", 4, REAL, CLAE_ERR_FORMAT,
     "header is not valid UTF-8"},
    {"wrong dtype", "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4, REAL,
     CLAE_ERR_FORMAT, "tensor w: dtype F16 is not supported (only F32 and U8)"},
    {"dtype not a string", "{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, REAL,
     CLAE_ERR_FORMAT, "tensor w: dtype is not a string"},
    {"missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, REAL, CLAE_ERR_FORMAT,
     "tensor w: missing dtype"},
    {"missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, REAL, CLAE_ERR_FORMAT,
     "tensor w: missing shape"},
    {"missing offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, REAL, CLAE_ERR_FORMAT,
     "tensor w: missing data_offsets"},
    {"entry not an object", "{\"w\":5}", 0, REAL, CLAE_ERR_FORMAT,
     "tensor w: header entry is not a JSON object"},
    {"shape not an array", "{\"w\":" E("4", "[0,16]") "}", 16, REAL, CLAE_ERR_FORMAT,
     "tensor w: shape is not an array"},
    {"negative shape", "{\"w\":" E("[2,-2]", "[0,16]") "}", 16, REAL, CLAE_ERR_FORMAT,
     "tensor w: shape dimension 1 is negative"},
    {"fractional shape", "{\"w\":" E("[2.5]", "[0,10]") "}", 12, REAL, CLAE_ERR_FORMAT,
     "tensor w: shape dimension 0 is not an integer"},
    {"string shape", "{\"w\":" E("[\"2\"]", "[0,8]") "}", 8, REAL, CLAE_ERR_FORMAT,
     "tensor w: shape dimension 0 is not a number"},
    /* past 2^64: converting it to an integer was undefined behaviour (fuzz_checkpoint) */
    {"huge shape", "{\"w\":" E("[2.54e86]", "[0,8]") "}", 8, REAL, CLAE_ERR_FORMAT,
     "tensor w: shape dimension 0 is not an integer"},
    {"huge offset", "{\"w\":" E("[1]", "[0,1e300]") "}", 8, REAL, CLAE_ERR_FORMAT,
     "is not an integer"},
    /* 2^32 x 2^32 elements wrap a 64-bit count to 0, which read as an empty tensor */
    {"shape product wraps to 0", "{\"w\":" E("[4294967296,4294967296]", "[0,0]") "}", 0, REAL,
     CLAE_ERR_FORMAT, "tensor w: shape [4294967296,4294967296] is too large"},
    {"too many dims", "{\"w\":" E("[1,1,1,1,1]", "[0,4]") "}", 4, REAL, CLAE_ERR_FORMAT,
     "tensor w: shape has 5 dimensions, at most 4"},
    {"offsets not a pair", "{\"w\":" E("[1]", "[0]") "}", 4, REAL, CLAE_ERR_FORMAT,
     "tensor w: data_offsets is not [begin, end]"},
    {"negative offset", "{\"w\":" E("[1]", "[-4,0]") "}", 4, REAL, CLAE_ERR_FORMAT,
     "tensor w: a data_offsets value is negative"},
    {"begin > end", "{\"w\":" E("[1]", "[8,4]") "}", 8, REAL, CLAE_ERR_FORMAT,
     "tensor w: data_offsets [8, 4] has begin > end"},
    {"shape/offsets size mismatch", "{\"w\":" E("[3]", "[0,8]") "}", 8, REAL, CLAE_ERR_FORMAT,
     "tensor w: data_offsets [0, 8] hold 8 bytes, but shape [3] needs 12 (F32)"},
    {"offsets past the end", "{\"w\":" E("[4]", "[0,16]") "}", 12, REAL, CLAE_ERR_FORMAT,
     "tensor w: data_offsets [0, 16] run past the end of the data section (12 bytes)"},
    {"overlapping offsets", "{\"a\":" E("[2]", "[0,8]") ",\"b\":" E("[2]", "[4,12]") "}", 12, REAL,
     CLAE_ERR_FORMAT, "tensors a [0, 8] and b [4, 12] overlap"},
    {"identical offsets", "{\"a\":" E("[2]", "[0,8]") ",\"b\":" E("[2]", "[0,8]") "}", 8, REAL,
     CLAE_ERR_FORMAT, "tensors a [0, 8] and b [0, 8] overlap"},
    {"gap", "{\"a\":" E("[2]", "[0,8]") ",\"b\":" E("[2]", "[12,20]") "}", 20, REAL,
     CLAE_ERR_FORMAT, "gap of 4 bytes in the data section before tensor b"},
    {"not starting at 0", "{\"a\":" E("[1]", "[4,8]") "}", 8, REAL, CLAE_ERR_FORMAT,
     "gap of 4 bytes in the data section before tensor a"},
    {"trailing data", "{\"a\":" E("[2]", "[0,8]") "}", 12, REAL, CLAE_ERR_FORMAT,
     "4 bytes in the data section after the last tensor"},
    {"metadata not a string", "{\"__metadata__\":{\"lr\":\"0.1\",\"epoch\":3}}", 0, REAL,
     CLAE_ERR_FORMAT, "metadata value for key \"epoch\" is not a string"},
    {"metadata not an object", "{\"__metadata__\":[]}", 0, REAL, CLAE_ERR_FORMAT,
     "__metadata__ is not a JSON object"},
    {"duplicate tensor", "{\"a\":" E("[1]", "[0,4]") ",\"a\":" E("[1]", "[4,8]") "}", 8, REAL,
     CLAE_ERR_FORMAT, "duplicate tensor a"},
    {"newline in a name", "{\"a\\nb\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
     REAL, CLAE_ERR_FORMAT, "tensor a?b: dtype BF16 is not supported (only F32 and U8)"},
    {"U8 shape/offsets size mismatch",
     "{\"u\":{\"dtype\":\"U8\",\"shape\":[2,3],\"data_offsets\":[0,4]}}", 4, REAL,
     CLAE_ERR_FORMAT, "tensor u: data_offsets [0, 4] hold 4 bytes, but shape [2,3] needs 6 (U8)"},
    {"F32 after an odd U8", "{\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
     "\"w\":" E("[1]", "[3,7]") "}", 7, REAL, CLAE_ERR_FORMAT,
     "tensor w: F32 data at offset 3, not a multiple of 4"},
    {"file shorter than 8 bytes", NULL, 0, REAL, CLAE_ERR_FORMAT,
     "file is 5 bytes, shorter than the 8-byte header length"},
    {"first problem wins", "{\"a\":" E("[3]", "[0,8]") ",\"b\":{\"dtype\":\"I8\"}}", 8, REAL,
     CLAE_ERR_FORMAT, "tensor a: data_offsets [0, 8] hold 8 bytes"},
};
#define NBAD ((int)(sizeof BAD / sizeof BAD[0]))

START_TEST(test_st_reject_corrupt)
{
    const bad_case *c = &BAD[_i];
    char path[256];
    pathj(path, sizeof path, "bad.safetensors");
    if (c->json)
        write_raw(path, c->json, c->data_len, c->hlen);
    else
        spit(path, "\x10\0\0\0\0", 5);
    clae_st_file f;
    clae_status s = clae_st_open(path, &f);
    printf("%-28s -> %s\n", c->what, f.err);
    ck_assert_int_eq(s, c->status);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "clae: %s: ", path);
    ck_assert_msg(strncmp(f.err, prefix, strlen(prefix)) == 0, "error line lacks the path: %s",
                  f.err);
    ck_assert_msg(strstr(f.err, c->msg) != NULL, "%s: expected \"%s\" in \"%s\"", c->what, c->msg,
                  f.err);
    ck_assert_ptr_null(strchr(f.err, '\n'));
    ck_assert_int_eq(f.n, 0);
    ck_assert_ptr_null(f.tensors);
    clae_st_close(&f);
}
END_TEST

/* A tensor left out of the header, its bytes still in the data section (a
 * gap, or bytes after the last tensor): a reader that knows which tensors
 * it needs (CLAE_ST_LAYOUT_LATER) says which is missing; clae_st_open
 * still refuses the file for the gap. */
START_TEST(test_st_missing_tensor)
{
    char path[256];
    pathj(path, sizeof path, "missing.safetensors");
    const int64_t two[1] = {2};
    static const char *const abc[3] = {"a", "b", "c"};
    clae_st_file f;
    /* b left out between a and c */
    write_raw(path, "{\"a\":" E("[2]", "[0,8]") ",\"c\":" E("[2]", "[16,24]") "}", 24, REAL);
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(f.err, "gap of 8 bytes in the data section before tensor c"));
    clae_st_close(&f);
    for (int header_only = 0; header_only < 2; header_only++) {
        int flags = CLAE_ST_LAYOUT_LATER | (header_only ? CLAE_ST_HEADER_ONLY : 0);
        ck_assert_int_eq(clae_st_open_flags(path, &f, flags), CLAE_OK);
        ck_assert_int_eq(clae_st_expect(&f, "a", 1, two, NULL), CLAE_OK);
        ck_assert_int_eq(clae_st_expect(&f, "b", 1, two, NULL), CLAE_ERR_FORMAT);
        ck_assert_ptr_nonnull(strstr(f.err, ": tensor b is missing"));
        ck_assert_int_eq(clae_st_require(&f, abc, 3), CLAE_ERR_FORMAT);
        ck_assert_ptr_nonnull(strstr(f.err, ": tensor b is missing"));
        /* a reader that needs only a and c: the gap is still an error */
        ck_assert_int_eq(clae_st_require(&f, (const char *const[]){"a", "c"}, 2), CLAE_ERR_FORMAT);
        ck_assert_ptr_nonnull(strstr(f.err, "gap of 8 bytes in the data section before tensor c"));
        ck_assert_int_eq(clae_st_expect(&f, "c", 1, two, NULL), CLAE_OK);
        ck_assert_int_eq(clae_st_check_all_used(&f), CLAE_ERR_FORMAT);
        ck_assert_ptr_nonnull(strstr(f.err, "gap of 8 bytes"));
        clae_st_close(&f);
    }
    /* the last one left out: bytes after the last tensor */
    write_raw(path, "{\"a\":" E("[2]", "[0,8]") ",\"b\":" E("[2]", "[8,16]") "}", 24, REAL);
    ck_assert_int_eq(clae_st_open_flags(path, &f, CLAE_ST_LAYOUT_LATER), CLAE_OK);
    ck_assert_int_eq(clae_st_require(&f, abc, 3), CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(f.err, ": tensor c is missing"));
    clae_st_close(&f);
    /* overlap stays an error at open */
    write_raw(path, "{\"a\":" E("[2]", "[0,8]") ",\"b\":" E("[2]", "[4,12]") "}", 12, REAL);
    ck_assert_int_eq(clae_st_open_flags(path, &f, CLAE_ST_LAYOUT_LATER), CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(f.err, "overlap"));
    clae_st_close(&f);
    /* a whole file: nothing to report */
    write_raw(path, "{\"a\":" E("[2]", "[0,8]") ",\"b\":" E("[2]", "[8,16]") "}", 16, REAL);
    ck_assert_int_eq(clae_st_open_flags(path, &f, CLAE_ST_LAYOUT_LATER), CLAE_OK);
    ck_assert_int_eq(clae_st_require(&f, abc, 2), CLAE_OK);
    clae_st_close(&f);
}
END_TEST

/* The data section is bounded before anything is allocated for it: a
 * sparse file one byte past CLAE_ST_MAX_DATA (24 GiB of nothing on disk)
 * is refused by its size, the header unread. */
START_TEST(test_st_reject_huge_data)
{
    char path[256];
    pathj(path, sizeof path, "huge.safetensors");
    const char *json = "{\"w\":" E("[1]", "[0,4]") "}";
    write_raw(path, json, 4, REAL);
    size_t hdr = 8 + ((strlen(json) + 7) & ~(size_t)7);
    if (truncate(path, (off_t)(hdr + CLAE_ST_MAX_DATA + 1)) != 0) return; /* no sparse files */
    clae_st_file f;
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_ERR_FORMAT);
    char want[200];
    snprintf(want, sizeof want, "data section of %llu bytes is larger than clae reads",
             CLAE_ST_MAX_DATA + 1);
    ck_assert_msg(strstr(f.err, want) != NULL, "got \"%s\"", f.err);
    clae_st_close(&f);
    unlink(path);
}
END_TEST

START_TEST(test_st_reject_io)
{
    clae_st_file f;
    char path[256];
    pathj(path, sizeof path, "does-not-exist.safetensors");
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(f.err, "cannot open: No such file or directory"));
    clae_st_close(&f);
    ck_assert_int_eq(clae_st_open(g_dir, &f), CLAE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(f.err, "is a directory"));
    clae_st_close(&f);
}
END_TEST

/* Every truncation of a valid file is rejected (header or data cut short),
 * and flipping any header byte never crashes the reader. */
START_TEST(test_st_truncated)
{
    clae_st_tensor t[NT];
    make_tensors(t);
    char path[256], cut[256];
    pathj(path, sizeof path, "full.safetensors");
    pathj(cut, sizeof cut, "cut.safetensors");
    ck_assert_int_eq(clae_st_write(path, t, NT, MKEYS, MVALS, NM), CLAE_OK);
    size_t len;
    unsigned char *b = slurp(path, &len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | b[i];
    /* thousands of expected one-line reports: keep them out of the log */
    fflush(stderr);
    int saved_err = dup(2), devnull = open("/dev/null", O_WRONLY);
    ck_assert(saved_err >= 0 && devnull >= 0);
    dup2(devnull, 2);
    int fails = 0;
    for (size_t k = 0; k < len; k++) {
        spit(cut, b, k);
        clae_st_file f;
        clae_status s = clae_st_open(cut, &f);
        const char *want = k < 8         ? "shorter than the 8-byte header length"
                           : k < 8 + n   ? "is larger than the file"
                                         : "run past the end of the data section";
        if (s != CLAE_ERR_FORMAT || !strstr(f.err, want)) {
            printf("cut at %zu: got \"%s\", want \"%s\"\n", k, f.err, want);
            fails++;
        }
        clae_st_close(&f);
    }
    printf("%zu truncations of a %zu-byte file all rejected\n", len, len);
    ck_assert_int_eq(fails, 0);

    /* flipped header bytes: any status, but no crash and a message on failure */
    uint64_t seed = 9;
    int rejected = 0;
    for (size_t k = 8; k < 8 + n; k++) {
        unsigned char save = b[k];
        float r;
        tu_rand(&r, 1, 0.0f, 256.0f, &seed);
        b[k] = (unsigned char)r == save ? (unsigned char)(save ^ 1) : (unsigned char)r;
        spit(cut, b, len);
        clae_st_file f;
        clae_status s = clae_st_open(cut, &f);
        if (s != CLAE_OK) {
            rejected++;
            ck_assert_msg(f.err[0] != 0, "flip at %zu: failure without a message", k);
        }
        ck_assert_ptr_null(strchr(f.err, '\n'));
        clae_st_close(&f);
        b[k] = save;
    }
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    close(devnull);
    printf("%llu header byte flips: %d rejected, the rest still valid\n", (unsigned long long)n,
           rejected);
    free(b);
}
END_TEST

START_TEST(test_st_expect)
{
    clae_st_tensor t[NT];
    make_tensors(t);
    snprintf(t[0].name, sizeof t[0].name, "layers.0.weight");
    char path[256];
    pathj(path, sizeof path, "expect.safetensors");
    ck_assert_int_eq(clae_st_write(path, t, NT, NULL, NULL, 0), CLAE_OK);
    clae_st_file f;
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    char want[512];

    const clae_st_entry *e = (const clae_st_entry *)1;
    const int64_t s16[4] = {16, 3, 3, 3};
    ck_assert_int_eq(clae_st_expect(&f, "layers.0.weight", 4, s16, &e), CLAE_ERR_FORMAT);
    ck_assert_ptr_null(e);
    snprintf(want, sizeof want,
             "clae: %s: tensor layers.0.weight has shape [8,3,3,3], expected [16,3,3,3] for this model",
             path);
    ck_assert_str_eq(f.err, want);

    ck_assert_int_eq(clae_st_expect(&f, "layers.0.weight", 3, s16 + 1, NULL), CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(f.err, "has shape [8,3,3,3], expected [3,3,3]"));

    ck_assert_int_eq(clae_st_expect(&f, "layers.4.bias", 1, s16, NULL), CLAE_ERR_FORMAT);
    snprintf(want, sizeof want, "clae: %s: tensor layers.4.bias is missing", path);
    ck_assert_str_eq(f.err, want);

    for (int i = 0; i < NT; i++) {
        ck_assert_int_eq(clae_st_expect(&f, t[i].name, t[i].ndim, t[i].shape, &e), CLAE_OK);
        ck_assert_ptr_eq(e, clae_st_find(&f, t[i].name));
        if (i == NT - 2) {
            ck_assert_int_eq(clae_st_check_all_used(&f), CLAE_ERR_FORMAT);
            snprintf(want, sizeof want, "clae: %s: unexpected tensor %s (not in this model)", path,
                     t[NT - 1].name);
            ck_assert_str_eq(f.err, want);
        }
    }
    ck_assert_int_eq(clae_st_check_all_used(&f), CLAE_OK);
    clae_st_close(&f);
}
END_TEST

/* U8 tensors (clae's image datasets): written, read back whole and through
 * clae_st_open_header + clae_st_read, beside an F32 tensor; clae_st_expect
 * takes F32 only. */
START_TEST(test_st_u8)
{
    enum { N = 3, C = 2, H = 5, W = 7, P = C * H * W };
    static uint8_t images[N * P], labels[N];
    for (int i = 0; i < N * P; i++) images[i] = (uint8_t)(i * 37 + 11);
    for (int i = 0; i < N; i++) labels[i] = (uint8_t)(250 + i);
    static const float f4[4] = {1.5f, -2.0f, 0.0f, 3.25f};
    clae_st_tensor t[3] = {{"f", 1, {4}, f4, CLAE_ST_F32},
                           {"images", 4, {N, C, H, W}, images, CLAE_ST_U8},
                           {"labels", 1, {N}, labels, CLAE_ST_U8}};
    char path[256];
    pathj(path, sizeof path, "u8.safetensors");
    ck_assert_int_eq(clae_st_write(path, t, 3, NULL, NULL, 0), CLAE_OK);
    size_t len;
    unsigned char *b = slurp(path, &len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = (n << 8) | b[i];
    char *text = strndup((const char *)b + 8, (size_t)n);
    ck_assert_ptr_nonnull(strstr(text, "\"images\":{\"dtype\":\"U8\",\"shape\":[3,2,5,7],"
                                       "\"data_offsets\":[16,226]}"));
    ck_assert_uint_eq(len, 8 + n + 16 + N * P + N);
    free(text);
    free(b);

    clae_st_file f;
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    const clae_st_entry *im = clae_st_find(&f, "images"), *lb = clae_st_find(&f, "labels");
    ck_assert_int_eq(im->dtype, CLAE_ST_U8);
    ck_assert_ptr_null(im->data); /* no floats here */
    ck_assert_int_eq(im->numel, N * P);
    ck_assert_mem_eq(im->bytes, images, N * P);
    ck_assert_mem_eq(lb->bytes, labels, N);
    ck_assert_int_eq(clae_st_find(&f, "f")->dtype, CLAE_ST_F32);
    ck_assert_mem_eq(clae_st_find(&f, "f")->data, f4, sizeof f4);
    const int64_t sh[1] = {N};
    ck_assert_int_eq(clae_st_expect(&f, "labels", 1, sh, NULL), CLAE_ERR_FORMAT);
    char want[512];
    snprintf(want, sizeof want, "clae: %s: tensor labels is U8, expected F32", path);
    ck_assert_str_eq(f.err, want);
    uint8_t byte;
    ck_assert_int_eq(clae_st_read(&f, im, 0, 1, &byte), CLAE_ERR_ARG); /* not a header-only file */
    clae_st_close(&f);

    ck_assert_int_eq(clae_st_open_header(path, &f), CLAE_OK);
    im = clae_st_find(&f, "images");
    ck_assert_ptr_null(im->bytes);
    ck_assert_ptr_null(f.data_);
    uint8_t got[N * P];
    ck_assert_int_eq(clae_st_read(&f, im, 0, N * P, got), CLAE_OK);
    ck_assert_mem_eq(got, images, N * P);
    ck_assert_int_eq(clae_st_read(&f, im, P + 3, 5, got), CLAE_OK);
    ck_assert_mem_eq(got, images + P + 3, 5);
    ck_assert_int_eq(clae_st_read(&f, clae_st_find(&f, "labels"), 2, 1, got), CLAE_OK);
    ck_assert_int_eq(got[0], 252);
    ck_assert_int_eq(clae_st_read(&f, im, N * P - 2, 3, got), CLAE_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(f.err, "tensor images: bytes [208, 211) asked for, it holds 210"));
    ck_assert_int_eq(clae_st_read(&f, im, N * P, 0, got), CLAE_OK); /* empty, at the end */
    /* the file shrinks under the reader: one line, no crash */
    ck_assert_int_eq(truncate(path, (off_t)(len - 20)), 0);
    ck_assert_int_eq(clae_st_read(&f, im, 0, N * P, got), CLAE_ERR_IO);
    ck_assert_ptr_nonnull(strstr(f.err, "file became shorter while reading it"));
    clae_st_close(&f);
    ck_assert_int_eq(f.has_fd_, 0);
    /* ... and the header-only open checks the size again */
    ck_assert_int_eq(clae_st_open_header(path, &f), CLAE_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(f.err, "run past the end of the data section"));
    clae_st_close(&f);

    t[1].dtype = (clae_st_dtype)7;
    ck_assert_int_eq(clae_st_write(path, t, 3, NULL, NULL, 0), CLAE_ERR_ARG);
}
END_TEST

/* Bad arguments: CLAE_ERR_ARG, nothing written, no temp file. */
START_TEST(test_st_write_bad_args)
{
    char path[256];
    pathj(path, sizeof path, "args.safetensors");
    float x[4] = {1, 2, 3, 4};
    clae_st_tensor ok = {"x", 1, {4}, x, CLAE_ST_F32};
    clae_st_tensor t[2];
    const char *k2[] = {"a", "a"}, *v2[] = {"1", "2"};
    for (int c = 0; c < 8; c++) {
        t[0] = ok, t[1] = ok;
        snprintf(t[1].name, sizeof t[1].name, "y");
        int nmeta = 0;
        switch (c) {
        case 0: snprintf(t[1].name, sizeof t[1].name, "x"); break;            /* duplicate */
        case 1: t[1].ndim = 5; break;                                          /* too many dims */
        case 2: t[1].shape[0] = -4; break;                                     /* negative */
        case 3: t[1].data = NULL; break;                                       /* no data */
        case 4: snprintf(t[1].name, sizeof t[1].name, "__metadata__"); break;  /* reserved */
        case 5: memset(t[1].name, 'a', sizeof t[1].name); break;               /* unterminated */
        case 6: t[1].name[0] = 0; break;                                       /* empty */
        case 7: nmeta = 2; break;                                              /* duplicate key */
        }
        ck_assert_int_eq(clae_st_write(path, t, 2, k2, v2, nmeta), CLAE_ERR_ARG);
        ck_assert_int_eq(access(path, F_OK), -1);
        ck_assert_int_eq(count_tmp(g_dir), 0);
    }
}
END_TEST

/* A failing write leaves the old file byte-for-byte intact and no temp file. */
START_TEST(test_st_write_fail_keeps_old)
{
    clae_st_tensor t[NT];
    make_tensors(t);
    char sub[128], path[256];
    pathj(sub, sizeof sub, "keep");
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    snprintf(path, sizeof path, "%s/ck.safetensors", sub);
    ck_assert_int_eq(clae_st_write(path, t, 2, MKEYS, MVALS, 1), CLAE_OK);
    size_t olen;
    unsigned char *old = slurp(path, &olen);

    /* a big checkpoint to replace it with */
    enum { BIG = 1 << 16 };
    float *big = tu_alloc0(BIG);
    clae_st_tensor bt = {"big", 2, {256, 256}, big, CLAE_ST_F32};

    /* the target path is a directory */
    char dpath[256];
    snprintf(dpath, sizeof dpath, "%s/adir", sub);
    ck_assert_int_eq(mkdir(dpath, 0755), 0);
    ck_assert_int_eq(clae_st_write(dpath, &bt, 1, NULL, NULL, 0), CLAE_ERR_IO);
    struct stat st;
    ck_assert_int_eq(stat(dpath, &st), 0);
    ck_assert(S_ISDIR(st.st_mode));
    ck_assert_int_eq(count_tmp(sub), 0);
    printf("path is a directory: rejected, directory untouched, no temp file\n");

    /* the target directory does not exist */
    char npath[256];
    snprintf(npath, sizeof npath, "%s/nope/ck.safetensors", sub);
    ck_assert_int_eq(clae_st_write(npath, &bt, 1, NULL, NULL, 0), CLAE_ERR_IO);

    /* the target directory is not writable (root ignores permissions) */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(sub, 0555), 0);
        clae_status s = clae_st_write(path, &bt, 1, NULL, NULL, 0);
        ck_assert_int_eq(chmod(sub, 0755), 0);
        ck_assert_int_eq(s, CLAE_ERR_IO);
        size_t len;
        unsigned char *now = slurp(path, &len);
        ck_assert(bytes_equal(now, len, old, olen));
        free(now);
        printf("read-only directory: rejected, old file intact\n");
    } else {
        printf("read-only directory: skipped (running as root, which ignores permissions)\n");
    }

    /* the disk "fills up" mid-write: file size limit, EFBIG after 4 KiB */
    struct rlimit saved, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = saved;
    lim.rlim_cur = 4096;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    clae_status s = clae_st_write(path, &bt, 1, NULL, NULL, 0);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, oldsig);
    ck_assert_int_eq(s, CLAE_ERR_IO);
    size_t len;
    unsigned char *now = slurp(path, &len);
    ck_assert(bytes_equal(now, len, old, olen));
    free(now);
    ck_assert_int_eq(count_tmp(sub), 0);
    printf("write fails after 4 KiB (EFBIG): old file intact, no temp file\n");

    /* the writer is killed mid-write (SIGXFSZ): old file intact and still loads;
     * the killed process's temp file stays behind under its own name */
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct rlimit zero = {0, 0};
        setrlimit(RLIMIT_CORE, &zero);
        signal(SIGXFSZ, SIG_DFL);
        setrlimit(RLIMIT_FSIZE, &lim);
        clae_st_write(path, &bt, 1, NULL, NULL, 0);
        _exit(0);
    }
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert_msg(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGXFSZ, "writer was not killed");
    now = slurp(path, &len);
    ck_assert(bytes_equal(now, len, old, olen));
    free(now);
    clae_st_file f;
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    ck_assert_int_eq(f.n, 2);
    clae_st_close(&f);
    /* the killed writer's temporary file (path.tmp.PID.XXXXXX) is left */
    char prefix[300], stale[600] = "";
    snprintf(prefix, sizeof prefix, "%s.tmp.%ld.", strrchr(path, '/') + 1, (long)pid);
    DIR *dh = opendir(sub);
    ck_assert_ptr_nonnull(dh);
    struct dirent *e;
    while ((e = readdir(dh)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            snprintf(stale, sizeof stale, "%s/%s", sub, e->d_name);
    closedir(dh);
    ck_assert_msg(stale[0], "no %s* left in %s", prefix, sub);
    ck_assert_int_eq(unlink(stale), 0);
    printf("writer killed mid-write: old file intact and loads\n");

    /* and a normal write afterwards replaces it */
    ck_assert_int_eq(clae_st_write(path, &bt, 1, NULL, NULL, 0), CLAE_OK);
    ck_assert_int_eq(clae_st_open(path, &f), CLAE_OK);
    ck_assert_int_eq(f.n, 1);
    ck_assert_int_eq(f.tensors[0].numel, BIG);
    clae_st_close(&f);
    ck_assert_int_eq(count_tmp(sub), 0);
    free(big);
    free(old);
}
END_TEST

static int have_python(const char *module)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "python3 -c 'import %s' >/dev/null 2>&1", module ? module : "sys");
    return system(cmd) == 0;
}

/* scripts/show-checkpoint.py, found next to this source file or from the repo root. */
static void script_path(char *buf, size_t size)
{
    char src[512];
    snprintf(src, sizeof src, "%s", __FILE__);
    snprintf(buf, size, "%s/../scripts/show-checkpoint.py", dirname(src));
    if (access(buf, R_OK) != 0) snprintf(buf, size, "scripts/show-checkpoint.py");
}

START_TEST(test_st_python_viewer)
{
    if (!have_python(NULL)) {
        printf("python3 not found: viewer test skipped\n");
        return;
    }
    char script[600], path[256], bad[256], out[256], cmd[2048];
    script_path(script, sizeof script);
    ck_assert_msg(access(script, R_OK) == 0, "cannot find %s", script);
    clae_st_tensor t[NT];
    make_tensors(t);
    memcpy(w0, (float[]){0.5f, -2.0f}, 8); /* finite min/max known: -2 .. (values in [-1,1)) */
    pathj(path, sizeof path, "view.safetensors");
    pathj(out, sizeof out, "view.txt");
    ck_assert_int_eq(clae_st_write(path, t, NT, MKEYS, MVALS, NM), CLAE_OK);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' > '%s' 2>&1", script, path, out);
    int rc = system(cmd);
    size_t len;
    char *text = (char *)slurp(out, &len);
    text[len] = 0;
    printf("%s", text);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(text, "6 tensors"));
    ck_assert_ptr_nonnull(strstr(text, "quote = \"say \\\"hi\\\"\\n\\tline2 \\\\end\\r\\n\""));
    const char *row = strstr(text, "\n  one ");
    ck_assert_ptr_nonnull(row);
    char name[16], dtype[8], shape[16];
    double mn, mx, mean;
    ck_assert_int_eq(sscanf(row, " %15s %7s %15s %lf %lf %lf", name, dtype, shape, &mn, &mx, &mean), 6);
    ck_assert_str_eq(dtype, "F32");
    ck_assert_str_eq(shape, "[1]");
    ck_assert(mn == -7.25 && mx == -7.25 && mean == -7.25);
    row = strstr(text, "\n  enc.0.weight ");
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(sscanf(row, " %15s %7s %15s %lf %lf %lf", name, dtype, shape, &mn, &mx, &mean), 6);
    ck_assert_str_eq(shape, "[8,3,3,3]");
    ck_assert(mn == -2.0 && mx > 3.4e38);
    ck_assert_ptr_nonnull(strstr(row, "(2 non-finite)\n"));
    free(text);

    pathj(bad, sizeof bad, "view-bad.safetensors");
    write_raw(bad, "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, REAL);
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' > '%s' 2>&1", script, bad, out);
    rc = system(cmd);
    text = (char *)slurp(out, &len);
    text[len] = 0;
    printf("%s", text);
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_nonnull(strstr(text, "show-checkpoint: "));
    ck_assert_ptr_nonnull(strstr(text, "hold 8 bytes, but shape [3] needs 12"));
    ck_assert_ptr_eq(strchr(text, '\n'), text + len - 1); /* one line */
    free(text);

    /* the reference implementation, where installed, loads our file */
    if (have_python("safetensors.numpy")) {
        char py[256];
        pathj(py, sizeof py, "load.py");
        static const char prog[] =
            "import sys\n"
            "from safetensors import safe_open\n"
            "from safetensors.numpy import load_file\n"
            "d = load_file(sys.argv[1])\n"
            "m = safe_open(sys.argv[1], 'np').metadata()\n"
            "assert d['enc.0.weight'].shape == (8, 3, 3, 3), d['enc.0.weight'].shape\n"
            "assert d['scale'].shape == () and d['empty'].shape == (0, 5)\n"
            "assert float(d['one'][0]) == -7.25 and d['enc.0.weight'].dtype.str == '<f4'\n"
            "assert m['quote'] == 'say \"hi\"\\n\\tline2 \\\\end\\r\\n', m['quote']\n"
            "print('python safetensors loads it:', sorted(d), sorted(m))\n";
        spit(py, prog, sizeof prog - 1);
        snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", py, path);
        fflush(NULL);
        ck_assert_int_eq(system(cmd), 0);
    } else {
        printf("python safetensors not installed: reference load skipped\n");
    }
}
END_TEST

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(p);
}

static Suite *safetensors_suite(void)
{
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("safetensors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_st_roundtrip);
    tcase_add_test(tc, test_st_header_layout);
    tcase_add_loop_test(tc, test_st_reject_corrupt, 0, NBAD);
    tcase_add_test(tc, test_st_reject_huge_data);
    tcase_add_test(tc, test_st_reject_io);
    tcase_add_test(tc, test_st_truncated);
    tcase_add_test(tc, test_st_expect);
    tcase_add_test(tc, test_st_missing_tensor);
    tcase_add_test(tc, test_st_u8);
    tcase_add_test(tc, test_st_write_bad_args);
    tcase_add_test(tc, test_st_write_fail_keeps_old);
    tcase_add_test(tc, test_st_python_viewer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/clae-st-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    int rc = tu_run(safetensors_suite());
    nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
