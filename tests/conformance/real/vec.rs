// tests/conformance/real/vec.rs — a Rust program using std, built with
// rustc -O -C target-feature=+crt-static (a static-pie executable) and run
// unmodified: vectors that grow past several MiB (the allocator moves
// them with mremap), many small allocations, shrinking, and a sorted map;
// one "name: result" line per step.
use std::collections::BTreeMap;

fn fnv(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

fn main() {
    let mut v: Vec<u64> = Vec::new();
    for i in 0..3_000_000u64 {
        v.push(i.wrapping_mul(0x9e3779b97f4a7c15) >> 7);
    }
    let sum = v.iter().fold(0u64, |a, x| a.wrapping_add(*x));
    println!("vec_u64_3m: len {} sum {:016x}", v.len(), sum);
    println!("vec_u64_3m_capacity_at_least_len: {}", v.capacity() >= v.len());

    v.truncate(1000);
    v.shrink_to_fit();
    println!("vec_shrunk: len {} sum {:016x}", v.len(), v.iter().fold(0u64, |a, x| a.wrapping_add(*x)));

    let mut bytes: Vec<u8> = Vec::with_capacity(16);
    for i in 0..(24usize << 20) {
        bytes.push((i * 7 + (i >> 12)) as u8);
    }
    println!("vec_u8_24m: {:016x}", fnv(bytes.iter().copied()));
    drop(bytes);

    let mut nested: Vec<Vec<u32>> = Vec::new();
    for i in 0..20_000u32 {
        nested.push((0..(i % 97)).map(|x| x * i).collect());
    }
    let total: u64 = nested.iter().map(|w| w.iter().map(|&x| x as u64).sum::<u64>()).sum();
    println!("vec_nested_20k: {} {}", nested.len(), total);
    nested.retain(|w| w.len() % 2 == 0);
    println!("vec_nested_retained: {}", nested.len());

    let mut text = String::new();
    for i in 0..200_000 {
        text.push_str(&i.to_string());
        text.push(',');
    }
    println!("string_built: len {} {:016x}", text.len(), fnv(text.bytes()));

    let mut map = BTreeMap::new();
    for i in 0..100_000u64 {
        *map.entry(i.wrapping_mul(2654435761) % 10_007).or_insert(0u64) += i;
    }
    let first: Vec<String> = map.iter().take(3).map(|(k, v)| format!("{}={}", k, v)).collect();
    println!("btreemap: {} keys, first {}", map.len(), first.join(" "));

    let boxed: Box<[u8]> = vec![7u8; 5 << 20].into_boxed_slice();
    println!("boxed_5m: {}", boxed.iter().map(|&b| b as u64).sum::<u64>());
}
