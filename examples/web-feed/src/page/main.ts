// The page: log in as a demo user, then the feed with infinite scroll, like / hide, impressions
// (a card ≥ 50 % visible for ≥ 1 s is one VIEW) and a publish form.
import type { Card } from '@feedmesh/client/browser';
// The tracker alone: the page talks to its BFF, not to the mesh, so it needs none of the client's transports.
import { createImpressionTracker } from '@feedmesh/client/impressions';
import { EngagementQueue } from '../engagement-queue.js';
import { FeedList } from '../feed-list.js';
import { api, HttpError } from './api.js';
import { renderCard } from './render-card.js';

/** 32 hex digits (crypto.randomUUID needs a secure context; a demo may run on plain http). */
const newRequestId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const engagement = new EngagementQueue({ send: api.engagement, beacon: api.engagementBeacon });
addEventListener('pagehide', () => engagement.flushOnExit());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') engagement.flushOnExit();
});

async function showLogin(demoUsers: string[]): Promise<void> {
  $('login').hidden = false;
  const select = $<HTMLSelectElement>('login-user');
  select.replaceChildren(...demoUsers.map((u) => new Option(u, u)));
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await api.login(select.value);
    location.reload();
  });
}

function showFeed(user: string): void {
  $('who').hidden = false;
  $('user-name').textContent = user;
  $('app').hidden = false;
  $('logout').addEventListener('click', async () => {
    await engagement.flush();
    await api.logout();
    location.reload();
  });

  const list = $<HTMLOListElement>('feed');
  const status = $('feed-status');
  const sentinel = $('sentinel');
  const shown = new FeedList<Card>();
  let cursor = '';
  let ended = false;
  let loading = false;

  // Impressions: ≥ 50 % of a card on screen, for ≥ 1 s without a break.
  const impressions = createImpressionTracker({ onImpression: (id, visibleMs) => void engagement.track(id, 'VIEW', visibleMs) });
  const visibility = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        const id = (entry.target as HTMLElement).dataset.id!;
        if (entry.isIntersecting && entry.intersectionRatio >= 0.5) impressions.visible(id);
        else impressions.hidden(id);
      }
    },
    { threshold: [0, 0.5] },
  );
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') impressions.hideAll();
  });

  const actions = {
    like(card: Card, button: HTMLButtonElement) {
      if (button.getAttribute('aria-pressed') === 'true') return;
      button.setAttribute('aria-pressed', 'true');
      button.disabled = true;
      button.textContent = '♥ Liked';
      void engagement.track(card.id, 'LIKE');
    },
    hide(card: Card, li: HTMLElement) {
      visibility.unobserve(li);
      impressions.hidden(card.id);
      li.remove();
      void engagement.track(card.id, 'HIDE');
    },
  };

  const degraded = $('degraded');
  const showDegraded = (on: boolean, reasons: string[]) => {
    degraded.hidden = !on;
    $('degraded-reasons').textContent = on && reasons.length > 0 ? `(${reasons.join(', ')})` : '';
  };

  async function loadNext(): Promise<void> {
    if (loading || ended) return;
    loading = true;
    status.textContent = 'Loading…';
    try {
      const page = await api.feed(cursor);
      if (page.restarted) {
        // The paging session expired: a new first page, the list starts over.
        list.replaceChildren();
        shown.clear();
        impressions.reset();
      }
      showDegraded(page.degraded, page.degradedReasons);
      for (const card of shown.add(page.cards)) {
        const li = renderCard(card, actions);
        list.append(li);
        visibility.observe(li);
      }
      cursor = page.nextCursor;
      ended = cursor === '';
      status.textContent = ended ? 'You are all caught up.' : '';
    } catch (error) {
      status.textContent = error instanceof HttpError && error.status === 401 ? 'Logged out.' : `Could not load the feed: ${(error as Error).message}`;
    } finally {
      loading = false;
    }
    // Still at the bottom (a short page, a tall screen): the observer fires only on changes.
    if (!ended && sentinel.getBoundingClientRect().top < innerHeight + 600) requestAnimationFrame(() => void loadNext());
  }

  new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void loadNext(), { rootMargin: '600px 0px' }).observe(sentinel);

  // Publish: one idempotency key per article, so a double submit publishes it once.
  const form = $<HTMLFormElement>('publish-form');
  const publishStatus = $('publish-status');
  let requestId = newRequestId();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const title = $<HTMLInputElement>('publish-title').value;
    const body = $<HTMLTextAreaElement>('publish-body').value;
    const submit = form.querySelector('button')!;
    submit.disabled = true;
    publishStatus.textContent = 'Publishing…';
    try {
      const { itemId } = await api.publish({ requestId, title, body });
      publishStatus.textContent = 'Published.';
      publishStatus.dataset.itemId = itemId;
      form.reset();
      requestId = newRequestId();
    } catch (error) {
      publishStatus.textContent = `Not published: ${(error as Error).message}`;
    } finally {
      submit.disabled = false;
    }
  });
}

async function boot(): Promise<void> {
  const { user, demoUsers } = await api.me();
  if (user) showFeed(user);
  else await showLogin(demoUsers);
}

void boot();
