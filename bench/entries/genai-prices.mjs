// @pydantic/genai-prices: only its cost function (its bundled price data comes with it).
import { calcPrice } from '@pydantic/genai-prices';

export const cost = (r) =>
  calcPrice(
    { input_tokens: r.inputTokens, cache_read_tokens: r.cachedInputTokens, output_tokens: r.outputTokens },
    r.model,
    { providerId: 'openai' },
  ).total_price;
