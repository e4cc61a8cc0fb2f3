-- Up Migration

-- The one schema shared by the read path (recall, ranking, render) and the write path (ingest).
-- Numeric codes match the protobuf enums: ItemKind ARTICLE=1 VIDEO=2 LIVE=3,
-- ItemStatus ACTIVE=1 DELETED=2, EngagementType VIEW=1 LIKE=2 SHARE=3 HIDE=4 CLICK=5.
-- Later numbered migrations (e.g. the write path's outbox/queue tables) build on this one.

CREATE TABLE users (
  id              text PRIMARY KEY,
  handle          text NOT NULL UNIQUE,
  display_name    text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  -- Denormalized counts kept by ingest in the same transaction as the follow edge; fan-out reads
  -- follower_count to choose push or pull without counting edges.
  follower_count  integer NOT NULL DEFAULT 0 CHECK (follower_count >= 0),
  following_count integer NOT NULL DEFAULT 0 CHECK (following_count >= 0)
);

CREATE TABLE follows (
  follower_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CHECK (follower_id <> followee_id)
);
-- Fan-out: "who follows this author" as an index-only scan.
CREATE INDEX follows_followee_follower_idx ON follows (followee_id, follower_id);

CREATE TABLE items (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind       smallint NOT NULL CHECK (kind IN (1, 2, 3)),
  author_id  text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  status     smallint NOT NULL DEFAULT 1 CHECK (status IN (1, 2)),
  topics     text[] NOT NULL DEFAULT '{}',
  -- article {title, body, cover_url}; video {title, url, duration_ms, thumbnail_url};
  -- live {title, stream_url, live_status, viewers, started_at}
  payload    jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  -- Client idempotency key of the publish that created the item; NULL for seeded/imported rows
  -- (NULLs never conflict in the unique constraint).
  request_id text,
  CONSTRAINT items_author_request_unique UNIQUE (author_id, request_id)
);
-- An author's latest active items (author zset rebuilds, follow backfill, profile pages);
-- id breaks created_at ties for stable keyset paging.
CREATE INDEX items_author_recent_idx ON items (author_id, created_at DESC, id DESC) WHERE status = 1;
-- Latest active items overall (fallback recall, trending rebuilds).
CREATE INDEX items_recent_idx ON items (created_at DESC, id DESC) WHERE status = 1;
-- Interest recall: items whose topics overlap a user's (topics && $1).
CREATE INDEX items_topics_gin ON items USING gin (topics);

CREATE TABLE item_stats (
  item_id    uuid PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  views      bigint NOT NULL DEFAULT 0 CHECK (views >= 0),
  likes      bigint NOT NULL DEFAULT 0 CHECK (likes >= 0),
  shares     bigint NOT NULL DEFAULT 0 CHECK (shares >= 0),
  hides      bigint NOT NULL DEFAULT 0 CHECK (hides >= 0),
  clicks     bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Ranking features, keyed by the reading user (one index range scan per request).
CREATE TABLE user_author_affinity (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  author_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  score      real NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, author_id)
);

CREATE TABLE user_kind_affinity (
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind       smallint NOT NULL CHECK (kind IN (1, 2, 3)),
  score      real NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, kind)
);

CREATE TABLE user_interests (
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  topic   text NOT NULL,
  weight  real NOT NULL,
  PRIMARY KEY (user_id, topic)
);

-- Append-heavy engagement log. No foreign keys on purpose: ingest validates ids before storing,
-- and per-row FK checks would tax the hottest write path. The primary key makes a retried
-- (user, item, type, time) record a duplicate that INSERT ... ON CONFLICT DO NOTHING skips.
CREATE TABLE engagement_events (
  user_id     text NOT NULL,
  item_id     uuid NOT NULL,
  type        smallint NOT NULL CHECK (type BETWEEN 1 AND 5),
  occurred_at timestamptz NOT NULL,
  dwell_ms    integer CHECK (dwell_ms BETWEEN 0 AND 86400000),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, item_id, type, occurred_at)
);
-- Aggregation into item_stats and retention scan by arrival time; BRIN stays tiny on an
-- append-only table.
CREATE INDEX engagement_events_received_brin ON engagement_events USING brin (received_at);

-- Down Migration

DROP TABLE engagement_events;
DROP TABLE user_interests;
DROP TABLE user_kind_affinity;
DROP TABLE user_author_affinity;
DROP TABLE item_stats;
DROP TABLE items;
DROP TABLE follows;
DROP TABLE users;
