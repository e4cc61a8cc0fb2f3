import { ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { validateRenderRequest } from './validate-render-request.js';

const id = 'A0000000-0000-4000-8000-00000000000B';

describe('validateRenderRequest', () => {
  it('lower-cases valid ids, keeping order and repeats', () => {
    expect(validateRenderRequest({ itemIds: [id, id.toLowerCase()] })).toEqual([id.toLowerCase(), id.toLowerCase()]);
    expect(validateRenderRequest({ itemIds: [id.toLowerCase(), id, 'ffffffff-ffff-4fff-8fff-fffffffffff0'] })).toEqual([
      id.toLowerCase(),
      id.toLowerCase(),
      'ffffffff-ffff-4fff-8fff-fffffffffff0',
    ]);
  });

  it('hands back the request array itself when nothing needs lower-casing', () => {
    const itemIds = [id.toLowerCase(), '0f8c2f6e-3c3b-4b0e-9a43-1d5f1f2f0e11'];
    expect(validateRenderRequest({ itemIds })).toBe(itemIds);
    expect(itemIds[0]).toBe(id.toLowerCase());
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
    for (const bad of [`${id}0`, id.slice(1), id.replace('-', 'x'), id.replace('B', 'g'), id.replace('A', 'é'), `${id.slice(0, 8)}0${id.slice(9)}`, ' '.repeat(36)]) {
      expect(message([bad])).toMatch(/^item_ids\[0\]: must be a UUID/);
    }
    expect(message(Array.from({ length: 500 }, () => id))).toBe('accepted');
  });
});
