import { describe, expect, it } from 'vitest';
import { MAX_TOPICS, topicsOf } from './item-topics.js';

describe('topicsOf', () => {
  it('takes #hashtags lowercased, once each, in order of appearance across the texts', () => {
    expect(topicsOf('Learning #Rust and #rust again, #TypeScript', 'body #go #rust')).toEqual(['rust', 'typescript', 'go']);
  });

  it('keeps letters, digits, "_" and "-" of any script, and stops at other characters', () => {
    expect(topicsOf('#café-bar_2 #日本 #k8s. #x/y')).toEqual(['café-bar_2', '日本', 'k8s', 'x']);
  });

  it('ignores a # inside a word, a doubled #, a tag starting with "_" or "-", and a bare #', () => {
    expect(topicsOf('issue#12 ##double #_under #-dash # alone')).toEqual([]);
  });

  it('starts a tag after punctuation or at the start of a line', () => {
    expect(topicsOf('(#one) "#two"\n#three')).toEqual(['one', 'two', 'three']);
  });

  it(`keeps the first ${MAX_TOPICS}`, () => {
    expect(topicsOf('#a #b #c', '#d #e #f #g')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('takes at most 32 characters of a tag', () => {
    const long = 'a'.repeat(40);
    expect(topicsOf(`#${long}`)).toEqual(['a'.repeat(32)]);
  });
});
