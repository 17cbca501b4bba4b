//! Runs the `estimateCost` / `estimateBatch` fast paths (`src/quick.rs`) natively in a loop so
//! callgrind can count their instructions: `valgrind --tool=callgrind target/release/rork-cloud-credits-profile [cost|batch] N`.
//! The JS wrapper and the boundary are not included: they are measured in Node and Chromium.

use rork_cloud_credits::{generation, quick_batch, quick_estimate, quick_resolve};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("cost", String::as_str);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let (generation, position) = (generation(), quick_resolve("gpt-4o") as u32);
    let mut written = 0;
    match what {
        "batch" => {
            let positions = vec![position; 100];
            let counts: Vec<f64> = (0..100).flat_map(|_| [1234.0, 100.0, 0.0, 567.0, 0.0]).collect();
            for _ in 0..n / 100 {
                written += usize::from(quick_batch(generation, &positions, &counts) > 1);
            }
        }
        _ => {
            for _ in 0..n {
                written += usize::from(quick_estimate(generation, position, 1234.0, 100.0, 0.0, 567.0, 0.0) > 1);
            }
        }
    }
    println!("{what} x{n}: {written} written");
}
