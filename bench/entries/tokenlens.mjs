// tokenlens: its cost helper with the smallest catalog that prices the case (OpenAI's models only).
// tokenlens bills `input_tokens` in full AND `cache_read_tokens` on top, so it is given the uncached part.
import { estimateCost } from 'tokenlens/helpers';
import { openaiModels } from 'tokenlens/providers/openai';

const catalog = { openai: openaiModels };

export const cost = (r) =>
  estimateCost({
    modelId: `openai:${r.model}`,
    usage: { input_tokens: r.inputTokens - r.cachedInputTokens, cache_read_tokens: r.cachedInputTokens, output_tokens: r.outputTokens },
    catalog,
  }).totalUSD;
