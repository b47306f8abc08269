/* kernel/exec.c — the program loader: a static ELF64 executable (ET_EXEC,
 * or static-pie ET_DYN) from the ramfs into a new address space, and the
 * initial stack Linux builds for it.
 *
 * Segments, as Linux maps them: each PT_LOAD is a private mapping of the
 * executable (one open of it, so /proc/PID/maps shows its path with the
 * file offsets), with the segment's permissions; a segment whose memory
 * size exceeds its file size has the rest of its last file page zeroed
 * and anonymous read-write memory for the remaining pages of .bss. The
 * heap starts at the first page above the highest segment.
 *
 * Initial stack, from the top of user space downwards (as Linux lays it
 * out; the program finds everything from its stack pointer):
 *
 *   EXEC_STACK_TOP  -> 8 zero bytes
 *                      the executable's path (AT_EXECFN points here)
 *                      environment strings, argument strings
 *                      "x86_64" (AT_PLATFORM), 16 random bytes (AT_RANDOM)
 *                      padding to 16 bytes
 *                      auxv: (key, value) pairs ending with AT_NULL
 *                      envp[] ending with NULL
 *                      argv[] ending with NULL
 *   sp (16-aligned) -> argc
 */
#include <kern/elf.h>
#include <kern/exec.h>
#include <kern/kmem.h>
#include <kern/lib.h>
#include <kern/machine.h>
#include <mm/errno.h>
#include <mm/mman.h>
#include <mm/platform.h>
#include <mm/uaccess.h>

#define EXEC_MAX_PHDRS (4096 / sizeof(struct elf64_phdr))
#define EXEC_ARG_MAX (128 * 1024)  /* bytes of argument and environment strings */

struct image {
    struct inode *ino;
    struct elf64_ehdr eh;
    struct elf64_phdr *ph;   /* one page */
    uint64_t bias;           /* added to every p_vaddr */
    uaddr_t entry, phdr_addr, brk;
    bool exec_stack;
};

static unsigned prot_of(uint32_t pflags)
{
    return ((pflags & PF_R) ? PROT_READ : 0) | ((pflags & PF_W) ? PROT_WRITE : 0) |
           ((pflags & PF_X) ? PROT_EXEC : 0);
}

/* Read and check the ELF header and program headers. */
static int image_read_headers(struct image *im)
{
    struct elf64_ehdr *eh = &im->eh;

    if (ramfs_read_kernel(im->ino, 0, eh, sizeof *eh) != sizeof *eh)
        return -ENOEXEC;
    if (memcmp(eh->e_ident, "\177ELF", 4) != 0 || eh->e_ident[4] != ELFCLASS64 ||
        eh->e_ident[5] != ELFDATA2LSB || eh->e_ident[6] != EV_CURRENT)
        return -ENOEXEC;
    if ((eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_machine != ARCH_ELF_MACHINE)
        return -ENOEXEC;
    if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 || eh->e_phnum > EXEC_MAX_PHDRS)
        return -ENOEXEC;
    uint64_t phbytes = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
    if (eh->e_phoff > im->ino->size || phbytes > im->ino->size - eh->e_phoff)
        return -ENOEXEC;
    im->ph = kpage_alloc();
    if (!im->ph)
        return -ENOMEM;
    if (ramfs_read_kernel(im->ino, eh->e_phoff, im->ph, phbytes) != (int64_t)phbytes)
        return -ENOEXEC;
    return 0;
}

/* Check the segments and work out the load bias, entry and AT_PHDR. */
static int image_plan(struct image *im)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    bool any = false;

    for (unsigned i = 0; i < im->eh.e_phnum; i++) {
        const struct elf64_phdr *ph = &im->ph[i];
        if (ph->p_type == PT_INTERP) {
            kprintf("mmcore: exec: dynamically linked programs are not supported (link with -static)\n");
            return -ENOEXEC;
        }
        if (ph->p_type == PT_GNU_STACK)
            im->exec_stack = (ph->p_flags & PF_X) != 0;
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        if (ph->p_filesz > ph->p_memsz || ph->p_offset > im->ino->size ||
            ph->p_filesz > im->ino->size - ph->p_offset || ph->p_vaddr + ph->p_memsz < ph->p_vaddr)
            return -ENOEXEC;
        lo = MM_MIN(lo, page_down(ph->p_vaddr));
        hi = MM_MAX(hi, ph->p_vaddr + ph->p_memsz);
        any = true;
    }
    if (!any)
        return -ENOEXEC;
    im->bias = im->eh.e_type == ET_DYN ? EXEC_PIE_BASE - lo : 0;
    if (hi + im->bias < hi || hi + im->bias > EXEC_STACK_TOP - EXEC_MMAP_GAP_MIN)
        return -ENOMEM;
    if (!page_up_checked(hi + im->bias, &im->brk))
        return -ENOMEM;
    im->entry = im->eh.e_entry + im->bias;

    /* AT_PHDR: where the program headers are in memory: inside the
     * PT_LOAD that covers them in the file, or as PT_PHDR says. */
    for (unsigned i = 0; i < im->eh.e_phnum && !im->phdr_addr; i++) {
        const struct elf64_phdr *ph = &im->ph[i];
        if (ph->p_type == PT_LOAD && ph->p_offset <= im->eh.e_phoff &&
            im->eh.e_phoff < ph->p_offset + ph->p_filesz)
            im->phdr_addr = im->eh.e_phoff - ph->p_offset + ph->p_vaddr + im->bias;
    }
    for (unsigned i = 0; i < im->eh.e_phnum && !im->phdr_addr; i++)
        if (im->ph[i].p_type == PT_PHDR)
            im->phdr_addr = im->ph[i].p_vaddr + im->bias;
    return 0;
}

/* Zero user bytes [from, end of its page) in s (Linux's padzero). */
static int zero_page_tail(struct space *s, uaddr_t from)
{
    static const char zeros[PAGE_SIZE];
    uint64_t in = from % PAGE_SIZE;
    if (in && copy_to_user(s, from, zeros, PAGE_SIZE - in))
        return -EFAULT;
    return 0;
}

/* Map one PT_LOAD as Linux's elf_load does: the pages that hold its file
 * bytes as a private mapping of the file (offset p_offset rounded down),
 * and when p_memsz > p_filesz the rest of the last file page zeroed (an
 * error only when the segment is writable) and anonymous read-write memory
 * (executable with the segment) for the pages of .bss beyond it. */
static int image_load_segment(struct image *im, struct space *s, struct vm_object *view,
                              const struct elf64_phdr *ph)
{
    unsigned prot = prot_of(ph->p_flags);
    uaddr_t vaddr = ph->p_vaddr + im->bias, in = vaddr % PAGE_SIZE;
    uaddr_t zero_start = vaddr + ph->p_filesz, zero_end = vaddr + ph->p_memsz;

    if (ph->p_filesz) {
        struct space_file file = {.obj = view, .readable = true, .max_bytes = INT64_MAX};
        int64_t r = space_map_file(s, vaddr - in, ph->p_filesz + in, prot, MAP_FIXED | MAP_PRIVATE, &file,
                                   ph->p_offset - in);
        if (r < 0)
            return r == -EPERM ? -ENOEXEC : (int)r;
        if (ph->p_memsz > ph->p_filesz && zero_page_tail(s, zero_start) && (prot & PROT_WRITE))
            return -EFAULT;
    } else {
        zero_start = vaddr - in;
    }
    if (ph->p_memsz > ph->p_filesz) {
        uaddr_t start, end;
        if (!page_up_checked(zero_start, &start) || !page_up_checked(zero_end, &end))
            return -ENOMEM;
        if (end > start) {
            int64_t r = space_map(s, start, end - start, PROT_READ | PROT_WRITE | (prot & PROT_EXEC),
                                  MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0, false);
            if (r < 0)
                return r == -EPERM ? -ENOEXEC : (int)r;
        }
    }
    return 0;
}

/* Every PT_LOAD in program-header order: a page two segments share ends
 * up as the later one maps it, as on Linux. */
static int image_load_segments(struct image *im, struct space *s)
{
    struct vm_object *view = vm_object_file_view_create(im->ino->obj);
    int err = 0;

    if (!view)
        return -ENOMEM;
    for (unsigned i = 0; i < im->eh.e_phnum && !err; i++) {
        const struct elf64_phdr *ph = &im->ph[i];
        if (ph->p_type == PT_LOAD && ph->p_memsz)
            err = image_load_segment(im, s, view, ph);
    }
    vm_object_unref(view); /* the mappings hold it */
    return err;
}

/* Builds the initial stack bottom-up: strings are pushed at the top first,
 * then the vectors below them. */
struct stack_builder {
    struct space *s;
    uaddr_t sp;
    int err;
};

static uaddr_t stack_push(struct stack_builder *b, const void *data, uint64_t len)
{
    b->sp -= len;
    if (!b->err && copy_to_user(b->s, b->sp, data, len))
        b->err = -ENOMEM;
    return b->sp;
}

static uint64_t count_strings(const char *const *v, uint64_t *bytes)
{
    uint64_t n = 0;
    for (; v && v[n]; n++)
        *bytes += strlen(v[n]) + 1;
    return n;
}

static int build_stack(struct image *im, struct space *s, const char *path, const char *const *argv,
                       const char *const *envp, uaddr_t *sp_out)
{
    struct stack_builder b = {s, EXEC_STACK_TOP, 0};
    uint64_t bytes = strlen(path) + 1;
    uint64_t argc = count_strings(argv, &bytes), envc = count_strings(envp, &bytes);
    if (bytes > EXEC_ARG_MAX)
        return -E2BIG;

    uint64_t zero = 0;
    stack_push(&b, &zero, sizeof zero);
    uaddr_t execfn = stack_push(&b, path, strlen(path) + 1);
    uaddr_t *uenv = kzalloc(KMEM_MAX), *uarg = kzalloc(KMEM_MAX);
    if (!uenv || !uarg || argc + 1 > KMEM_MAX / 8 || envc + 1 > KMEM_MAX / 8) {
        kfree(uenv, KMEM_MAX);
        kfree(uarg, KMEM_MAX);
        return uenv && uarg ? -E2BIG : -ENOMEM;
    }
    for (uint64_t i = envc; i-- > 0;)
        uenv[i] = stack_push(&b, envp[i], strlen(envp[i]) + 1);
    for (uint64_t i = argc; i-- > 0;)
        uarg[i] = stack_push(&b, argv[i], strlen(argv[i]) + 1);
    uaddr_t platform = stack_push(&b, ARCH_PLATFORM, sizeof ARCH_PLATFORM);
    unsigned char rnd[16];
    machine_random(rnd, sizeof rnd);
    uaddr_t random = stack_push(&b, rnd, sizeof rnd);

    uint64_t auxv[] = {
        AT_HWCAP, machine_hwcap(),
        AT_PAGESZ, PAGE_SIZE,
        AT_CLKTCK, 100,
        AT_PHDR, im->phdr_addr,
        AT_PHENT, sizeof(struct elf64_phdr),
        AT_PHNUM, im->eh.e_phnum,
        AT_BASE, 0,
        AT_FLAGS, 0,
        AT_ENTRY, im->entry,
        AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0,
        AT_SECURE, 0,
        AT_RANDOM, random,
        AT_HWCAP2, 0,
        AT_EXECFN, execfn,
        AT_PLATFORM, platform,
        AT_NULL, 0,
    };
    /* Everything below the strings: argc, argv[], NULL, envp[], NULL, auxv.
     * Align so that sp (at argc) ends on 16 bytes. */
    uint64_t words = 1 + argc + 1 + envc + 1 + ARRAY_SIZE(auxv);
    b.sp = (b.sp - words * 8) & ~15ull;
    b.sp += words * 8;
    stack_push(&b, auxv, sizeof auxv);
    stack_push(&b, &zero, 8);
    stack_push(&b, uenv, envc * 8);
    stack_push(&b, &zero, 8);
    stack_push(&b, uarg, argc * 8);
    stack_push(&b, &argc, 8);
    kfree(uenv, KMEM_MAX);
    kfree(uarg, KMEM_MAX);
    *sp_out = b.sp;
    return b.err;
}

/* Contract: see exec.h. */
int exec_load(struct proc *p, const char *path, const char *const *argv, const char *const *envp)
{
    struct image im = {0};
    struct space *s = NULL;
    uaddr_t sp;
    int err = vfs_lookup(p->cwd, path, &im.ino);
    if (err)
        return err;
    if (!S_ISREG(im.ino->mode) || !im.ino->obj)
        return -EACCES; /* not a regular file with data (a /proc file) */
    inode_ref(im.ino);
    err = image_read_headers(&im);
    if (!err)
        err = image_plan(&im);
    if (err)
        goto out;

    uint64_t stack = MM_MIN(MM_MAX(p->rlim[3].cur, 128ull << 10), 1ull << 30);
    stack = page_down(stack);
    uint64_t gap = MM_MAX(stack, EXEC_MMAP_GAP_MIN) + EXEC_STACK_GUARD;
    struct space_config cfg = {.mmap_base = EXEC_STACK_TOP - gap, .policy = SPACE_LAZY};
    err = space_create(&s, &cfg);
    if (err)
        goto out;
    arch_space_init(s);

    err = image_load_segments(&im, s);
    if (err)
        goto out;
    int64_t r = space_map(s, EXEC_STACK_TOP - stack, stack,
                          PROT_READ | PROT_WRITE | (im.exec_stack ? PROT_EXEC : 0),
                          MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_STACK, NULL, 0, false);
    if (r < 0) {
        err = (int)r;
        goto out;
    }
    err = build_stack(&im, s, path, argv, envp, &sp);
    if (err)
        goto out;
    space_brk_init(s, im.brk);
    s->start_stack = sp;

    /* Point of no return: the new image replaces the old. */
    if (p->space) {
        arch_space_deactivate();
        space_destroy(p->space);
    }
    p->space = s;
    s = NULL;
    arch_proc_set_user_entry(p, im.entry, sp);
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' && c[1])
            base = c + 1;
    strlcpy(p->name, base, sizeof p->name);

out:
    if (s)
        space_destroy(s);
    kpage_free(im.ph);
    inode_unref(im.ino);
    return err;
}
