/* tests/conformance/mmap_file.c — mmap of a regular file in /tmp: private
 * and shared mappings, the zero-filled tail of the last page, SIGBUS beyond
 * the end of the file, writes through a shared mapping reaching the file,
 * and the errors for an unaligned offset and a directory. */
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

int main(void)
{
    conf_start();
    files();
    return 0;
}
