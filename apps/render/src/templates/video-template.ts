import { create } from '@bufbuild/protobuf';
import { VideoCardSchema } from '@feedmesh/contracts';
import type { CardTemplate, TemplateRef } from './card-template.js';
import { text, uint32 } from './payload-fields.js';

/** Inline player with thumbnail and duration badge. */
export const VIDEO_INLINE: TemplateRef = { id: 'video.inline', version: 1 };

/** payload {title, url, duration_ms, thumbnail_url} → VideoCard. */
export const videoTemplate: CardTemplate<'video'> = {
  kind: 'video',
  volatile: false,
  build({ payload }) {
    return {
      template: VIDEO_INLINE,
      data: create(VideoCardSchema, {
        title: text(payload, 'title'),
        durationMs: uint32(payload, 'duration_ms'),
        thumbnailUrl: text(payload, 'thumbnail_url'),
        streamUrl: text(payload, 'url'),
      }),
    };
  },
};
