import type { ImageRecord } from '../ipc';

/** AI parameters as one AUTOMATIC1111-style text block (for "Copy parameters"). */
export function parametersText(r: ImageRecord): string {
  const lines: string[] = [];
  if (r.prompt) lines.push(r.prompt);
  if (r.negative_prompt) lines.push(`Negative prompt: ${r.negative_prompt}`);
  const kv: string[] = [];
  if (r.steps !== null) kv.push(`Steps: ${r.steps}`);
  if (r.sampler) kv.push(`Sampler: ${r.sampler}`);
  if (r.cfg !== null) kv.push(`CFG scale: ${r.cfg}`);
  if (r.seed !== null) kv.push(`Seed: ${r.seed}`);
  if (r.model) kv.push(`Model: ${r.model}`);
  if (r.generator) kv.push(`Generator: ${r.generator}`);
  if (kv.length) lines.push(kv.join(', '));
  return lines.join('\n');
}
