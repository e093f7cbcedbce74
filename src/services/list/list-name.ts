// A list's name, as upstream checks it on create and rename.
import { InvalidInput } from '../../errors.js';

/** The name trimmed; a blank one is refused. */
export function requireName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new InvalidInput('List name is required');
  return trimmed;
}
