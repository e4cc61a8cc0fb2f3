// Library surface of the render app (no side effects): what the write path may call.
export { invalidateRenderedCards } from './cache/invalidate-rendered-cards.js';
