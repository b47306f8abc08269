/* tests/conformance/real/musl_realloc.c — an ordinary C program, built
 * with musl-gcc -static and run unmodified: it allocates, grows, shrinks
 * and frees small and large blocks (musl serves large ones with mmap and
 * grows them with mremap) and prints a checksum of what every block holds
 * after each step, one "name: result" line per step. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* FNV-1a over n bytes. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3u;
    return h;
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 131 + seed);
}

/* One large block grown step by step: the old bytes must survive each
 * move, and the new part is filled after it. */
static void large_growth(void)
{
    static const size_t sizes[] = {200 << 10, 1 << 20, 4 << 20, 12 << 20, 20 << 20};
    size_t old = sizes[0];
    unsigned char *p = malloc(old);
    if (!p) {
        printf("large_malloc: failed\n");
        exit(1);
    }
    fill(p, old, 1);
    uint64_t kept = checksum(p, old);
    printf("large_malloc_200k: %016llx\n", (unsigned long long)kept);
    for (size_t i = 1; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *q = realloc(p, sizes[i]);
        if (!q) {
            printf("large_realloc_%zuk: failed\n", sizes[i] >> 10);
            exit(1);
        }
        p = q;
        printf("large_realloc_%zuk_old_bytes_kept: %s\n", sizes[i] >> 10,
               checksum(p, old) == kept ? "yes" : "no");
        fill(p + old, sizes[i] - old, (unsigned)i);
        old = sizes[i];
        kept = checksum(p, old);
        printf("large_realloc_%zuk: %016llx\n", sizes[i] >> 10, (unsigned long long)kept);
    }
    unsigned char *q = realloc(p, 300 << 10);
    printf("large_shrink_300k: %016llx\n", q ? (unsigned long long)checksum(q, 300 << 10) : 0ull);
    p = q ? q : p;
    q = realloc(p, 1000);
    printf("large_shrink_to_small: %016llx\n", q ? (unsigned long long)checksum(q, 1000) : 0ull);
    free(q ? q : p);
}

/* Many blocks of mixed sizes, resized and freed in a shuffled order. */
static void mixed_blocks(void)
{
    enum { N = 400 };
    static unsigned char *blocks[N];
    static size_t lens[N];
    uint64_t total = 0;

    for (int i = 0; i < N; i++) {
        lens[i] = next_random() % 5 == 0 ? 64 * 1024 + next_random() % (192 * 1024) : 1 + next_random() % 4000;
        blocks[i] = malloc(lens[i]);
        if (!blocks[i]) {
            printf("mixed_malloc: failed\n");
            exit(1);
        }
        fill(blocks[i], lens[i], (unsigned)i);
    }
    for (int i = 0; i < N; i++)
        total ^= checksum(blocks[i], lens[i]) + (uint64_t)i;
    printf("mixed_allocated: %016llx\n", (unsigned long long)total);

    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            int j = (int)(next_random() % N);
            if (next_random() % 4 == 0) {
                free(blocks[j]);
                lens[j] = 1 + next_random() % 150000;
                blocks[j] = malloc(lens[j]);
                if (blocks[j])
                    fill(blocks[j], lens[j], (unsigned)(j + round));
            } else {
                size_t n = next_random() % 2 ? lens[j] * 2 + 1 : lens[j] / 2 + 1;
                unsigned char *q = realloc(blocks[j], n);
                if (!q)
                    continue;
                if (n > lens[j])
                    fill(q + lens[j], n - lens[j], (unsigned)(j * 7 + round));
                blocks[j] = q;
                lens[j] = n;
            }
            if (!blocks[j]) {
                printf("mixed_round_%d: allocation failed\n", round);
                exit(1);
            }
        }
        total = 0;
        for (int i = 0; i < N; i++)
            total ^= checksum(blocks[i], lens[i]) + (uint64_t)i;
        printf("mixed_round_%d: %016llx\n", round, (unsigned long long)total);
    }
    for (int i = 0; i < N; i++)
        free(blocks[i]);
}

static void zeroed(void)
{
    size_t n = 8 << 20;
    unsigned char *p = calloc(n, 1);
    size_t nonzero = 0;
    for (size_t i = 0; p && i < n; i++)
        nonzero += p[i] != 0;
    printf("calloc_8m_zero: %s\n", p && !nonzero ? "yes" : "no");
    memset(p, 0x5a, n);
    free(p);
    p = calloc(n, 1);
    nonzero = 0;
    for (size_t i = 0; p && i < n; i++)
        nonzero += p[i] != 0;
    printf("calloc_8m_again_zero: %s\n", p && !nonzero ? "yes" : "no");
    free(p);
}

int main(void)
{
    large_growth();
    mixed_blocks();
    zeroed();
    return 0;
}
