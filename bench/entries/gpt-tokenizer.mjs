// gpt-tokenizer: estimateCost(tokenCount) prices one count with one model's rates (no cache rate),
// so a request is two calls: the prompt at the input rate plus the completion at the output rate.
import { estimateCost } from 'gpt-tokenizer/model/gpt-4o';

export const cost = (r) => estimateCost(r.inputTokens).main.input + estimateCost(r.outputTokens).main.output;
