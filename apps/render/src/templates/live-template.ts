import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { LiveCardSchema, LiveStatus } from '@feedmesh/contracts';
import type { CardTemplate, TemplateRef } from './card-template.js';
import { text, timeMs, uint32 } from './payload-fields.js';

/** On air: red badge and viewer count. */
export const LIVE_BADGE: TemplateRef = { id: 'live.badge', version: 1 };
/** Announced, not started: start reminder. */
export const LIVE_UPCOMING: TemplateRef = { id: 'live.upcoming', version: 1 };
/** Over: dimmed card pointing at the recording. */
export const LIVE_ENDED: TemplateRef = { id: 'live.ended', version: 1 };

const templateByStatus: Record<LiveStatus, TemplateRef> = {
  [LiveStatus.UNSPECIFIED]: LIVE_ENDED,
  [LiveStatus.SCHEDULED]: LIVE_UPCOMING,
  [LiveStatus.LIVE]: LIVE_BADGE,
  [LiveStatus.ENDED]: LIVE_ENDED,
};

function liveStatus(value: unknown): LiveStatus {
  return value === LiveStatus.SCHEDULED || value === LiveStatus.LIVE || value === LiveStatus.ENDED ? value : LiveStatus.UNSPECIFIED;
}

/** payload {title, stream_url, live_status, viewers, started_at} → LiveCard. */
export const liveTemplate: CardTemplate<'live'> = {
  kind: 'live',
  // Viewer counts move by the second; see RENDER_LIVE_CARD_TTL_MS.
  volatile: true,
  build({ payload }) {
    const status = liveStatus(payload.live_status);
    const startedAtMs = status === LiveStatus.SCHEDULED ? undefined : timeMs(payload, 'started_at');
    return {
      template: templateByStatus[status],
      data: create(LiveCardSchema, {
        title: text(payload, 'title'),
        status,
        viewers: status === LiveStatus.LIVE ? uint32(payload, 'viewers') : 0,
        startedAt: startedAtMs === undefined ? undefined : timestampFromMs(startedAtMs),
        streamUrl: text(payload, 'stream_url'),
      }),
    };
  },
};
