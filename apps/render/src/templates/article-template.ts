import { create } from '@bufbuild/protobuf';
import { ArticleCardSchema } from '@feedmesh/contracts';
import { excerpt, readingTimeSeconds } from './article-text.js';
import type { CardTemplate, TemplateRef } from './card-template.js';
import { text } from './payload-fields.js';

/** Large cover image on top; v2 added the reading time under the title. */
export const ARTICLE_HERO: TemplateRef = { id: 'article.hero', version: 2 };
/** Text-only row for articles without a cover. */
export const ARTICLE_COMPACT: TemplateRef = { id: 'article.compact', version: 1 };

/** payload {title, body, cover_url} → ArticleCard; the hero template needs a cover. */
export const articleTemplate: CardTemplate<'article'> = {
  kind: 'article',
  volatile: false,
  build({ payload }) {
    const body = text(payload, 'body');
    const coverUrl = text(payload, 'cover_url');
    return {
      template: coverUrl ? ARTICLE_HERO : ARTICLE_COMPACT,
      data: create(ArticleCardSchema, {
        title: text(payload, 'title'),
        excerpt: excerpt(body),
        coverUrl,
        readingTimeS: readingTimeSeconds(body),
      }),
    };
  },
};
