-- Up Migration

-- Blocks, mutes and "show less" marks, the durable copy of each viewer's preferences hash in
-- Redis (viewer-state/viewer-preferences.ts). Ingest writes here first, then the hash; a lost
-- hash can be rebuilt from these rows.

-- user_id blocked target_user_id: neither sees the other's items (the hash holds both sides).
CREATE TABLE user_blocks (
  user_id        text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  target_user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, target_user_id),
  CHECK (user_id <> target_user_id)
);

-- user_id stops seeing author_id's items, until `until` (NULL: until unmuted).
CREATE TABLE user_mutes (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  author_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  until      timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, author_id),
  CHECK (user_id <> author_id)
);

-- "Show less like this": an item, an author or a topic lowered in user_id's own feeds until
-- `until` (the feedback period). request_id is the ShowLess idempotency key of the last renewal:
-- a retry with the same key keeps the stored end instead of renewing it.
CREATE TABLE user_show_less (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  scope      text NOT NULL CHECK (scope IN ('item', 'author', 'topic')),
  target_id  text NOT NULL,
  until      timestamptz NOT NULL,
  request_id text NULL,
  PRIMARY KEY (user_id, scope, target_id)
);

-- Down Migration

DROP TABLE user_show_less;
DROP TABLE user_mutes;
DROP TABLE user_blocks;
