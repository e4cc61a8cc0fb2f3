import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatReadingTime, hueOf, placeholderImage } from './card-format.js';

describe('card formats', () => {
  it('durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatDuration(9_000)).toBe('0:09');
    expect(formatDuration(90_000)).toBe('1:30');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('viewer counts, short', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(1_234)).toBe('1.2K');
    expect(formatCount(12_345)).toBe('12K');
    expect(formatCount(3_400_000)).toBe('3.4M');
  });

  it('reading time in minutes, at least 1', () => {
    expect(formatReadingTime(10)).toBe('1 min read');
    expect(formatReadingTime(300)).toBe('5 min read');
  });

  it('placeholders: an SVG data URL, stable per key, with the label escaped', () => {
    const a = placeholderImage('https://img/1.jpg', '<b>&');
    expect(a.startsWith('data:image/svg+xml,')).toBe(true);
    const svg = decodeURIComponent(a.slice('data:image/svg+xml,'.length));
    expect(svg).toContain('&#60;b&#62;&#38;');
    expect(svg).not.toContain('<b>');
    expect(placeholderImage('https://img/1.jpg', '<b>&')).toBe(a);
    expect(hueOf('a')).not.toBe(hueOf('b'));
  });
});
