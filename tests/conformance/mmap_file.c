/* tests/conformance/mmap_file.c — mmap of a regular file in /tmp: private
 * and shared mappings, the zero-filled tail of the last page, SIGBUS beyond
 * the end of the file, writes through a shared mapping reaching the file,
 * the errors for an unaligned offset and a directory; which mappings of
 * one file merge (the same open only); and MADV_REMOVE punching a hole in
 * a file (tmpfs on the host), with its errors. */
#include <ufile.h>

#include "conf.h"

static void files(void)
{
    char path[64], path2[64], buf[8] = {0};
    snprintf(path, sizeof path, "/tmp/conf-mmap-%ld", sys_getpid());
    snprintf(path2, sizeof path2, "/tmp/conf-mmap-ro-%ld", sys_getpid());
    long fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (sys_failed(fd)) {
        conf_case("mmap_file_setup", "%s", conf_ret(fd));
        return;
    }
    sys_unlink(path);
    static char page[4096];
    memset(page, 'F', sizeof page);
    sys_write((int)fd, page, sizeof page);
    sys_write((int)fd, "tail", 4);

    uintptr_t r = conf_region(8);
    long m = sys_mmap((void *)r, 3 * P, PROT_READ, MAP_PRIVATE | MAP_FIXED, (int)fd, 0);
    conf_case("mmap_file_private", "%s", conf_at(m, r));
    if (!sys_failed(m)) {
        conf_case("mmap_file_private_first_page", "%s", conf_marks(r, 1));
        conf_case("mmap_file_private_last_page", "%c%c%c%c %s", ((char *)r)[P], ((char *)r)[P + 1],
                  ((char *)r)[P + 2], ((char *)r)[P + 3],
                  conf_all_zero(r + P + 4, P - 4) ? "rest zero" : "rest not zero");
        conf_case("mmap_file_private_beyond_end_of_file", "%s", conf_probe(r + 2 * P, CONF_READ));
    } else {
        conf_case("mmap_file_private_first_page", "not mapped");
        conf_case("mmap_file_private_last_page", "not mapped");
        conf_case("mmap_file_private_beyond_end_of_file", "not mapped");
    }
    m = sys_mmap((void *)(r + 4 * P), 2 * P, RW, MAP_SHARED | MAP_FIXED, (int)fd, 0);
    conf_case("mmap_file_shared", "%s", conf_at(m, r));
    if (!sys_failed(m)) {
        *(volatile char *)(r + 4 * P) = 'W';
        sys_pread64((int)fd, buf, 1, 0);
        conf_case("mmap_file_shared_write_reaches_file", "%c", buf[0]);
    } else {
        conf_case("mmap_file_shared_write_reaches_file", "not mapped");
    }
    conf_ret_case("mmap_file_offset_unaligned", sys_mmap(0, P, PROT_READ, MAP_PRIVATE, (int)fd, 100));
    conf_ret_case("mmap_file_offset_beyond_largest_file",
                  sys_mmap(0, 2 * P, PROT_READ, MAP_PRIVATE, (int)fd, 0x7ffffffffffff000L));
    conf_ret_case("mmap_file_length_zero", sys_mmap(0, 0, PROT_READ, MAP_PRIVATE, (int)fd, 0));
    conf_ret_case("mmap_file_no_map_type", sys_mmap(0, P, PROT_READ, 0, (int)fd, 0));
    conf_region_free(r, 8);
    sys_close((int)fd);

    /* The file's open mode limits the mapping. */
    long ro = sys_open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
    sys_write((int)ro, page, sizeof page);
    sys_close((int)ro);
    ro = sys_open(path2, O_RDONLY, 0);
    long wo = sys_open(path2, O_WRONLY, 0);
    sys_unlink(path2);
    conf_ret_case("mmap_file_write_only_fd", sys_mmap(0, P, PROT_READ, MAP_PRIVATE, (int)wo, 0));
    conf_ret_case("mmap_file_read_only_fd_shared_writable", sys_mmap(0, P, RW, MAP_SHARED, (int)ro, 0));
    long prw = sys_mmap(0, P, RW, MAP_PRIVATE, (int)ro, 0);
    conf_case("mmap_file_read_only_fd_private_writable", "%s", sys_failed(prw) ? conf_ret(prw) : "mapped");
    long srd = sys_mmap(0, P, PROT_READ, MAP_SHARED, (int)ro, 0);
    conf_case("mmap_file_read_only_fd_shared_read_only", "%s", sys_failed(srd) ? conf_ret(srd) : "mapped");
    conf_ret_case("mmap_file_read_only_fd_mprotect_write",
                  sys_failed(srd) ? srd : sys_mprotect((void *)srd, P, RW));
    if (!sys_failed(prw))
        sys_munmap((void *)prw, P);
    if (!sys_failed(srd))
        sys_munmap((void *)srd, P);
    sys_close((int)ro);
    sys_close((int)wo);

    fd = sys_open("/tmp", O_RDONLY | O_DIRECTORY, 0);
    conf_ret_case("mmap_err_directory", sys_mmap(0, P, PROT_READ, MAP_PRIVATE, (int)fd, 0));
    sys_close((int)fd);
}

/* conf_maps of [r, r + npages pages) with the file's path shown as "F"
 * (the paths differ between the two kernels). */
static const char *maps_named(uintptr_t r, size_t npages, const char *path)
{
    static char out[2][512];
    static int k;
    char *o = out[k++ & 1];
    const char *m = conf_maps(r, npages);
    size_t n = 0, plen = strlen(path);
    while (*m && n < sizeof out[0] - 2) {
        if (!strncmp(m, path, plen)) {
            o[n++] = 'F';
            m += plen;
        } else {
            o[n++] = *m++;
        }
    }
    o[n] = 0;
    return o;
}

/* Which mappings of one file merge: Linux merges neighbours only when they
 * come from the same open (the same open file description: the same fd or
 * a dup of it) with contiguous offsets; two open()s of the file never. */
static void opens(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/conf-opens-%ld", sys_getpid());
    long fd1 = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (sys_failed(fd1)) {
        conf_case("mmap_file_opens_setup", "%s", conf_ret(fd1));
        return;
    }
    sys_ftruncate((int)fd1, 16 * P);
    long fd2 = sys_open(path, O_RDWR, 0);
    long fd3 = sys_dup((int)fd1);
    uintptr_t r = conf_region(16);

    /* Shared: one open, contiguous offsets: one VMA. */
    sys_mmap((void *)r, P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd1, 0);
    sys_mmap((void *)(r + P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd1, P);
    conf_case("mmap_file_same_fd_shared_merged_maps", "%s", maps_named(r, 2, path));
    /* Another open of the same file, next offset: apart. */
    sys_mmap((void *)(r + 2 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd2, 2 * P);
    conf_case("mmap_file_other_open_shared_apart_maps", "%s", maps_named(r, 3, path));
    /* A dup of the first descriptor is the same open: merges with it. */
    sys_mmap((void *)(r + 3 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd3, 3 * P);
    sys_mmap((void *)(r + 4 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd1, 4 * P);
    conf_case("mmap_file_dup_shared_merged_maps", "%s", maps_named(r, 5, path));
    /* Same open, offsets not contiguous: apart. */
    sys_mmap((void *)(r + 5 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd1, 9 * P);
    conf_case("mmap_file_same_fd_offset_gap_apart_maps", "%s", maps_named(r, 6, path));

    /* Private mappings, read-only and written: the same rules. */
    sys_mmap((void *)(r + 8 * P), P, RW, MAP_PRIVATE | MAP_FIXED, (int)fd1, 0);
    sys_mmap((void *)(r + 9 * P), P, RW, MAP_PRIVATE | MAP_FIXED, (int)fd1, P);
    sys_mmap((void *)(r + 10 * P), P, RW, MAP_PRIVATE | MAP_FIXED, (int)fd2, 2 * P);
    conf_case("mmap_file_private_opens_maps", "%s", maps_named(r + 8 * P, 3, path));
    conf_fill(r + 8 * P, 3, 'p');
    conf_case("mmap_file_private_opens_written_maps", "%s", maps_named(r + 8 * P, 3, path));
    /* mprotect splits and rejoins within one open; across opens it cannot. */
    sys_mprotect((void *)(r + 9 * P), 2 * P, PROT_READ);
    conf_case("mmap_file_private_opens_mprotect_maps", "%s", maps_named(r + 8 * P, 3, path));
    sys_mprotect((void *)(r + 9 * P), 2 * P, RW);
    conf_case("mmap_file_private_opens_mprotect_back_maps", "%s", maps_named(r + 8 * P, 3, path));

    /* A mapping moved next to one of the same open merges with it. */
    long m = sys_mmap(0, P, PROT_READ, MAP_SHARED, (int)fd1, 6 * P);
    sys_mmap((void *)(r + 12 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd1, 5 * P);
    long mv = sys_failed(m) ? m : sys_mremap((void *)m, P, P, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(r + 13 * P));
    conf_case("mmap_file_mremap_same_open", "%s", conf_at(mv, r));
    conf_case("mmap_file_mremap_same_open_maps", "%s", maps_named(r + 12 * P, 2, path));

    conf_region_free(r, 16);
    sys_close((int)fd1);
    sys_close((int)fd2);
    sys_close((int)fd3);
    sys_unlink(path);
}

/* The page count of a file from fstat (st_blocks is in 512-byte units). */
static long file_pages(int fd)
{
    struct stat st;
    if (sys_failed(sys_fstat(fd, &st)))
        return -1;
    return (long)(st.st_blocks / (P / 512));
}

/* MADV_REMOVE on a shared mapping of a file: a hole punched in it. Linux
 * does this on file systems that punch holes; the file lives in tmpfs
 * (/dev/shm) when the host has it, as the reference kernel's /tmp is its
 * in-memory file system too. */
static void remove_hole(void)
{
    char path[64];
    long fd = -1;
    snprintf(path, sizeof path, "/dev/shm/conf-remove-%ld", sys_getpid());
    fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (sys_failed(fd)) {
        snprintf(path, sizeof path, "/tmp/conf-remove-%ld", sys_getpid());
        fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    }
    if (sys_failed(fd)) {
        conf_case("madvise_remove_setup", "%s", conf_ret(fd));
        return;
    }
    static char page[4096];
    for (int i = 0; i < 4; i++) {
        memset(page, 'A' + i, sizeof page);
        sys_write((int)fd, page, sizeof page);
    }
    long fd2 = sys_open(path, O_RDWR, 0), ro = sys_open(path, O_RDONLY, 0);
    uintptr_t r = conf_region(24);
    long a = sys_mmap((void *)r, 4 * P, RW, MAP_SHARED | MAP_FIXED, (int)fd, 0);
    long b = sys_mmap((void *)(r + 5 * P), 4 * P, RW, MAP_SHARED | MAP_FIXED, (int)fd2, 0);
    long c = sys_mmap((void *)(r + 10 * P), 4 * P, RW, MAP_PRIVATE | MAP_FIXED, (int)fd, 0);
    if (sys_failed(a) || sys_failed(b) || sys_failed(c)) {
        conf_case("madvise_remove_setup", "%s %s %s", conf_ret(a), conf_ret(b), conf_ret(c));
        return;
    }
    conf_case("madvise_remove_before", "%s %s %s", conf_marks(r, 4), conf_marks(r + 5 * P, 4),
              conf_marks(r + 10 * P, 4));
    *(volatile char *)(r + 11 * P) = 'x'; /* a private copy of page 1 */
    conf_case("madvise_remove_pages_before", "%ld", file_pages((int)fd));

    /* A child shares the mappings; it looks after the hole is punched. */
    struct conf_watcher child = conf_watcher_start(r + 5 * P, 4, "AzzD");
    conf_ret_case("madvise_remove_shared", sys_madvise((void *)(r + P), 2 * P, MADV_REMOVE));
    conf_case("madvise_remove_pages_after", "%ld", file_pages((int)fd));
    conf_case("madvise_remove_seen_by_child", "%s", conf_watcher_saw(child) ? "zeros" : "not zeros");
    /* The child's reads of the hole gave the file pages again. */
    conf_case("madvise_remove_pages_after_child_read", "%ld", file_pages((int)fd));
    struct stat st;
    sys_fstat((int)fd, &st);
    conf_case("madvise_remove_size_kept", "%ld", (long)st.st_size);
    char buf[4] = {0};
    for (int i = 0; i < 4; i++)
        sys_pread64((int)fd, buf + i, 1, (long)i * P);
    conf_case("madvise_remove_file_reads", "%c%c%c%c", buf[0] ? buf[0] : 'z', buf[1] ? buf[1] : 'z',
              buf[2] ? buf[2] : 'z', buf[3] ? buf[3] : 'z');
    conf_case("madvise_remove_this_mapping", "%s", conf_marks(r, 4));
    conf_case("madvise_remove_other_open_mapping", "%s", conf_marks(r + 5 * P, 4));
    conf_case("madvise_remove_private_mapping", "%s", conf_marks(r + 10 * P, 4));
    /* Writing into the hole fills it again, for everyone. */
    *(volatile char *)(r + 2 * P) = 'N';
    conf_case("madvise_remove_refilled", "%s %s", conf_marks(r, 4), conf_marks(r + 5 * P, 4));

    /* The errors. */
    conf_ret_case("madvise_remove_private_file", sys_madvise((void *)(r + 10 * P), P, MADV_REMOVE));
    long pa = sys_mmap((void *)(r + 15 * P), P, RW, PA | MAP_FIXED, -1, 0);
    conf_ret_case("madvise_remove_private_anon", sys_failed(pa) ? pa : sys_madvise((void *)pa, P, MADV_REMOVE));
    long sr = sys_mmap((void *)(r + 17 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)ro, 0);
    conf_ret_case("madvise_remove_shared_read_only_open",
                  sys_failed(sr) ? sr : sys_madvise((void *)sr, P, MADV_REMOVE));
    long sw = sys_mmap((void *)(r + 19 * P), P, PROT_READ, MAP_SHARED | MAP_FIXED, (int)fd, 3 * P);
    conf_ret_case("madvise_remove_shared_read_only_prot_writable_open",
                  sys_failed(sw) ? sw : sys_madvise((void *)sw, P, MADV_REMOVE));
    conf_case("madvise_remove_read_only_prot_punched", "%s", conf_marks(r, 4));
    long lk = sys_mmap((void *)(r + 21 * P), P, RW, MAP_SHARED | MAP_FIXED | MAP_LOCKED, (int)fd, 0);
    conf_ret_case("madvise_remove_locked", sys_failed(lk) ? lk : sys_madvise((void *)lk, P, MADV_REMOVE));
    /* Past the end of the file, inside the mapping: nothing to punch. */
    sys_ftruncate((int)fd, 2 * P);
    conf_ret_case("madvise_remove_beyond_end_of_file", sys_madvise((void *)(r + 2 * P), 2 * P, MADV_REMOVE));
    sys_fstat((int)fd, &st);
    conf_case("madvise_remove_beyond_end_size", "%ld", (long)st.st_size);

    conf_region_free(r, 24);
    sys_close((int)fd);
    sys_close((int)fd2);
    sys_close((int)ro);
    sys_unlink(path);
}

int main(void)
{
    conf_start();
    files();
    opens();
    remove_hole();
    return 0;
}
