// How cards' numbers read on screen, and the placeholder pictures. Pure (no DOM): the page uses
// them, the unit tests pin them down.

/** 90_000 → "1:30", 3_723_000 → "1:02:03"; 0 or less → "0:00". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** 950 → "950", 1_234 → "1.2K", 12_345 → "12K", 3_400_000 → "3.4M". */
export function formatCount(n: number): string {
  const v = Math.max(0, Math.round(n));
  const short = (x: number, unit: string) => `${x < 10 ? Math.floor(x * 10) / 10 : Math.floor(x)}${unit}`;
  if (v < 1_000) return String(v);
  if (v < 1_000_000) return short(v / 1_000, 'K');
  return short(v / 1_000_000, 'M');
}

/** "5 min read" (at least 1). */
export function formatReadingTime(seconds: number): string {
  return `${Math.max(1, Math.round(seconds / 60))} min read`;
}

/** A stable hue (0..359) for a string. */
export function hueOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) % 360;
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A picture drawn in place of a remote image: a gradient keyed to `key` (the image's URL or the
 * card's id) with a label. The demo loads nothing beyond its own origin (the seed's image URLs
 * point at hosts an offline machine cannot reach); a real app would use the URL itself.
 */
export function placeholderImage(key: string, label: string, width = 640, height = 360): string {
  const hue = hueOf(key);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},70%,55%)"/>` +
    `<stop offset="1" stop-color="hsl(${(hue + 50) % 360},70%,35%)"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>` +
    `<text x="50%" y="54%" font-family="sans-serif" font-size="${Math.round(height / 6)}" fill="rgba(255,255,255,.85)" text-anchor="middle">${escapeXml(label)}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
