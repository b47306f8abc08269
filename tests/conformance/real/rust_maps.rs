// tests/conformance/real/rust_maps.rs — an ordinary Rust program using std
// (static-pie), run unmodified, prints how its own image is mapped (from
// /proc/self/maps): each line of the executable relative to its first
// page, with permissions and file offset, and the anonymous .bss line
// after it. The path, device and inode differ between the kernels and are
// not printed.
use std::fs;
use std::hint::black_box;

static mut BIG_BSS: [u8; 256 * 1024] = [0; 256 * 1024];

struct Line {
    lo: u64,
    hi: u64,
    perms: String,
    off: u64,
    name: String,
}

fn parse(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    for l in text.lines() {
        let mut f = l.split_whitespace();
        let (Some(range), Some(perms), Some(off), Some(_dev), Some(_ino)) =
            (f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let name = f.collect::<Vec<_>>().join(" ");
        let (lo, hi) = range.split_once('-').unwrap();
        out.push(Line {
            lo: u64::from_str_radix(lo, 16).unwrap(),
            hi: u64::from_str_radix(hi, 16).unwrap(),
            perms: perms.to_string(),
            off: u64::from_str_radix(off, 16).unwrap(),
            name,
        });
    }
    out
}

fn main() {
    unsafe {
        let p = &raw mut BIG_BSS;
        (*p)[256 * 1024 - 1] = black_box(1);
        black_box(&*p);
    }
    let text = match fs::read_to_string("/proc/self/maps") {
        Ok(t) => t,
        Err(_) => {
            println!("maps: unavailable");
            return;
        }
    };
    let lines = parse(&text);
    let here = main as fn() as usize as u64;
    let Some(me) = lines.iter().position(|l| l.lo <= here && here < l.hi) else {
        println!("rust_maps_text: not mapped");
        return;
    };
    let exe = lines[me].name.clone();
    if !exe.starts_with('/') {
        println!("rust_maps_text: no path");
        return;
    }
    let first = lines.iter().position(|l| l.name == exe).unwrap();
    let last = lines.iter().rposition(|l| l.name == exe).unwrap();
    let base = lines[first].lo;
    for (k, l) in lines[first..=last].iter().enumerate() {
        let what = if l.name == exe { "exe" } else if l.name.is_empty() { "anon" } else { &l.name };
        println!("rust_maps_line_{}: {}-{} {} {:x} {}", k, (l.lo - base) / 4096, (l.hi - base) / 4096, l.perms, l.off, what);
    }
    match lines.get(last + 1) {
        Some(l) if l.lo == lines[last].hi => {
            let what = if l.name.is_empty() { "anon" } else { &l.name };
            println!("rust_maps_after_image: {}-{} {} {:x} {}", (l.lo - base) / 4096, (l.hi - base) / 4096, l.perms, l.off, what);
        }
        _ => println!("rust_maps_after_image: nothing adjacent"),
    }
}
