import { ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { validateRenderRequest } from './validate-render-request.js';

const id = 'A0000000-0000-4000-8000-00000000000B';

describe('validateRenderRequest', () => {
  it('lower-cases valid ids, keeping order and repeats', () => {
    expect(validateRenderRequest({ itemIds: [id, id.toLowerCase()] })).toEqual([id.toLowerCase(), id.toLowerCase()]);
  });

  it('names the offending field', () => {
    const message = (itemIds: string[]) => {
      try {
        validateRenderRequest({ itemIds });
      } catch (error) {
        return (error as ConnectError).rawMessage;
      }
      return 'accepted';
    };
    expect(message([])).toMatch(/^item_ids:/);
    expect(message(Array.from({ length: 501 }, () => id))).toMatch(/^item_ids: at most 500/);
    expect(message([id, id, 'x'])).toMatch(/^item_ids\[2\]: must be a UUID/);
    expect(message(Array.from({ length: 500 }, () => id))).toBe('accepted');
  });
});
