// Hand-computed estimates from the providers' published list prices, shared
// by the native cross-check (core/tests/estimate_cross_check.rs) and the wasm
// suite (sdk/tests/wasm_estimate.rs) through `include!`. Each comment shows the
// arithmetic in micro-dollars (µ$ = 10^-6 USD) per 1M tokens or per unit.

/// `(model, input, cached, cache write, output, units, expected total)`.
type Case = (&'static str, u64, u64, u64, u64, u64, &'static str);

const CASES: &[Case] = &[
    // gpt-5.5 $5 / $0.50 cached / $30: 8000×5 + 2000×0.5 + 1000×30 = 71000 µ$.
    ("gpt-5.5", 10_000, 2_000, 0, 1_000, 0, "0.071"),
    // gpt-5.5 above 272k is $10 / $45 for the whole request: 300000×10 + 10000×45.
    ("gpt-5.5", 300_000, 0, 0, 10_000, 0, "3.45"),
    // exactly 272k is not above the threshold: 272000×5.
    ("gpt-5.5", 272_000, 0, 0, 0, 0, "1.36"),
    // gpt-5.4 $2.50 / $15: 200k×2.5 + 100k×15.
    ("openai/gpt-5.4", 200_000, 0, 0, 100_000, 0, "2"),
    // above 272k it is $5 / $22.50 for the whole request: 1M×5 + 100k×22.5.
    ("gpt-5.4", 1_000_000, 0, 0, 100_000, 0, "7.25"),
    // gpt-5.4-mini $0.75 / $4.50: 1234×0.75 + 567×4.5 = 925.5 + 2551.5.
    ("gpt-5.4-mini", 1_234, 0, 0, 567, 0, "0.003477"),
    // gpt-5.4-nano $0.20 / $0.02 cached / $1.25: 500k×0.2 + 500k×0.02 + 1M×1.25.
    ("gpt-5.4-nano", 1_000_000, 500_000, 0, 1_000_000, 0, "1.36"),
    // gpt-4.1 $2 / $8: 50000×2 + 2000×8.
    ("gpt-4.1", 50_000, 0, 0, 2_000, 0, "0.116"),
    // gpt-4.1-mini $0.40 / $1.60: one token each.
    ("gpt-4.1-mini", 1, 0, 0, 1, 0, "0.000002"),
    // gpt-4o $2.50 / $1.25 cached / $10: 1000×2.5 + 200×1.25 + 300×10.
    ("openai:gpt-4o", 1_200, 200, 0, 300, 0, "0.00575"),
    // a dated snapshot is priced as its model.
    ("gpt-4o-2024-08-06", 1_200, 200, 0, 300, 0, "0.00575"),
    // gpt-4o-mini $0.15 / $0.60: 10000×0.15 + 1000×0.6.
    ("gpt-4o-mini", 10_000, 0, 0, 1_000, 0, "0.0021"),
    // o3 $2 / $0.50 cached / $8: 10000×2 + 10000×0.5 + 5000×8.
    ("o3", 20_000, 10_000, 0, 5_000, 0, "0.065"),
    // o4-mini $1.10 / $4.40.
    ("o4-mini", 1_000, 0, 0, 1_000, 0, "0.0055"),
    // claude-opus-4-7 $5 / $0.50 read / $6.25 write / $25:
    // 10000×5 + 80000×0.5 + 10000×6.25 + 2000×25 = 50000 + 40000 + 62500 + 50000.
    (
        "claude-opus-4-7",
        100_000,
        80_000,
        10_000,
        2_000,
        0,
        "0.2025",
    ),
    // claude-sonnet-4-6 $3 / $0.30 / $3.75 / $15: 3000×3 + 6000×0.3 + 1000×3.75 + 500×15.
    ("claude-sonnet-4-6", 10_000, 6_000, 1_000, 500, 0, "0.02205"),
    // claude-sonnet-4-5 $3 / $15, provider-qualified dated snapshot.
    (
        "anthropic/claude-sonnet-4-5-20250929",
        1_000,
        0,
        0,
        1_000,
        0,
        "0.018",
    ),
    // claude-haiku-4-5 $1.25 write / $5: 4096×1.25 + 100×5.
    ("claude-haiku-4-5", 4_096, 0, 4_096, 100, 0, "0.00562"),
    // gemini-3.1-pro-preview $2 / $12: 100000×2 + 1000×12.
    ("gemini-3.1-pro-preview", 100_000, 0, 0, 1_000, 0, "0.212"),
    // above 200k: $4 / $0.40 cached / $18: 200000×4 + 50000×0.4 + 1000×18.
    (
        "google/gemini-3.1-pro-preview",
        250_000,
        50_000,
        0,
        1_000,
        0,
        "0.838",
    ),
    // gemini-3.5-flash $1.50 / $9.
    ("gemini-3.5-flash", 10_000, 0, 0, 10_000, 0, "0.105"),
    // gemini-2.5-pro above 200k, $2.50 / $15: 200001×2.5 + 1000×15 = 500002.5 + 15000.
    (
        "gemini/gemini-2.5-pro",
        200_001,
        0,
        0,
        1_000,
        0,
        "0.5150025",
    ),
    // gemini-2.5-flash $0.03 cached: 1M×0.03.
    ("gemini-2.5-flash", 1_000_000, 1_000_000, 0, 0, 0, "0.03"),
    // gemini-2.5-flash-lite $0.10 / $0.40: 3×0.1 + 7×0.4 = 3.1 µ$.
    ("gemini-2.5-flash-lite", 3, 0, 0, 7, 0, "0.0000031"),
    // grok-4.3 $1.25 / $2.50.
    ("xai/grok-4.3", 100_000, 0, 0, 100_000, 0, "0.375"),
    // grok-4.3 above 200k is $2.50 in: 200001×2.5.
    ("grok-4.3", 200_001, 0, 0, 0, 0, "0.5000025"),
    // grok-code-fast-1 $1 / $0.20 cached / $2: 1000×1 + 9000×0.2 + 1000×2.
    ("grok-code-fast-1", 10_000, 9_000, 0, 1_000, 0, "0.0048"),
    // deepseek-v4-pro $1.32 / $0.044 cached / $3.96: 100000×1.32 + 900000×0.044 + 100000×3.96.
    (
        "deepseek-v4-pro",
        1_000_000,
        900_000,
        0,
        100_000,
        0,
        "0.5676",
    ),
    // deepseek-v4-flash has no cache-write rate: written tokens are input at $0.30.
    (
        "deepseek/deepseek-v4-flash",
        1_000,
        0,
        1_000,
        0,
        0,
        "0.0003",
    ),
    // llama-4-maverick $0.20 / $0.80.
    ("llama-4-maverick", 1_000_000, 0, 0, 1_000_000, 0, "1"),
    // llama-4-scout $0.18 / $0.59, by its Hugging Face name.
    (
        "meta-llama/Llama-4-Scout-17B-16E-Instruct",
        1_000,
        0,
        0,
        1_000,
        0,
        "0.00077",
    ),
    // llama-3.3-70b has no cache rate: cached tokens are input at $1.04.
    ("llama-3.3-70b", 1_000, 500, 0, 0, 0, "0.00104"),
    // mistral-large $0.50 / $1.50.
    (
        "mistral/mistral-large-latest",
        10_000,
        0,
        0,
        10_000,
        0,
        "0.02",
    ),
    // mistral-medium $1.50 / $7.50.
    ("mistral-medium", 1_000, 0, 0, 1_000, 0, "0.009"),
    // mistral-small $0.015 cached.
    ("mistral-small", 1_000_000, 1_000_000, 0, 0, 0, "0.015"),
    // Unit-billed: units × price per unit.
    ("gpt-image-1.5", 0, 0, 0, 0, 3, "0.102"),
    ("gpt-image-1-mini", 0, 0, 0, 0, 10, "0.11"),
    ("nano-banana", 0, 0, 0, 0, 2, "0.078"),
    ("gemini-3-pro-image-preview", 0, 0, 0, 0, 1, "0.134"),
    ("grok-imagine-image", 0, 0, 0, 0, 5, "0.1"),
    ("sora-2-pro", 0, 0, 0, 0, 12, "3.6"),
    ("veo-3.1", 0, 0, 0, 0, 8, "3.2"),
    ("veo-3.1-fast", 0, 0, 0, 0, 8, "0.8"),
    ("grok-imagine-video", 0, 0, 0, 0, 10, "0.5"),
    // tts-1 $15 per 1M characters; tts-1-hd $30.
    ("tts-1", 0, 0, 0, 0, 1_000, "0.015"),
    ("tts-1-hd", 0, 0, 0, 0, 1_000, "0.03"),
    (
        "elevenlabs/eleven_multilingual_v2",
        0,
        0,
        0,
        0,
        2_500,
        "0.2",
    ),
    // whisper-1 $0.006 per minute.
    ("whisper-1", 0, 0, 0, 0, 60, "0.006"),
    ("gpt-4o-mini-transcribe", 0, 0, 0, 0, 60, "0.003"),
    // text-embedding-3-large $0.13 per 1M tokens.
    ("text-embedding-3-large", 0, 0, 0, 0, 1_000_000, "0.13"),
    ("gemini-embedding-001", 0, 0, 0, 0, 10_000, "0.0015"),
    ("mistral-embed", 0, 0, 0, 0, 1_000_000, "0.1"),
    // Web search at $5 per 1000 queries; functions at $0.30 per 1M invocations.
    ("web-search", 0, 0, 0, 0, 1_000, "5"),
    ("backend-functions", 0, 0, 0, 0, 1_000_000, "0.3"),
];
