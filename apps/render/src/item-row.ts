/** An items row as render builds a card from it (read by ItemsRepository.byIds). */
export type { StoredItem as ItemRow } from '@feedmesh/storage';
