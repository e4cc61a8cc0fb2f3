// One card as DOM: article (cover, title, excerpt), video (thumbnail with its duration), live
// (LIVE badge, viewer count). Text goes in with textContent, never as HTML.
import type { ArticleCard, Card, LiveCard, VideoCard } from '@feedmesh/client/browser';
import { formatCount, formatDuration, formatReadingTime, placeholderImage } from '../card-format.js';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function picture(key: string, label: string, alt: string): HTMLImageElement {
  const img = el('img');
  img.src = placeholderImage(key, label);
  img.alt = alt;
  img.loading = 'lazy';
  return img;
}

const ago = (ms: number | undefined) => {
  if (ms === undefined) return '';
  const minutes = Math.max(0, Math.round((Date.now() - ms) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h ago`;
  return `${Math.round(minutes / 1440)} d ago`;
};

function meta(card: Card, extra: string[] = []): HTMLElement {
  return el('p', 'meta', [`by ${card.authorId}`, ago(card.createdAtMs), ...extra].filter(Boolean).join(' · '));
}

function article(card: ArticleCard, li: HTMLElement, body: HTMLElement): void {
  if (card.coverUrl) {
    const media = el('div', 'media');
    media.append(picture(card.coverUrl, '✎', `Cover of ${card.title}`));
    li.prepend(media);
  }
  body.append(el('span', 'kind', 'Article'), el('h3', 'title', card.title), el('p', 'excerpt', card.excerpt), meta(card, [formatReadingTime(card.readingTimeS)]));
}

function video(card: VideoCard, li: HTMLElement, body: HTMLElement): void {
  const media = el('div', 'media');
  media.append(picture(card.thumbnailUrl || card.id, '▶', `Thumbnail of ${card.title}`), el('span', 'duration', formatDuration(card.durationMs)));
  li.prepend(media);
  body.append(el('span', 'kind', 'Video'), el('h3', 'title', card.title), meta(card));
}

const liveLabels: Record<LiveCard['status'], string> = { live: 'LIVE', scheduled: 'SCHEDULED', ended: 'ENDED', unknown: 'LIVE?' };

function live(card: LiveCard, li: HTMLElement, body: HTMLElement): void {
  const media = el('div', 'media');
  media.append(picture(card.streamUrl || card.id, '●', `Live stream ${card.title}`), el('span', `live-badge ${card.status}`, liveLabels[card.status]));
  media.append(el('span', 'viewers', `${formatCount(card.viewers)} watching`));
  li.prepend(media);
  body.append(el('span', 'kind', 'Live'), el('h3', 'title', card.title), meta(card));
}

export interface CardActions {
  like(card: Card, button: HTMLButtonElement): void;
  hide(card: Card, li: HTMLElement): void;
}

export function renderCard(card: Card, actions: CardActions): HTMLLIElement {
  const li = el('li', `card card--${card.kind}`);
  li.dataset.id = card.id;
  li.dataset.kind = card.kind;
  const body = el('div', 'body');
  li.append(body);
  if (card.kind === 'article') article(card, li, body);
  else if (card.kind === 'video') video(card, li, body);
  else live(card, li, body);
  if (li.querySelector('.media')) li.classList.add('has-media');

  const bar = el('div', 'actions');
  const like = el('button', 'like', '♥ Like');
  like.type = 'button';
  like.setAttribute('aria-pressed', 'false');
  like.addEventListener('click', () => actions.like(card, like));
  const hide = el('button', 'hide', 'Hide');
  hide.type = 'button';
  hide.addEventListener('click', () => actions.hide(card, li));
  bar.append(like, hide);
  li.append(bar);
  return li;
}
