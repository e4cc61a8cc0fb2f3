import { describe, expect, it } from 'vitest';
import { FeedList } from './feed-list.js';

const cards = (...ids: string[]) => ids.map((id) => ({ id }));

describe('FeedList', () => {
  it('adds only cards not shown before, in order', () => {
    const list = new FeedList<{ id: string }>();
    expect(list.add(cards('a', 'b', 'c'))).toEqual(cards('a', 'b', 'c'));
    expect(list.add(cards('c', 'd', 'a', 'e', 'd'))).toEqual(cards('d', 'e'));
    expect(list.size).toBe(5);
    expect(list.has('e')).toBe(true);
  });

  it('clear() starts over', () => {
    const list = new FeedList<{ id: string }>();
    list.add(cards('a'));
    list.clear();
    expect(list.add(cards('a'))).toEqual(cards('a'));
  });
});
