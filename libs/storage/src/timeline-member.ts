/**
 * Members of the timeline, author, topic and trending zsets pack `itemId|kind|authorId`, so
 * recall knows each candidate's kind and author without hydrating it from Postgres.
 */

export interface TimelineMember {
  /** Item UUID. */
  id: string;
  /** Item kind, same numbers as proto ItemKind: 1 article, 2 video, 3 live. */
  kind: number;
  /** Author user id. */
  authorId: string;
}

const SEPARATOR = '|';

function isKnownKind(kind: number): boolean {
  return kind === 1 || kind === 2 || kind === 3;
}

export function encodeTimelineMember(member: TimelineMember): string {
  const { id, kind, authorId } = member;
  if (id.length === 0 || id.includes(SEPARATOR)) throw new Error(`invalid item id ${JSON.stringify(id)}`);
  if (authorId.length === 0 || authorId.includes(SEPARATOR)) {
    throw new Error(`invalid author id ${JSON.stringify(authorId)}`);
  }
  if (!isKnownKind(kind)) throw new Error(`invalid item kind ${kind}`);
  return `${id}${SEPARATOR}${kind}${SEPARATOR}${authorId}`;
}

/** Decodes a member written by encodeTimelineMember; throws on anything else. */
export function decodeTimelineMember(encoded: string): TimelineMember {
  const parts = encoded.split(SEPARATOR);
  if (parts.length !== 3) throw new Error(`malformed timeline member ${JSON.stringify(encoded)}`);
  const [id, kindText, authorId] = parts as [string, string, string];
  const kind = kindText.length === 1 ? Number(kindText) : NaN;
  if (id.length === 0 || authorId.length === 0 || !isKnownKind(kind)) {
    throw new Error(`malformed timeline member ${JSON.stringify(encoded)}`);
  }
  return { id, kind, authorId };
}
