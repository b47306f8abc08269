// tests/kernel/rust/std_tour.rs — a Rust program using the standard
// library's start-up (signal set-up, fd checks), collections, large
// allocations, files in /tmp, arguments and the clock, but no threads.
// Its output must be the same on Linux and on mmcore.
use std::collections::{BTreeMap, HashMap};
use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("arguments: {:?}", args);

    let mut words = HashMap::new();
    for i in 0..20000u32 {
        *words.entry(i % 97).or_insert(0u64) += i as u64;
    }
    let ordered: BTreeMap<_, _> = words.iter().collect();
    println!("97 buckets, first {:?}, last {:?}", ordered.iter().next(), ordered.iter().last());

    let mut big = vec![0u8; 32 << 20];
    for (i, b) in big.iter_mut().enumerate().step_by(4096) {
        *b = (i >> 12) as u8;
    }
    let sum: u64 = big.iter().map(|&b| b as u64).sum();
    println!("32 MiB vector, sum {}", sum);
    big.truncate(1 << 20);
    big.shrink_to_fit();
    let mut grown = Vec::new();
    for i in 0..(1 << 20) {
        grown.push(i as u32);
    }
    println!("grew to {} elements, last {}", grown.len(), grown[grown.len() - 1]);

    let path = "/tmp/std_tour.txt";
    {
        let mut f = std::fs::File::create(path).expect("create");
        for i in 0..100 {
            writeln!(f, "line {}", i).expect("write");
        }
    }
    let text = std::fs::read_to_string(path).expect("read");
    println!("file: {} lines, {} bytes", text.lines().count(), text.len());
    std::fs::remove_file(path).expect("remove");
    println!("removed: {}", std::fs::metadata(path).is_err());

    let t0 = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    println!("slept at least 5 ms: {}", t0.elapsed().as_millis() >= 5);
    eprintln!("to standard error");
    std::process::exit(3);
}
