//! Runs the `estimateCost` / `estimateBatch` fast paths (`src/flat.rs`) natively in a loop so
//! callgrind can count their instructions: `valgrind --tool=callgrind target/release/rork-cloud-credits-profile [cost|batch] N`.
//! The JS wrapper and the boundary are not included: they are measured in Node and Chromium.

use rork_cloud_credits::{estimate_batch_flat, estimate_cost_flat};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("cost", String::as_str);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let mut sink = 0;
    match what {
        "batch" => {
            let models = vec!["gpt-4o"; 100].join("\n");
            let counts: Vec<f64> = (0..100).flat_map(|_| [1234.0, 100.0, 0.0, 567.0, 0.0]).collect();
            for _ in 0..n / 100 {
                sink += estimate_batch_flat(&models, &counts).map_or(0, |packed| packed.len());
            }
        }
        _ => {
            for _ in 0..n {
                sink += estimate_cost_flat("gpt-4o", 1234.0, 100.0, 0.0, 567.0, 0.0)
                    .map_or(0, |packed| packed.len());
            }
        }
    }
    println!("{what} x{n}: {sink} bytes packed");
}
