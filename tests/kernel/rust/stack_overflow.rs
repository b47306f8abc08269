// tests/kernel/rust/stack_overflow.rs — unbounded recursion in main: Rust's
// runtime catches the fault on its guard page with a SIGSEGV handler on an
// alternate signal stack, reports the overflow and aborts (SIGABRT), as on
// Linux.
#[inline(never)]
fn down(n: u64) -> u64 {
    let a = std::hint::black_box([n; 64]);
    if n == u64::MAX {
        return 0;
    }
    down(n + 1) + a[7]
}

fn main() {
    println!("recursing");
    println!("{}", down(std::hint::black_box(0)));
}
