import { describe, expect, it } from 'vitest';
import { NO_PREFERENCES, parseViewerPreferences, preferenceField, preferenceUntil } from './viewer-preferences.js';

describe('parseViewerPreferences', () => {
  it('reads every kind, blocks both ways into one set', () => {
    const p = parseViewerPreferences(
      {
        [preferenceField('blocks', 'u2')]: '0',
        [preferenceField('blocked-by', 'u3')]: '0',
        [preferenceField('mute', 'a1')]: '0',
        [preferenceField('less-item', 'i1')]: '5000',
        [preferenceField('less-author', 'a2')]: '5000',
        [preferenceField('less-topic', 'cats')]: '5000',
      },
      1000,
    );
    expect([...p.blocked].sort()).toEqual(['u2', 'u3']);
    expect([...p.muted]).toEqual(['a1']);
    expect([...p.lessItems]).toEqual(['i1']);
    expect([...p.lessAuthors]).toEqual(['a2']);
    expect([...p.lessTopics]).toEqual(['cats']);
  });

  it('drops entries whose end time has passed and ignores unknown fields', () => {
    const p = parseViewerPreferences({ 'mute:a1': preferenceUntil(999), 'mute:a2': preferenceUntil(undefined), 'other:x': '0', nocolon: '0' }, 1000);
    expect([...p.muted]).toEqual(['a2']);
    expect(p.blocked.size).toBe(0);
  });

  it('an empty hash is NO_PREFERENCES', () => {
    expect(parseViewerPreferences({}, 1)).toBe(NO_PREFERENCES);
  });
});
