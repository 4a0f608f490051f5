/**
 * A whole-number environment setting for the service's zod schemas: trimmed, digits only, within
 * [min, max], each error naming the variable.
 */
import { z } from 'zod';

export function integerSetting(name: string, min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));
}
