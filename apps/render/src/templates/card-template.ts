import type { CardByKind, CardKind } from '@feedmesh/feed-core';
import type { ItemRow } from '../item-row.js';

export interface TemplateRef {
  /** Stable id clients switch layouts on, e.g. "article.hero". */
  id: string;
  /** Bumped when the card's fields change meaning. */
  version: number;
}

export interface BuiltCard<T> {
  template: TemplateRef;
  data: T;
}

/** Builds the card of one kind from its items row and picks the template per card. */
export interface CardTemplate<K extends CardKind> {
  readonly kind: K;
  /** True when the card holds fast-changing fields (live viewers): cached for a short time only. */
  readonly volatile: boolean;
  build(row: ItemRow): BuiltCard<CardByKind[K]>;
}
