/* tests/kernel/musl/malloc_big.c — an ordinary C program for the musl C
 * library: stdio, a large malloc (which musl serves with mmap), a checksum,
 * free, and a few more allocations of different sizes (brk and mmap). Its
 * output must be the same on Linux and on mmcore. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    size_t big = 8u << 20;
    printf("hello from musl, %d argument(s)\n", argc - 1);
    unsigned char *p = malloc(big);
    if (!p) {
        printf("malloc of %zu bytes failed\n", big);
        return 1;
    }
    memset(p, 0x5a, big);
    for (size_t i = 0; i < big; i += 4096)
        p[i] = (unsigned char)(i >> 12);
    unsigned long sum = 0;
    for (size_t i = 0; i < big; i++)
        sum = sum * 31 + p[i];
    printf("checksum of %zu bytes: %lx\n", big, sum);
    free(p);

    /* Many small blocks, then growing one with realloc. */
    void *blocks[1000];
    for (int i = 0; i < 1000; i++) {
        blocks[i] = malloc((size_t)(i % 97 + 1) * 16);
        if (!blocks[i])
            return 2;
        memset(blocks[i], i & 0xff, (size_t)(i % 97 + 1) * 16);
    }
    int bad = 0;
    for (int i = 0; i < 1000; i++) {
        unsigned char *b = blocks[i];
        bad += b[0] != (i & 0xff);
        free(b);
    }
    char *r = NULL;
    for (size_t n = 1; n <= (1u << 22); n *= 2) {
        r = realloc(r, n);
        if (!r)
            return 3;
        r[n - 1] = (char)n;
    }
    printf("small blocks bad=%d, realloc to %u ok\n", bad, 1u << 22);
    free(r);
    fprintf(stderr, "stderr works too\n");
    return 0;
}
